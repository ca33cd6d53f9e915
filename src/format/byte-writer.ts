/**
 * A growing big-endian buffer for encoders. Each write checks that the value fits its field and
 * obeys the same {@link IntRule} the decoder enforces, so we never send a frame our own decoder
 * would reject. A value that does not fit is a bug in the caller: BigsyncError INTERNAL.
 */
import { Buffer } from 'node:buffer';
import { BigsyncError, type ErrorDetails } from '../errors.js';
import { ruleViolation, type IntRule } from './field-rules.js';
import { U64_MAX } from './wire-constants.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Throws the encoders' error: INTERNAL, because the caller asked to encode a value the layout or
 * its limits do not allow (check user input before encoding it).
 */
export function encodeFailure(
  what: string,
  field: string,
  problem: string,
  details: ErrorDetails = {},
): never {
  throw new BigsyncError('INTERNAL', `cannot encode ${what} ${field}: ${problem}`, {
    message: what,
    field,
    ...details,
  });
}

/**
 * UTF-8 bytes of `text`, at most `maxBytes` of them. Fails on lone surrogates (they would not
 * survive the round trip) and on text that is too long.
 */
export function utf8Field(what: string, field: string, text: string, maxBytes: number): Buffer {
  if (LONE_SURROGATE.test(text)) encodeFailure(what, field, 'contains a lone surrogate');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > maxBytes) {
    encodeFailure(what, field, `${bytes.length} bytes exceeds ${maxBytes}`, { length: bytes.length });
  }
  return bytes;
}

/**
 * `text` made encodable in at most `maxBytes` UTF-8 bytes: lone surrogates become U+FFFD and the
 * text is cut at a character boundary. For building messages from text we do not control.
 */
export function clipUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text.replace(new RegExp(LONE_SURROGATE, 'g'), '\uFFFD'), 'utf8');
  if (bytes.length <= maxBytes) return bytes.toString('utf8');
  let cut = maxBytes;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--; // back off to a character start
  return bytes.subarray(0, cut).toString('utf8');
}

/** Appends fields to a buffer that grows as needed; {@link ByteWriter.finish} returns the bytes. */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  /** @param what the message name used in errors. @param capacity a first size guess. */
  constructor(
    readonly what: string,
    capacity = 64,
  ) {
    this.buf = Buffer.alloc(capacity);
  }

  /** Writes a u8 that must obey `rule`. */
  u8(value: number, field: string, rule?: IntRule): this {
    this.check(value, 0xff, field, rule);
    this.buf.writeUInt8(value, this.room(1));
    return this;
  }

  /** Writes a big-endian u16 that must obey `rule`. */
  u16(value: number, field: string, rule?: IntRule): this {
    this.check(value, 0xffff, field, rule);
    this.buf.writeUInt16BE(value, this.room(2));
    return this;
  }

  /** Writes a big-endian u32 that must obey `rule`. */
  u32(value: number, field: string, rule?: IntRule): this {
    this.check(value, 0xffffffff, field, rule);
    this.buf.writeUInt32BE(value, this.room(4));
    return this;
  }

  /** Writes a big-endian u64 from a number (0..2^53-1) that must obey `rule`. */
  u64(value: number, field: string, rule?: IntRule): this {
    this.check(value, Number.MAX_SAFE_INTEGER, field, rule);
    this.buf.writeBigUInt64BE(BigInt(value), this.room(8));
    return this;
  }

  /** Writes a big-endian u64 from a bigint (0..2^64-1). */
  u64n(value: bigint, field: string): this {
    if (value < 0n || value > U64_MAX) encodeFailure(this.what, field, `${value} is not a u64`);
    this.buf.writeBigUInt64BE(value, this.room(8));
    return this;
  }

  /** Appends `bytes` as they are. */
  bytes(bytes: Uint8Array): this {
    this.buf.set(bytes, this.room(bytes.length));
    return this;
  }

  /** The bytes written so far (a view of the internal buffer; the writer must not be reused). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private check(value: number, max: number, field: string, rule: IntRule | undefined): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      encodeFailure(this.what, field, `${value} does not fit (0..${max})`, { value });
    }
    const problem = rule === undefined ? undefined : ruleViolation(value, rule);
    if (problem !== undefined) encodeFailure(this.what, field, `${value} ${problem}`, { value });
  }

  /** Makes room for `n` more bytes; returns where they go. */
  private room(n: number): number {
    const need = this.pos + n;
    if (need > this.buf.length) {
      const grown = Buffer.alloc(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.pos);
      this.buf = grown;
    }
    const at = this.pos;
    this.pos = need;
    return at;
  }
}
