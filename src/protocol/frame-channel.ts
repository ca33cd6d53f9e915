/**
 * Messages over a byte stream pair: frames out through a Writable (waiting for 'drain' when it
 * pushes back), frames in from a Readable through the bounded {@link FrameReader}, decoded into
 * messages. Counts the bytes both ways (the `wireBytes*` of the summary).
 *
 * Contract: one reader calls {@link FrameChannel.next} at a time; any number of writers call
 * {@link FrameChannel.send} (their frames go out in call order). `next` rejects with
 * CONNECTION_LOST when the stream ends or fails, PROTOCOL_ERROR for a malformed frame, and with the
 * peer's error (its code when we know it, else REMOTE_FAILED) when the peer sends ERROR. Inbound
 * frames are buffered up to {@link HIGH_WATER} before the input is paused, so a fast peer cannot
 * make us buffer without bound. While a send waits for 'drain', the input is read on regardless
 * (up to {@link BLOCKED_MAX_BYTES}): two peers each blocked on writing while neither reads would
 * wait on each other, and through ssh that stalled a push for seconds (ssh stops taking our
 * output once the channel it feeds us through is full).
 */
import type { Readable, Writable } from 'node:stream';
import { BigsyncError, isErrorCode, type ErrorDetails } from '../errors.js';
import type { Frame } from '../format/frame.js';
import { FrameReader } from '../format/frame-reader.js';
import { decodeMessage, encodeMessage, type Message } from '../format/messages.js';
import { errorMessageFrom } from '../format/messages-status.js';
import type { MessageDecodeOptions } from '../format/messages.js';

/** Frames queued before the input is paused. */
const HIGH_WATER = 64;
/** Bytes of frames queued before the input is paused while a send waits for 'drain'. */
const BLOCKED_MAX_BYTES = 64 * 1024 * 1024;

