/**
 * An incremental frame reader: bytes in (in chunks of any size), validated frames out. Pure: no
 * streams, no timers; the protocol layer feeds it from its Duplex.
 */
import { Buffer } from 'node:buffer';
import { BigsyncError } from '../errors.js';
import { parseFrameHeader, type Frame, type FrameHeader } from './frame.js';
import { FRAME_HEADER_SIZE, MAX_FRAME_PAYLOAD } from './wire-constants.js';

const SPENT = Buffer.alloc(0);

/** Options of {@link FrameReader}. */
export interface FrameReaderOptions {
  /**
   * Largest payload accepted, in bytes; at most (and by default) MAX_FRAME_PAYLOAD. A session may
   * lower it, e.g. during the handshake.
   */
  readonly maxPayload?: number;
}

/**
 * Splits a byte stream into frames.
 *
 * Contract: call {@link FrameReader.push} with each chunk as it arrives, then
 * {@link FrameReader.next} until it returns null; at end of stream call {@link FrameReader.end}.
 * Every header is validated as soon as its 8 bytes are in, inside `push`: a length above
 * `maxPayload`, unknown flag bits or a non-zero reserved field throw PROTOCOL_ERROR at once,
 * before any payload byte is awaited. The reader keeps at most one incomplete frame
 * (header + maxPayload bytes); complete frames wait in a queue for `next`. Chunks are not copied
 * unless a frame spans several: do not modify a chunk after pushing it.
 *
 * After a failure the reader is dead: `push` and `end` throw the same error again, and `next`
 * returns the frames completed before the bad header, then throws it.
 */
export class FrameReader {
  private readonly maxPayload: number;
  private readonly chunks: Buffer[] = [];
  private head = 0; // index of the first chunk still holding unread bytes
  private headPos = 0; // read position inside chunks[head]
  private buffered = 0; // unread bytes across chunks
  private header: FrameHeader | null = null;
  private frameOffset = 0; // stream offset of the frame being assembled
  private readonly ready: Frame[] = [];
  private readyHead = 0; // index of the next frame to return
  private failure: BigsyncError | null = null;

  /** @throws BigsyncError INTERNAL if maxPayload is not an integer in 0..MAX_FRAME_PAYLOAD. */
  constructor(options: FrameReaderOptions = {}) {
    const max = options.maxPayload ?? MAX_FRAME_PAYLOAD;
    if (!Number.isInteger(max) || max < 0 || max > MAX_FRAME_PAYLOAD) {
      throw new BigsyncError('INTERNAL', `FrameReader maxPayload ${max} is outside 0..${MAX_FRAME_PAYLOAD}`, {
        maxPayload: max,
      });
    }
    this.maxPayload = max;
  }

  /**
   * Adds the next bytes of the stream and cuts every frame they complete.
   * @throws BigsyncError PROTOCOL_ERROR for an invalid header (see the class contract).
   */
  push(chunk: Buffer): void {
    if (this.failure !== null) throw this.failure;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      this.cut();
    } catch (err) {
      this.failure = err instanceof BigsyncError ? err : new BigsyncError('INTERNAL', String(err));
      this.release();
      throw this.failure;
    }
  }

  /**
   * The next complete frame, or null if more bytes are needed.
   * @throws BigsyncError PROTOCOL_ERROR once the good frames are drained, if the stream failed.
   */
  next(): Frame | null {
    const frame = this.ready[this.readyHead];
    if (frame !== undefined) {
      this.readyHead += 1;
      if (this.readyHead === this.ready.length) {
        this.ready.length = 0;
        this.readyHead = 0;
      }
      return frame;
    }
    if (this.failure !== null) throw this.failure;
    return null;
  }

  /**
   * Declares the end of the stream.
   * @throws BigsyncError PROTOCOL_ERROR 'truncated frame' if a partial frame remains.
   */
  end(): void {
    if (this.failure !== null) throw this.failure;
    if (this.header === null && this.buffered === 0) return;
    const expected = this.header === null ? FRAME_HEADER_SIZE : FRAME_HEADER_SIZE + this.header.length;
    const available = this.header === null ? this.buffered : FRAME_HEADER_SIZE + this.buffered;
    this.failure = new BigsyncError(
      'PROTOCOL_ERROR',
      `truncated frame at offset ${this.frameOffset}: expected ${expected} bytes, the stream ended after ${available}`,
      { expected, available, offset: this.frameOffset },
    );
    this.release();
    throw this.failure;
  }

  /** Cuts complete frames off the front of the buffered bytes into the ready queue. */
  private cut(): void {
    for (;;) {
      if (this.header === null) {
        if (this.buffered < FRAME_HEADER_SIZE) return;
        this.header = parseFrameHeader(this.take(FRAME_HEADER_SIZE), this.frameOffset, this.maxPayload);
      }
      const { length, type, flags } = this.header;
      if (this.buffered < length) return;
      this.ready.push({ type, flags, payload: this.take(length), offset: this.frameOffset });
      this.frameOffset += FRAME_HEADER_SIZE + length;
      this.header = null;
    }
  }

  /** Removes `n <= buffered` bytes from the front: a view if they lie in one chunk, else a copy. */
  private take(n: number): Buffer {
    const first = this.chunks[this.head];
    if (first !== undefined && first.length - this.headPos >= n) {
      const view = first.subarray(this.headPos, this.headPos + n);
      this.advance(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head];
      if (chunk === undefined) throw new BigsyncError('INTERNAL', 'FrameReader buffer accounting is broken');
      const step = Math.min(n - filled, chunk.length - this.headPos);
      chunk.copy(out, filled, this.headPos, this.headPos + step);
      filled += step;
      this.advance(step);
    }
    return out;
  }

  /** Consumes `n` bytes of the head chunk (n <= what it holds), dropping spent chunks. */
  private advance(n: number): void {
    this.headPos += n;
    this.buffered -= n;
    const chunk = this.chunks[this.head];
    if (chunk !== undefined && this.headPos === chunk.length) {
      this.chunks[this.head] = SPENT; // let the chunk's memory go now
      this.head += 1;
      this.headPos = 0;
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Drops buffered bytes after a failure. */
  private release(): void {
    this.chunks.length = 0;
    this.head = 0;
    this.headPos = 0;
    this.buffered = 0;
    this.header = null;
  }
}
