/**
 * A real OpenSSH server on 127.0.0.1, for integration tests and benchmarks of the SSH transport.
 *
 * {@link startSshd} makes host and client ed25519 keys in a fresh temp dir, writes an sshd
 * config there (port picked by binding port 0, key-only login, no PAM, StrictModes off), runs
 * `/usr/sbin/sshd -D -e -f CONFIG` and resolves once the port accepts connections. Sessions get
 * PATH with this process's `node` first, so the remote side finds the same Node.js. Call
 * `stop()` when done: it kills sshd and removes the dir. Needs root (sshd must be able to switch
 * to the logged-in user) and the openssh-server package; {@link sshdSkipReason} says when not.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { joinRshCommand } from '../src/transport/rsh-command.js';

/** The sshd binary. */
export const SSHD_PATH = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 10_000;

/** A running sshd. */
export interface SshdFixture {
  host: '127.0.0.1';
  port: number;
  /** The user to log in as (whoever runs the tests). */
  user: string;
  /** The temp dir holding keys, config and pid file. */
  dir: string;
  /** The authorized client key (private key file). */
  clientKey: string;
  /** The remote shell argv: ssh with port, key and batch options. */
  rsh: string[];
  /** `rsh` as one `-e` string. */
  rshString: string;
  /** `rsh` for another identity (e.g. a key that is not authorized). */
  rshFor(identity: string): string[];
  /** Makes a new ed25519 key pair at `file` (and `file.pub`). */
  keygen(file: string): void;
  /** Kills sshd and removes the dir. Idempotent. */
  stop(): Promise<void>;
}

/** Why an sshd cannot be started here, or null when it can. */
export function sshdSkipReason(): string | null {
  if (process.platform !== 'linux') return `sshd fixture needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'sshd fixture needs root';
  if (!fs.existsSync(SSHD_PATH)) return `${SSHD_PATH} missing (install openssh-server)`;
  const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  if (ssh.error !== undefined) return 'ssh missing (install openssh-client)';
  return null;
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bigsync-test', '-f', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr || String(r.error)}`);
}

function sshdConfig(dir: string, port: number): string {
  const pathDirs = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'];
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'LogLevel ERROR',
    `SetEnv PATH=${[...new Set(pathDirs)].join(':')}`,
    '',
  ].join('\n');
}

/** The ssh argv for `identity` against `port`: no prompts, no known_hosts. */
function rshArgs(port: number, identity: string): string[] {
  return [
    'ssh',
    '-p',
    String(port),
    '-i',
    identity,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
  ];
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects when sshd exits or time runs out. */
async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`sshd exited (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve(true)));
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on port ${port} within ${START_TIMEOUT_MS} ms: ${stderr()}`);
}

/** Starts sshd (see the module comment). Throws when it cannot; check {@link sshdSkipReason} first. */
export async function startSshd(): Promise<SshdFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-sshd-'));
  try {
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    keygen(path.join(dir, 'host_key'));
    const clientKey = path.join(dir, 'client_key');
    keygen(clientKey);
    fs.copyFileSync(`${clientKey}.pub`, path.join(dir, 'authorized_keys'));
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(config, sshdConfig(dir, port));
    const child = spawn(SSHD_PATH, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
    child.on('error', (err) => (stderr += String(err)));
    await waitForPort(port, child, () => stderr).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
    return fixture(dir, port, clientKey, child);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function fixture(dir: string, port: number, clientKey: string, child: ChildProcess): SshdFixture {
  const rsh = rshArgs(port, clientKey);
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return {
    host: '127.0.0.1',
    port,
    user: os.userInfo().username,
    dir,
    clientKey,
    rsh,
    rshString: joinRshCommand(rsh),
    rshFor: (identity) => rshArgs(port, identity),
    keygen,
    stop: () => (stopped ??= stop()),
  };
}
