/**
 * The shell scripts that start `bigsync --server` on a remote host, and how their outcome reads.
 *
 * ssh joins the remote command's words with spaces and the remote login shell (sh, bash, zsh,
 * fish or csh) parses the result, so each script is ONE line of fixed POSIX sh text, with no
 * single quote, backslash, `!` or newline in it, run as `sh -c '<script>' bigsync-bootstrap
 * 'ARG'...`. Its inputs arrive as single-quoted positional parameters, each checked here first:
 * the version (semver characters), the bundle hash (16 hex digits), the cache directory (an
 * absolute path of `[A-Za-z0-9_./-]`, a test hatch) and the optional remote path (the one user
 * string allowed: no `'`, no control characters). File paths to sync never appear: they travel
 * in-band in the protocol.
 *
 * The session script ({@link sessionCommand}) finds `node` (exit 127), checks it is >= 20 with
 * `node --version` (exit 126), then execs, in order: the given remote path, `bigsync` on PATH, or
 * the cached bundle `<cache>/bigsync-<version>-<hash>.mjs`; without any of them it exits 93 and
 * the caller uploads the bundle with {@link uploadCommand} (first the native addon, when it has
 * one, as `<cache>/bigsync-<version>-<hash>.node`: the session then runs the bundle with
 * BIGSYNC_NATIVE_PATH pointing at it). Just before exec it prints
 * {@link READY_LINE} on stdout, so the caller knows the protocol starts after it; each failure
 * prints a marker line on stderr, which {@link classifySessionExit} reads with the exit status.
 */
import { BigsyncError } from '../errors.js';
import type { PeerExit } from './connection.js';

/** Printed on stdout just before exec; the protocol's bytes follow it. */
export const READY_LINE = 'bigsync-bootstrap: ready';
/** Exit status: no node on PATH. */
export const EXIT_NO_NODE = 127;
/** Exit status: node older than {@link MIN_NODE_MAJOR}. */
export const EXIT_OLD_NODE = 126;
/** Exit status: no bigsync and no cached bundle; upload one. */
export const EXIT_NEED_BUNDLE = 93;
/** Exit status: the given remote path is not an executable command. */
export const EXIT_NO_REMOTE_PATH = 94;
/** The oldest Node.js major version bigsync runs on. */
export const MIN_NODE_MAJOR = 20;

const MARK = 'bigsync-bootstrap:';
const CACHE = '${3:-${XDG_CACHE_HOME:-$HOME/.cache}/bigsync}';

const SESSION_SCRIPT = [
  `N=$(command -v node) || { echo "${MARK} no-node" >&2; exit ${EXIT_NO_NODE}; }`,
  // `node --version` answers before the VM starts (~10 ms); `-p` would cost a whole node start
  'M=$("$N" --version 2>/dev/null); M=${M#v}',
  `[ "\${M%%.*}" -ge ${MIN_NODE_MAJOR} ] 2>/dev/null || { echo "${MARK} old-node v$M" >&2; exit ${EXIT_OLD_NODE}; }`,
  `if [ -n "$4" ]; then command -v "$4" >/dev/null 2>&1 || { echo "${MARK} no-remote-path" >&2; exit ${EXIT_NO_REMOTE_PATH}; }; echo "${READY_LINE}"; exec "$4" --server; fi`,
  `if command -v bigsync >/dev/null 2>&1; then echo "${READY_LINE}"; exec bigsync --server; fi`,
  `F=${CACHE}/bigsync-$1-$2.mjs`,
  // the native addon uploaded beside the bundle, if any (it falls back to JS if it cannot load)
  `if [ -f "$F" ]; then A=\${F%.mjs}.node; [ -f "$A" ] && export BIGSYNC_NATIVE_PATH="$A"; echo "${READY_LINE}"; exec "$N" "$F" --server; fi`,
  `echo "${MARK} need-bundle" >&2; exit ${EXIT_NEED_BUNDLE}`,
].join('; ');

const UPLOAD_SCRIPT = [
  `D=${CACHE}; F=$D/bigsync-$1-$2.$5; T=$F.tmp.$$; umask 077`,
  'mkdir -p "$D" || exit 1',
  'cat > "$T" || { rm -f "$T"; exit 1; }',
  'S=$(wc -c < "$T")',
  `[ $((S)) -eq "$4" ] || { rm -f "$T"; echo "${MARK} short-upload $S of $4 bytes" >&2; exit 1; }`,
  'mv -f "$T" "$F"',
].join('; ');

/** What the remote scripts need to know; checked by {@link checkBootstrapParams}. */
export interface BootstrapParams {
  /** bigsync's version, part of the cached bundle's name. */
  version: string;
  /** The first 16 hex digits of the bundle's SHA-256. */
  bundleHash: string;
  /** Cache directory on the remote host; default `${XDG_CACHE_HOME:-$HOME/.cache}/bigsync`. */
  cacheDir?: string | undefined;
  /** A command to exec as `REMOTE_PATH --server` instead of looking for bigsync. */
  remotePath?: string | undefined;
}

function bad(message: string, details: Record<string, string> = {}): BigsyncError {
  return new BigsyncError('BAD_LOCATION', message, details);
}

