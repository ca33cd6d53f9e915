/**
 * The narrow interface between the protocol session and whatever carries its bytes: a
 * {@link Transport} opens a {@link Connection} to a `bigsync --server` peer (over ssh, or a local
 * child process). Transports move bytes only: they do not frame, count or interpret them (the
 * session layer does), and paths never appear on a command line (they travel in-band).
 */
import type { Readable, Writable } from 'node:stream';

/** How the peer process ended. */
export interface PeerExit {
  /** Exit status, or null when the process was killed by a signal or never started. */
  code: number | null;
  /** The signal that killed it (`'SIGKILL'`), or null. */
  signal: string | null;
  /** The last 8 KiB of what it wrote on stderr (for ssh: ssh's own messages and the remote's). */
  stderr: string;
}

/**
 * An open byte stream to a peer, returned by {@link Transport.open}.
 *
 * Contract (the session layer is the only caller):
 * 1. Read the peer's bytes from {@link input} (any Readable style: `pipe`, `for await`, `data`);
 *    write bytes for the peer to {@link output}, honouring backpressure.
 * 2. When done, call {@link close} once and await it. It is idempotent, and safe after the peer
 *    has already gone.
 * 3. {@link exited} may be awaited at any time; it never rejects.
 *
 * Failure after open: when the peer dies or the link drops, `input` ends (an `'end'`, possibly
 * before a frame is complete), writes to `output` fail with EPIPE and `exited` resolves. The
 * transport never throws or raises `CONNECTION_LOST` itself: the session layer turns an early
 * end into `CONNECTION_LOST`, and may use `exited.stderr` for the message. An `'error'` on
 * `output` is always observed by the transport, so an unheeded EPIPE never crashes the process.
 *
 * Cancellation: aborting the AbortSignal given to {@link Transport.open} kills the peer process
 * (SIGTERM, then SIGKILL if it lingers), at any time during the connection's life; `input` then
 * ends and `exited` resolves (with `signal` set, or with the status a process picks on SIGTERM:
 * ssh exits 255).
 */
export interface Connection {
  /** Bytes from the peer (the child's stdout). Ends when the peer closes it or dies. */
  readonly input: Readable;
  /** Bytes to the peer (the child's stdin). `close()` ends it; the caller may end it earlier. */
  readonly output: Writable;
  /**
   * Ends `output`, waits for the peer to exit (a few seconds at most), then kills it
   * (SIGTERM, then SIGKILL). Resolves once the process has exited; never rejects.
   */
  close(): Promise<void>;
  /** Resolves once the peer process has exited, with its status and stderr tail. Never rejects. */
  readonly exited: Promise<PeerExit>;
}

/**
 * Opens connections to one peer. Made by a factory (`sshTransport`, `localServerTransport`)
 * that validates its options up front (BAD_LOCATION before any process is spawned).
 *
 * `open` may be called more than once (each call starts a new peer process); each resulting
 * connection must be closed by the caller.
 */
export interface Transport {
  /**
   * Starts the peer and resolves once it is ready to speak the protocol.
   *
   * @param signal aborting it kills the peer: during `open` the promise rejects with
   *   `INTERRUPTED`; afterwards see {@link Connection} (cancellation).
   * @throws BigsyncError: `SSH_FAILED` (ssh could not be started, connect or authenticate),
   *   `REMOTE_NODE_MISSING` (no Node.js >= 20 on the remote host), `REMOTE_FAILED` (the remote
   *   side failed to start bigsync, with its message), `INTERRUPTED` (aborted), `IO_ERROR`
   *   (a local file the transport needs, such as the bundle, cannot be read).
   */
  open(signal?: AbortSignal): Promise<Connection>;
}
