/**
 * A bounded, big-endian cursor over one message payload. Every read names the field it reads;
 * every failure is a BigsyncError PROTOCOL_ERROR whose message and details say which message and
 * field, what was expected, what was available, and the stream offset.
 */
import type { Buffer } from 'node:buffer';
import { BigsyncError, type ErrorDetails } from '../errors.js';
import { ruleViolation, type IntRule } from './field-rules.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Options every message decoder takes. */
export interface DecodeOptions {
  /** Stream offset of the payload's first byte, for error messages (default 0). */
  readonly offset?: number;
}

/**
 * Reads fields from `buf` front to back. Decoders create one per payload, read every field, then
 * call {@link ByteReader.expectEnd}. Buffers returned by {@link ByteReader.bytes} are views of
 * `buf`, not copies.
 */
export class ByteReader {
  private pos = 0;

  /**
   * @param buf the payload to read.
   * @param what the message name used in errors ("OPEN").
   * @param baseOffset the stream offset of `buf[0]`, so errors report stream offsets.
   */
  constructor(
    private readonly buf: Buffer,
    readonly what: string,
    private readonly baseOffset = 0,
  ) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** The payload position of the next byte to read. */
  get position(): number {
    return this.pos;
  }

  /** The stream offset of the next byte to read. */
  get offset(): number {
    return this.baseOffset + this.pos;
  }

  /** Reads a u8, checked against `rule`. */
  u8(field: string, rule?: IntRule): number {
    const at = this.take(1, field);
    return this.checked(this.buf.readUInt8(at), field, at, rule);
  }

  /** Reads a big-endian u16, checked against `rule`. */
  u16(field: string, rule?: IntRule): number {
    const at = this.take(2, field);
    return this.checked(this.buf.readUInt16BE(at), field, at, rule);
  }

  /** Reads a big-endian u32, checked against `rule`. */
  u32(field: string, rule?: IntRule): number {
    const at = this.take(4, field);
    return this.checked(this.buf.readUInt32BE(at), field, at, rule);
  }

  /** Reads a big-endian u64 as a number; fails above 2^53-1 (no JS number holds it exactly). */
  u64(field: string, rule?: IntRule): number {
    const at = this.take(8, field);
    const big = this.buf.readBigUInt64BE(at);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.failAt(at, field, `${big} exceeds 2^53-1`, { value: big.toString() });
    }
    return this.checked(Number(big), field, at, rule);
  }

  /** Reads a big-endian u64 as a bigint (full range). */
  u64n(field: string): bigint {
    const at = this.take(8, field);
    return this.buf.readBigUInt64BE(at);
  }

  /** Reads `n` bytes as a view of the payload. */
  bytes(n: number, field: string): Buffer {
    const at = this.take(n, field);
    return this.buf.subarray(at, at + n);
  }

  /** Reads `n` bytes of strict UTF-8 (malformed sequences fail). */
  utf8(n: number, field: string): string {
    const at = this.take(n, field);
    try {
      return UTF8.decode(this.buf.subarray(at, at + n));
    } catch {
      return this.failAt(at, field, 'is not valid UTF-8', { length: n });
    }
  }

  /** Fails unless every byte was read: trailing bytes are an error. */
  expectEnd(): void {
    if (this.remaining !== 0) {
      throw new BigsyncError(
        'PROTOCOL_ERROR',
        `${this.what}: ${this.remaining} trailing bytes after the last field at offset ${this.offset}`,
        { message: this.what, expected: this.pos, available: this.buf.length, offset: this.offset },
      );
    }
  }

  /** Throws PROTOCOL_ERROR about `field`, which starts at payload position `at`. */
  failAt(at: number, field: string, problem: string, details: ErrorDetails = {}): never {
    const offset = this.baseOffset + at;
    throw new BigsyncError('PROTOCOL_ERROR', `${this.what} ${field} ${problem} (offset ${offset})`, {
      message: this.what,
      field,
      offset,
      ...details,
    });
  }

  /** Advances over `n` bytes, failing if fewer remain; returns where they start. */
  private take(n: number, field: string): number {
    if (n > this.remaining) {
      throw new BigsyncError(
        'PROTOCOL_ERROR',
        `${this.what} ${field}: truncated: expected ${n} bytes, ${this.remaining} available at offset ${this.offset}`,
        { message: this.what, field, expected: n, available: this.remaining, offset: this.offset },
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private checked(value: number, field: string, at: number, rule: IntRule | undefined): number {
    const problem = rule === undefined ? undefined : ruleViolation(value, rule);
    if (problem !== undefined) this.failAt(at, field, `${value} ${problem}`, { value });
    return value;
  }
}