/** Throws BAD_LOCATION unless every parameter is safe to put on the remote command line. */
export function checkBootstrapParams(p: BootstrapParams): void {
  if (!/^[0-9A-Za-z.+-]{1,64}$/.test(p.version)) throw bad(`unusable version '${p.version}'`);
  if (!/^[0-9a-f]{16}$/.test(p.bundleHash)) throw bad(`unusable bundle hash '${p.bundleHash}'`);
  if (p.cacheDir !== undefined && !/^\/[A-Za-z0-9_./-]*$/.test(p.cacheDir)) {
    throw bad(`remote cache directory '${p.cacheDir}' must be an absolute path of [A-Za-z0-9_./-] only`, {
      cacheDir: p.cacheDir,
    });
  }
  const rp = p.remotePath;
  if (rp !== undefined) {
    const where = { remotePath: rp };
    if (rp === '') throw bad('the remote bigsync path is empty', where);
    if (rp.includes("'")) throw bad(`the remote bigsync path '${rp}' must not contain a single quote`, where);
    if (/\p{Cc}/u.test(rp))
      throw bad('the remote bigsync path must not contain newlines or control characters', where);
    if (rp.startsWith('-')) throw bad(`the remote bigsync path '${rp}' must not start with "-"`, where);
  }
}

/** `sh -c '<script>' bigsync-bootstrap 'a' 'b' ...`: one remote command line. */
function shCommand(script: string, args: readonly string[]): string {
  return [`sh -c '${script}' bigsync-bootstrap`, ...args.map((a) => `'${a}'`)].join(' ');
}

/** The remote command that starts a session (see the module comment). Checks `p` first. */
export function sessionCommand(p: BootstrapParams): string {
  checkBootstrapParams(p);
  return shCommand(SESSION_SCRIPT, [p.version, p.bundleHash, p.cacheDir ?? '', p.remotePath ?? '']);
}

/**
 * The remote command that stores the bundle (`kind` 'mjs') or the native addon beside it ('node'),
 * fed on its stdin, `size` bytes, in the cache as `bigsync-<version>-<hash>.<kind>`, mode 0600,
 * atomically (a temp file, size-checked, then renamed). Checks `p` first.
 */
export function uploadCommand(p: BootstrapParams, size: number, kind: 'mjs' | 'node' = 'mjs'): string {
  checkBootstrapParams(p);
  if (!Number.isSafeInteger(size) || size < 0) throw new BigsyncError('INTERNAL', `bad bundle size ${size}`);
  if (kind !== 'mjs' && kind !== 'node')
    throw new BigsyncError('INTERNAL', `bad upload kind ${String(kind)}`);
  return shCommand(UPLOAD_SCRIPT, [p.version, p.bundleHash, p.cacheDir ?? '', String(size), kind]);
}

/** The last non-empty line of `text` (ssh's reason, such as "Permission denied (publickey)."). */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines[lines.length - 1]?.trim() ?? '';
}

function marker(exit: PeerExit, name: string): string | null {
  const m = new RegExp(`^${MARK} ${name}(?: (.*))?$`, 'm').exec(exit.stderr);
  return m === null ? null : (m[1] ?? '');
}

/** An ssh exit of 255 (or ssh not starting) as SSH_FAILED; null when it is not that. */
export function sshFailure(exit: PeerExit, host: string, spawnError: Error | null): BigsyncError | null {
  if (spawnError !== null) {
    return new BigsyncError('SSH_FAILED', `cannot start the remote shell: ${spawnError.message}`, { host });
  }
  if (exit.code !== 255) return null;
  const why = lastLine(exit.stderr) || 'ssh exited with status 255';
  return new BigsyncError('SSH_FAILED', `ssh to ${host} failed: ${why}`, { host, stderr: exit.stderr });
}

/**
 * Reads how a session script ended before printing {@link READY_LINE}: `'need-bundle'` (upload
 * and retry), or the error to report. Markers count only with their exit status.
 */
export function classifySessionExit(exit: PeerExit, host: string): BigsyncError | 'need-bundle' {
  const details = { host, stderr: exit.stderr };
  if (exit.code === EXIT_NEED_BUNDLE && marker(exit, 'need-bundle') !== null) return 'need-bundle';
  if (exit.code === EXIT_NO_NODE && marker(exit, 'no-node') !== null) {
    return new BigsyncError('REMOTE_NODE_MISSING', `node not found on ${host}`, details);
  }
  const old = exit.code === EXIT_OLD_NODE ? marker(exit, 'old-node') : null;
  if (old !== null) {
    const message =
      old === 'v'
        ? `node on ${host} did not report its version (Node.js >= ${MIN_NODE_MAJOR} is needed)`
        : `node ${old} on ${host} is older than ${MIN_NODE_MAJOR}`;
    return new BigsyncError('REMOTE_NODE_MISSING', message, details);
  }
  if (exit.code === EXIT_NO_REMOTE_PATH && marker(exit, 'no-remote-path') !== null) {
    return new BigsyncError(
      'REMOTE_FAILED',
      `the remote bigsync path is not an executable command on ${host}`,
      details,
    );
  }
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
  const why = lastLine(exit.stderr);
  return new BigsyncError(
    'REMOTE_FAILED',
    `the remote side on ${host} ${how} before bigsync started${why !== '' ? `: ${why}` : ''}`,
    details,
  );
}
