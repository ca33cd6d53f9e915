/**
 * The SSH transport: `bigsync --server` on another host, reached by running the remote shell
 * command (`ssh` by default) with a fixed bootstrap script (see remote-bootstrap.ts).
 *
 * `open()` runs `RSH... [-l USER] -- HOST "sh -c '<script>' ..."` and waits for the script's
 * ready line. When the remote host has neither bigsync nor the cached bundle, it uploads the
 * bundle (`bundlePath`, a single-file build of bigsync) into the remote cache with a second ssh
 * and tries once more. The connection is the ssh child's stdout (input) and stdin (output).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BigsyncError, toBigsyncError } from '../errors.js';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  peerConnection,
  spawnPeer,
  waitForReadyLine,
  type PeerProcess,
  type ReadyOutcome,
} from './child-peer.js';
import type { Connection, Transport } from './connection.js';
import { checkSshHost, checkSshUser } from './location.js';
import {
  checkBootstrapParams,
  classifySessionExit,
  lastLine,
  READY_LINE,
  sessionCommand,
  sshFailure,
  uploadCommand,
  type BootstrapParams,
} from './remote-bootstrap.js';
import { DEFAULT_RSH } from './rsh-command.js';

export { localServerTransport, type LocalServerOptions } from './local-server-transport.js';

/** The most a login shell may print on stdout before the ready line (`.bashrc` noise). */
const MAX_PREAMBLE_BYTES = 64 * 1024;

/** Something the transport does that a user may want to hear about (`--verbose`). */
export type TransportStatus = { kind: 'bundle-upload'; host: string; bytes: number };

/** Options of {@link sshTransport}. The CLI fills them from argv and the environment. */
export interface SshTransportOptions {
  /** Host name or address, as for ssh (no brackets: `::1`). Must not start with `-`. */
  host: string;
  /** Login name, passed as `-l USER`. Must not start with `-` or contain `@`. */
  user?: string | undefined;
  /** The remote shell argv (from rsh-command.ts `rshArgv`); default `['ssh']`. */
  rsh?: readonly string[] | undefined;
  /** Run `REMOTE_PATH --server` on the remote host instead of finding bigsync there. */
  remotePath?: string | undefined;
  /** The single-file bundle to upload when the remote host has no bigsync (dist/bigsync.bundle.mjs). */
  bundlePath: string;
  /**
   * The native addon to upload beside the bundle (the one this process loaded), or null. Where
   * it cannot load (another OS, CPU or C library) the remote side uses its JS fallbacks.
   */
  addonPath?: string | null | undefined;
  /** bigsync's version; names the cached bundle. */
  version: string;
  /** Remote cache directory instead of `${XDG_CACHE_HOME:-$HOME/.cache}/bigsync` (BIGSYNC_REMOTE_CACHE). */
  cacheDir?: string | undefined;
  /** How long `Connection.close()` waits for ssh to exit before killing it; default 5 s. */
  closeTimeoutMs?: number | undefined;
  /** Told about slow steps (the bundle upload). Must not throw. */
  onStatus?: ((status: TransportStatus) => void) | undefined;
}

/** The bundle's bytes, the native addon's (or null) and their hash, read once per transport. */
interface Bundle {
  bytes: Buffer;
  addon: Buffer | null;
  hash: string;
}

/** Everything `open` needs, checked. */
interface SshConfig {
  opts: SshTransportOptions;
  rshPrefix: string[];
  bundle: () => Promise<Bundle>;
}

/** A function, not `signal?.aborted`, so that TypeScript does not narrow it across awaits. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function interrupted(host: string): BigsyncError {
  return new BigsyncError('INTERRUPTED', `connecting to ${host} was interrupted`, { host });
}

/**
 * Reads and hashes the bundle (and the addon, when given and readable: without it the remote side
 * runs on its JS fallbacks) once; later calls reuse the result (or the failure). The hash covers
 * both, so a rebuilt addon is uploaded again.
 */
function bundleLoader(path: string, addonPath: string | null): () => Promise<Bundle> {
  let loaded: Promise<Bundle> | undefined;
  const load = async (): Promise<Bundle> => {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw toBigsyncError(err, `cannot read the bigsync bundle ${path} (run npm run build)`, { path });
    }
    const addon = addonPath === null ? null : await readFile(addonPath).catch(() => null);
    const h = createHash('sha256').update(bytes);
    if (addon !== null) h.update(addon);
    return { bytes, addon, hash: h.digest('hex').slice(0, 16) };
  };
  return () => (loaded ??= load());
}

/**
 * A transport that runs bigsync on `opts.host` over ssh.
 *
 * Checks every option at once, before any process is spawned.
 *
 * @throws BigsyncError `BAD_LOCATION` for a host or user that ssh could read as an option (a
 *   leading `-`) or that holds whitespace or control characters, a `remotePath` with a single
 *   quote, control character or leading `-`, a `cacheDir` that is not an absolute path of
 *   `[A-Za-z0-9_./-]`, or an empty `rsh`.
 */