/** A message channel over a stream pair. */
export class FrameChannel {
  bytesSent = 0;
  bytesReceived = 0;
  private readonly reader: FrameReader;
  private readonly frames: Frame[] = [];
  private waiter: { resolve: () => void } | null = null;
  private failure: BigsyncError | null = null;
  private ended = false;
  /** Bytes of the frames queued (payloads). */
  private queuedBytes = 0;
  /** Sends waiting for 'drain'. */
  private blocked = 0;
  /**
   * Told of every message in and out, and of each wait for 'drain' (`in TYPE q=QUEUED`,
   * `out TYPE BYTES`, `blocked`, `drained`): BIGSYNC_TRACE=2 (docs/cli.md).
   */
  private readonly watch: ((event: string) => void) | null;
  /** The message next() returned last, with its frame (for recycle). */
  private last: { msg: Message; frame: Frame } | null = null;
  private readonly peer: string;
  /** Session knowledge for decoders (hash length, block size), set once agreed. */
  decodeOptions: MessageDecodeOptions = {};

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    opts: { maxPayload?: number; peer?: string; watch?: (event: string) => void } = {},
  ) {
    this.reader = new FrameReader(opts.maxPayload === undefined ? {} : { maxPayload: opts.maxPayload });
    this.watch = opts.watch ?? null;
    const peer = opts.peer ?? 'peer';
    this.peer = peer;
    input.on('data', (chunk: Buffer) => this.onData(chunk));
    input.on('end', () => this.onEnd(`the ${peer} closed the connection`));
    input.on('close', () => this.onEnd(`the ${peer} closed the connection`));
    input.on('error', (err) => this.onEnd(`connection to the ${peer} failed: ${err.message}`));
    output.on('error', (err) => this.onEnd(`connection to the ${peer} failed: ${err.message}`));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.resolve();
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    try {
      this.reader.push(chunk);
      for (let f = this.reader.next(); f !== null; f = this.reader.next()) {
        this.frames.push(f);
        this.queuedBytes += f.payload.length;
      }
    } catch (err) {
      this.failure ??= err instanceof BigsyncError ? err : new BigsyncError('PROTOCOL_ERROR', String(err));
      this.input.pause();
    }
    if (this.full()) this.input.pause();
    this.wake();
  }

  private onEnd(why: string): void {
    if (!this.ended) {
      this.ended = true;
      try {
        this.reader.end();
      } catch {
        // a truncated frame at the end is part of the connection being lost
      }
      this.failure ??= new BigsyncError('CONNECTION_LOST', why);
    }
    this.wake();
  }

  /** The next message; see the class contract for the errors. */
  async next(): Promise<Message> {
    for (;;) {
      const frame = this.frames.shift();
      if (frame !== undefined) {
        this.queuedBytes -= frame.payload.length;
        if (this.frames.length < HIGH_WATER / 2 && this.failure === null) this.input.resume();
        const msg = decodeMessage(frame, this.decodeOptions);
        if (msg === null) continue;
        if (msg.type === 'ERROR') throw remoteError(msg.body.code, msg.body.message, msg.body.details);
        this.last = { msg, frame };
        this.watch?.(`in ${msg.type} q=${this.frames.length}`);
        return msg;
      }
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((resolve) => (this.waiter = { resolve }));
    }
  }

  /**
   * Hands back the bytes of `msg`, the message {@link next} returned last, once the caller no
   * longer refers to any of them (a DATA payload written to the file): the reader reuses them for
   * a later frame (see FrameReader.recycle). Any other message is ignored.
   */
  recycle(msg: Message): void {
    if (this.last?.msg === msg) this.reader.recycle(this.last.frame.payload);
    this.last = null;
  }

  /** Sends a message; resolves at once, or after 'drain' when the output pushes back. */
  async send(msg: Message): Promise<void> {
    const lost = (): BigsyncError =>
      new BigsyncError('CONNECTION_LOST', `the ${this.peer} closed the connection (while we were sending)`);
    // a destroyed output (the peer went, or Ctrl-C cut the streams) has already sent its 'close':
    // waiting for 'drain' or 'close' would wait forever
    if (this.output.destroyed) throw lost();
    const frame = encodeMessage(msg);
    this.bytesSent += frame.length;
    this.watch?.(`out ${msg.type} ${frame.length}`);
    if (this.output.write(frame)) return;
    if (this.output.destroyed) throw lost();
    this.watch?.('blocked');
    // read on while we wait: the peer may be waiting for us to read before it reads our output
    this.blocked++;
    if (!this.full() && this.failure === null) this.input.resume();
    try {
      await this.drained(lost);
    } finally {
      this.blocked--;
      if (this.full()) this.input.pause();
    }
  }

  /** Whether the input should stay paused: too many frames queued for the state we are in. */
  private full(): boolean {
    return this.blocked > 0 ? this.queuedBytes >= BLOCKED_MAX_BYTES : this.frames.length >= HIGH_WATER;
  }

  /** Resolves on the output's 'drain'; rejects with `lost()` when it closes first. */
  private async drained(lost: () => BigsyncError): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        this.watch?.('drained');
        this.output.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        this.output.off('drain', onDrain);
        reject(lost());
      };
      this.output.once('drain', onDrain);
      this.output.once('close', onClose);
    });
  }

  /**
   * After a local failure to talk to the peer (a send that hit a closed pipe): waits up to
   * `waitMs` for the input to end and returns the ERROR the peer sent before going, if any. That
   * ERROR, not the broken pipe, is what went wrong (e.g. its disk filled up).
   */
  async peerError(waitMs = 2000): Promise<BigsyncError | null> {
    const deadline = Date.now() + waitMs;
    while (!this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiter = {
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    }
    for (const f of this.frames) {
      try {
        const msg = decodeMessage(f, this.decodeOptions);
        if (msg?.type === 'ERROR') return remoteError(msg.body.code, msg.body.message, msg.body.details);
      } catch {
        // a broken frame at the end tells us nothing more
      }
    }
    return null;
  }

  /** Sends ERROR for `err`, best effort (the connection may already be gone). */
  async sendError(err: BigsyncError): Promise<void> {
    try {
      await this.send({ type: 'ERROR', body: errorMessageFrom(err) });
    } catch {
      // nothing more to tell a peer that is gone
    }
  }

  /** Ends our side of the stream. */
  end(): void {
    this.output.end();
  }
}

/** The peer's ERROR as a local error: its code when we know it, else REMOTE_FAILED. */
export function remoteError(code: string, message: string, details: ErrorDetails): BigsyncError {
  const known = isErrorCode(code) && code !== 'INTERNAL';
  return new BigsyncError(known ? code : 'REMOTE_FAILED', `remote: ${message}`, {
    ...details,
    remoteCode: code,
  });
}
