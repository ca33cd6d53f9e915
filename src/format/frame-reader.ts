/**
 * An incremental frame reader: bytes in (in chunks of any size), validated frames out. Pure: no
 * streams, no timers; the protocol layer feeds it from its Duplex.
 */
import { Buffer } from 'node:buffer';
import { BigsyncError } from '../errors.js';
import { parseFrameHeader, type Frame, type FrameHeader } from './frame.js';
import { FRAME_HEADER_SIZE, MAX_FRAME_PAYLOAD } from './wire-constants.js';

/** Payloads this large or larger are allocated in multiples of it and may be recycled. */
const RECYCLE_MIN = 64 * 1024;
/** Spare payload buffers kept for reuse. */
const SPARES = 8;

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

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
 * before any payload byte is awaited or buffered.
 *
 * Memory: a frame that lies inside one chunk is returned as a view of that chunk (zero-copy; do
 * not modify a chunk after pushing it). A frame split across chunks is copied, once, into a
 * buffer of exactly its payload length, allocated when its first payload byte arrives; so the
 * reader holds at most one incomplete frame (8 + maxPayload bytes) however small the chunks are,
 * and every byte is copied at most once. Complete frames wait in a queue for `next`.
 *
 * A consumer done with a frame may hand its payload back ({@link FrameReader.recycle}): a payload
 * this reader assembled is then reused for a later split frame instead of fresh memory (a 128 KiB
 * DATA frame spans two 64 KiB pipe reads, so a receiver moving gigabytes would otherwise allocate,
 * fault in and collect gigabytes; page faults cost ~10 us each on a VM).
 *
 * After a failure the reader is dead: `push` and `end` throw the same error again, and `next`
 * returns the frames completed before the bad header, then throws it.
 */
export class FrameReader {
  private readonly maxPayload: number;
  private readonly headerBuf = Buffer.alloc(FRAME_HEADER_SIZE);
  private headerFill = 0; // header bytes gathered when a header spans chunks
  private header: FrameHeader | null = null; // the validated header of the frame being read
  private partial: Buffer | null = null; // its payload, when it spans chunks
  private partialFill = 0;
  private frameOffset = 0; // stream offset of the frame being read
  private ready: Frame[] = [];
  private readyHead = 0; // index of the next frame to return
  private failure: BigsyncError | null = null;
  /** Backing stores of the payloads this reader assembled (only those may come back). */
  private readonly own = new WeakSet<ArrayBufferLike>();
  /** Payload buffers handed back, ready for reuse (at most SPARES). */
  private spares: Buffer[] = [];

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
    try {
      let pos = 0;
      while (pos < chunk.length) {
        pos = this.header === null ? this.readHeader(chunk, pos) : this.readPayload(chunk, pos, this.header);
      }
    } catch (err) {
      this.failure = err instanceof BigsyncError ? err : new BigsyncError('INTERNAL', String(err));
      this.partial = null;
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
        this.ready = [];
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
    if (this.header === null && this.headerFill === 0) return;
    const expected = FRAME_HEADER_SIZE + (this.header?.length ?? 0);
    const available = this.header === null ? this.headerFill : FRAME_HEADER_SIZE + this.partialFill;
    this.failure = new BigsyncError(
      'PROTOCOL_ERROR',
      `truncated frame at offset ${this.frameOffset}: expected ${expected} bytes, the stream ended after ${available}`,
      { expected, available, offset: this.frameOffset },
    );
    this.partial = null;
    throw this.failure;
  }

  /** Reads header bytes from `chunk[pos..]`; validates the header once complete. Returns the new pos. */
  private readHeader(chunk: Buffer, pos: number): number {
    let bytes: Buffer;
    let next: number;
    if (this.headerFill === 0 && chunk.length - pos >= FRAME_HEADER_SIZE) {
      next = pos + FRAME_HEADER_SIZE;
      bytes = chunk.subarray(pos, next);
    } else {
      const n = Math.min(FRAME_HEADER_SIZE - this.headerFill, chunk.length - pos);
      chunk.copy(this.headerBuf, this.headerFill, pos, pos + n);
      this.headerFill += n;
      if (this.headerFill < FRAME_HEADER_SIZE) return pos + n;
      this.headerFill = 0;
      next = pos + n;
      bytes = this.headerBuf;
    }
    const header = parseFrameHeader(bytes, this.frameOffset, this.maxPayload);
    if (header.length === 0) this.emit(header, Buffer.alloc(0));
    else this.header = header;
    return next;
  }

  /** Reads payload bytes of the current frame from `chunk[pos..]`. Returns the new pos. */
  private readPayload(chunk: Buffer, pos: number, header: FrameHeader): number {
    const available = chunk.length - pos;
    if (this.partial === null && available >= header.length) {
      this.emit(header, chunk.subarray(pos, pos + header.length));
      return pos + header.length;
    }
    this.partial ??= this.payloadBuffer(header.length); // fully overwritten before it is returned
    const n = Math.min(header.length - this.partialFill, available);
    chunk.copy(this.partial, this.partialFill, pos, pos + n);
    this.partialFill += n;
    if (this.partialFill === header.length) {
      this.emit(header, this.partial);
      this.partial = null;
      this.partialFill = 0;
    }
    return pos + n;
  }

  /**
   * Hands back the payload of a frame this reader returned, once nothing refers to its bytes any
   * more (e.g. a DATA payload written to the file). Payloads that are views of pushed chunks, and
   * anything else, are ignored.
   */
  recycle(payload: Buffer): void {
    const store = payload.buffer;
    if (payload.byteOffset !== 0 || !this.own.has(store) || this.spares.length >= SPARES) return;
    this.own.delete(store); // back in the pool until handed out again
    this.spares.push(Buffer.from(store, 0, store.byteLength));
  }

  /** A buffer of exactly `length` bytes for a split frame: a spare when one fits, else new. */
  private payloadBuffer(length: number): Buffer {
    let buf: Buffer | undefined;
    if (length >= RECYCLE_MIN) {
      const i = this.spares.findIndex((b) => b.length >= length && b.length <= 2 * length);
      if (i >= 0) buf = this.spares.splice(i, 1)[0];
    }
    buf ??= Buffer.allocUnsafe(length >= RECYCLE_MIN ? roundUp(length, RECYCLE_MIN) : length);
    if (length >= RECYCLE_MIN) this.own.add(buf.buffer);
    return buf.length === length ? buf : buf.subarray(0, length);
  }

  /** Queues a complete frame and moves on to the next one. */
  private emit(header: FrameHeader, payload: Buffer): void {
    this.ready.push({ type: header.type, flags: header.flags, payload, offset: this.frameOffset });
    this.frameOffset += FRAME_HEADER_SIZE + header.length;
    this.header = null;
  }
}