export function sshTransport(opts: SshTransportOptions): Transport {
  checkSshHost(opts.host);
  if (opts.user !== undefined) checkSshUser(opts.user);
  checkBootstrapParams({ ...params(opts), bundleHash: '0'.repeat(16) });
  const rsh = opts.rsh ?? [DEFAULT_RSH];
  if (rsh.length === 0 || rsh[0] === '')
    throw new BigsyncError('BAD_LOCATION', 'the remote shell command is empty');
  const rshPrefix = [...rsh, ...(opts.user !== undefined ? ['-l', opts.user] : []), '--', opts.host];
  const cfg: SshConfig = { opts, rshPrefix, bundle: bundleLoader(opts.bundlePath, opts.addonPath ?? null) };
  return { open: (signal) => openSsh(cfg, signal) };
}

function params(opts: SshTransportOptions, bundleHash = ''): BootstrapParams {
  return { version: opts.version, bundleHash, cacheDir: opts.cacheDir, remotePath: opts.remotePath };
}

/** Starts a session, uploading the bundle and retrying once when the remote host lacks it. */
async function openSsh(cfg: SshConfig, signal?: AbortSignal): Promise<Connection> {
  const { host } = cfg.opts;
  if (aborted(signal)) throw interrupted(host);
  const bundle = await cfg.bundle();
  const command = sessionCommand(params(cfg.opts, bundle.hash));
  for (let attempt = 1; ; attempt++) {
    const peer = spawnPeer([...cfg.rshPrefix, command], { signal });
    const outcome = await waitForReadyLine(peer.child.stdout, READY_LINE, MAX_PREAMBLE_BYTES);
    if (outcome === 'ready' && !aborted(signal)) {
      return peerConnection(peer, cfg.opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    }
    const failure = await sessionFailure(peer, outcome, host, signal);
    if (failure !== 'need-bundle') throw failure;
    if (attempt > 1) {
      throw new BigsyncError('REMOTE_FAILED', `the bundle uploaded to ${host} is still not found there`, {
        host,
      });
    }
    await uploadBundle(cfg, bundle, signal);
  }
}

/** Why a session ended before its ready line. */
async function sessionFailure(
  peer: PeerProcess,
  outcome: ReadyOutcome,
  host: string,
  signal?: AbortSignal,
): Promise<BigsyncError | 'need-bundle'> {
  if (outcome !== 'ended') peer.kill();
  const exit = await peer.exited;
  if (aborted(signal)) return interrupted(host);
  const ssh = sshFailure(exit, host, peer.spawnError());
  if (ssh !== null) return ssh;
  if (outcome === 'overflow') {
    return new BigsyncError(
      'REMOTE_FAILED',
      `the login shell on ${host} printed more than ${MAX_PREAMBLE_BYTES} bytes before bigsync started ` +
        '(check its startup files)',
      { host },
    );
  }
  return classifySessionExit(exit, host);
}

/**
 * Stores the addon (if any) and then the bundle in the remote cache, one ssh each with the file
 * on its stdin: the bundle's presence is what the session script looks for.
 */
async function uploadBundle(cfg: SshConfig, bundle: Bundle, signal?: AbortSignal): Promise<void> {
  const total = bundle.bytes.length + (bundle.addon?.length ?? 0);
  cfg.opts.onStatus?.({ kind: 'bundle-upload', host: cfg.opts.host, bytes: total });
  if (bundle.addon !== null) await uploadFile(cfg, bundle.hash, bundle.addon, 'node', signal);
  await uploadFile(cfg, bundle.hash, bundle.bytes, 'mjs', signal);
}

async function uploadFile(
  cfg: SshConfig,
  hash: string,
  bytes: Buffer,
  kind: 'mjs' | 'node',
  signal?: AbortSignal,
): Promise<void> {
  const { host } = cfg.opts;
  const command = uploadCommand(params(cfg.opts, hash), bytes.length, kind);
  const peer = spawnPeer([...cfg.rshPrefix, command], { signal });
  peer.child.stdout.resume();
  peer.child.stdin.end(bytes);
  const exit = await peer.exited;
  if (aborted(signal)) throw interrupted(host);
  const ssh = sshFailure(exit, host, peer.spawnError());
  if (ssh !== null) throw ssh;
  if (exit.code !== 0) {
    const why = lastLine(exit.stderr) || `status ${exit.code ?? exit.signal}`;
    throw new BigsyncError('REMOTE_FAILED', `uploading the bigsync bundle to ${host} failed: ${why}`, {
      host,
      stderr: exit.stderr,
    });
  }
}
