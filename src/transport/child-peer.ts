/**
 * Process plumbing shared by the transports: spawn a peer with piped stdio, keep the tail of its
 * stderr, resolve when it exits, kill it on abort, and wrap it as a {@link Connection}.
 *
 * Order of use (by ssh-transport.ts and local-server-transport.ts): {@link spawnPeer}, then either
 * {@link waitSpawned} or {@link waitForReadyLine}, then {@link peerConnection} to hand the
 * process to the session layer (or {@link PeerProcess.kill} and await `exited` to give up).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Connection, PeerExit } from './connection.js';

/** How much of the peer's stderr is kept (the tail). */
export const STDERR_TAIL_BYTES = 8 * 1024;
/** How long `close()` waits for the peer to exit on its own before killing it. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/** After SIGTERM, how long before SIGKILL. */
const KILL_GRACE_MS = 1_000;
/** After exit, how long to wait for stderr to drain (a grandchild may hold it open). */
const STDERR_DRAIN_MS = 250;

/** A spawned peer process. */
export interface PeerProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Resolves when the process has exited (or failed to start). Never rejects. */
  readonly exited: Promise<PeerExit>;
  /** The spawn failure (ENOENT, EACCES), once known; null while none happened. */
  spawnError(): Error | null;
  /** SIGTERM now, SIGKILL if still alive after a second. No-op once exited. */
  kill(): void;
}

/** Options of {@link spawnPeer}. */
export interface SpawnPeerOptions {
  /** Aborting kills the process (see {@link PeerProcess.kill}). */
  signal?: AbortSignal | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
}

/** Keeps the last {@link STDERR_TAIL_BYTES} of a stream. */
function collectTail(stream: Readable): { text: () => string; ended: Promise<void> } {
  let tail = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
  });
  const ended = new Promise<void>((resolve) => {
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  return { text: () => tail.toString('utf8'), ended };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Spawns `argv` with stdin, stdout and stderr piped (argv[0] is looked up on PATH; no shell).
 * Never throws: a spawn failure resolves `exited` with code null and the reason in `stderr`.
 */
export function spawnPeer(argv: readonly string[], opts: SpawnPeerOptions = {}): PeerProcess {
  const [file = '', ...args] = argv;
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env, cwd: opts.cwd });
  const tail = collectTail(child.stderr);
  let failure: Error | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const alive = () => child.exitCode === null && child.signalCode === null && failure === null;
  const kill = () => {
    if (!alive() || killTimer !== undefined) return;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => alive() && child.kill('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  const onAbort = () => kill();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted === true) queueMicrotask(kill);
  child.stdin.on('error', () => {}); // EPIPE once the peer is gone: `exited` tells the story
  const exited = new Promise<PeerExit>((resolve) => {
    const done = (code: number | null, signal: string | null, extra = '') => {
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stderr: tail.text() + extra });
    };
    child.on('error', (err) => {
      if (child.pid !== undefined || failure !== null) return; // e.g. a failed kill(): 'exit' follows
      failure = err;
      done(null, null, `cannot run '${file}': ${err.message}\n`);
    });
    child.once('exit', (code, signal) => {
      void Promise.race([tail.ended, delay(STDERR_DRAIN_MS)]).then(() => done(code, signal));
    });
  });
  return { child, exited, spawnError: () => failure, kill };
}

/** Resolves once the process has started (null) or failed to (the error). */
export function waitSpawned(peer: PeerProcess): Promise<Error | null> {
  if (peer.child.pid !== undefined) return Promise.resolve(null);
  return new Promise((resolve) => {
    peer.child.once('spawn', () => resolve(null));
    void peer.exited.then(() => resolve(peer.spawnError()));
  });
}

/** What {@link waitForReadyLine} saw. */
export type ReadyOutcome = 'ready' | 'ended' | 'overflow';

/**
 * Reads `stream` until a line equal to `line` (bytes before it, such as a chatty login shell's
 * output, are dropped); the bytes after it are put back, so the stream then yields exactly what
 * the peer wrote after the line. Resolves `'ended'` when the stream ends first, `'overflow'`
 * when more than `limit` bytes came without the line (the stream is then left consumed).
 */
export function waitForReadyLine(stream: Readable, line: string, limit: number): Promise<ReadyOutcome> {
  const needle = Buffer.from(`\n${line}\n`);
  return new Promise((resolve) => {
    let seen = Buffer.from('\n');
    const finish = (outcome: ReadyOutcome, rest?: Buffer) => {
      stream.off('readable', onReadable);
      for (const event of ['end', 'close', 'error']) stream.off(event, onEnd);
      if (rest !== undefined && rest.length > 0) stream.unshift(rest);
      resolve(outcome);
    };
    const onEnd = () => finish('ended');
    const onReadable = () => {
      for (
        let chunk = stream.read() as Buffer | null;
        chunk !== null;
        chunk = stream.read() as Buffer | null
      ) {
        seen = Buffer.concat([seen, chunk]);
        const at = seen.indexOf(needle);
        if (at >= 0) return finish('ready', seen.subarray(at + needle.length));
        if (seen.length > limit + needle.length) return finish('overflow');
      }
    };
    stream.on('readable', onReadable);
    for (const event of ['end', 'close', 'error']) stream.on(event, onEnd); // close: spawn failed
  });
}

/**
 * Wraps a started peer as a {@link Connection}: `input` (default: the child's stdout), `output`
 * = the child's stdin. `close()` ends stdin, drains unread input, waits up to `closeTimeoutMs`
 * for the exit, then kills.
 */
export function peerConnection(
  peer: PeerProcess,
  closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS,
  input: Readable = peer.child.stdout,
): Connection {
  let closing: Promise<void> | undefined;
  const output = peer.child.stdin;
  const close = async () => {
    if (!output.writableEnded && !output.destroyed) output.end();
    input.resume();
    const timedOut = await Promise.race([
      peer.exited.then(() => false),
      delay(closeTimeoutMs).then(() => true),
    ]);
    if (timedOut) peer.kill();
    await peer.exited;
  };
  return {
    input,
    output,
    exited: peer.exited,
    close: () => (closing ??= close()),
  };
}
