/**
 * DATA (sender to receiver: bytes for a range of the target) and DONE (sender to receiver: the
 * whole-file digest). Decoding DATA does not decompress (that is another layer's job) but enforces
 * every size bound, so the decompressor is handed a bounded job. Buffers are payload views.
 */
import { Buffer } from 'node:buffer';
import { ByteReader, type DecodeOptions } from './byte-reader.js';
import { ByteWriter, encodeFailure } from './byte-writer.js';
import { countRule } from './field-rules.js';
import {
  ENCODING_RAW,
  ENCODING_ZERO,
  ENCODING_ZSTD,
  HASH_GMAC_AES128,
  HASH_LENGTHS,
  HASH_SHA256,
  MAX_DATA_LENGTH,
  ZSTD_SLACK,
  type DataEncoding,
  type HashAlgorithm,
} from './wire-constants.js';

/** DATA: `length` bytes of the target starting at `offset`, encoded as `encoding`. */
export interface DataMessage {
  /** Target offset of the first byte; offset + length <= 2^53-1. */
  readonly offset: number;
  /** Decoded length, 1..MAX_DATA_LENGTH (16 MiB). */
  readonly length: number;
  /** ENCODING_RAW, ENCODING_ZSTD or ENCODING_ZERO. */
  readonly encoding: DataEncoding;
  /** raw: exactly `length` bytes; zstd: 1..length+1024 compressed bytes; zero: empty. */
  readonly payload: Buffer;
}

/** DONE: the sender's digest over its per-block hashes, for the receiver to verify. */
export interface Done {
  /** The digest algorithm (0.2 sessions send HASH_SHA256). */
  readonly algorithm: HashAlgorithm;
  /** HASH_LENGTHS[algorithm] bytes. */
  readonly digest: Buffer;
}

/** Size of DATA's fixed fields (offset, length, encoding). */
export const DATA_HEADER_SIZE = 13;

const ENCODING_RULE = { oneOf: [ENCODING_RAW, ENCODING_ZSTD, ENCODING_ZERO] };
const LENGTH_RULE = countRule(MAX_DATA_LENGTH);
const ALGORITHM_RULE = { oneOf: [HASH_GMAC_AES128, HASH_SHA256] };

/** The payload sizes `encoding` allows for a decoded `length`, both ends inclusive. */
export function dataPayloadBounds(encoding: DataEncoding, length: number): { min: number; max: number } {
  if (encoding === ENCODING_RAW) return { min: length, max: length };
  if (encoding === ENCODING_ZSTD) return { min: 1, max: length + ZSTD_SLACK };
  return { min: 0, max: 0 };
}

/**
 * DATA's 13 fixed bytes, checked against `msg.payload.length`; send them after the frame header
 * and before the payload to avoid copying it (frame length: DATA_HEADER_SIZE + payload length).
 * @throws BigsyncError INTERNAL for out-of-range fields or a payload size the encoding forbids.
 */
export function encodeDataHeader(msg: DataMessage): Buffer {
  const w = new ByteWriter('DATA', DATA_HEADER_SIZE)
    .u64(msg.offset, 'offset', { max: Number.MAX_SAFE_INTEGER - msg.length })
    .u32(msg.length, 'length', LENGTH_RULE)
    .u8(msg.encoding, 'encoding', ENCODING_RULE);
  const { min, max } = dataPayloadBounds(msg.encoding, msg.length);
  const n = msg.payload.length;
  if (n < min || n > max)
    encodeFailure('DATA', 'payload', `is ${n} bytes; encoding ${msg.encoding} needs ${min}..${max}`);
  return w.finish();
}

/** Encodes a whole DATA payload (copies the data; see {@link encodeDataHeader} to avoid that). */
export function encodeData(msg: DataMessage): Buffer {
  return Buffer.concat([encodeDataHeader(msg), msg.payload]);
}

/**
 * DATA as a whole frame in one buffer: `frameHeader(payloadLength)` (the frame layer's 8 bytes),
 * DATA's fixed fields, then one copy of the data. A sender moving gigabytes this way allocates
 * and copies once per message instead of three times.
 * @throws BigsyncError INTERNAL as {@link encodeDataHeader}.
 */
export function encodeDataFrame(msg: DataMessage, frameHeader: (payloadLength: number) => Buffer): Buffer {
  const fields = encodeDataHeader(msg);
  const head = frameHeader(DATA_HEADER_SIZE + msg.payload.length);
  const frame = Buffer.allocUnsafe(head.length + DATA_HEADER_SIZE + msg.payload.length);
  head.copy(frame, 0);
  fields.copy(frame, head.length);
  msg.payload.copy(frame, head.length + DATA_HEADER_SIZE);
  return frame;
}

/**
 * Decodes a DATA payload (without decompressing).
 * @throws BigsyncError PROTOCOL_ERROR for a length outside 1..16 MiB, offset + length above
 *   2^53-1, an unknown encoding, a payload size the encoding forbids, or truncation.
 */
export function decodeData(payload: Buffer, opts: DecodeOptions = {}): DataMessage {
  const r = new ByteReader(payload, 'DATA', opts.offset);
  const offset = r.u64('offset');
  const length = r.u32('length', LENGTH_RULE);
  if (offset > Number.MAX_SAFE_INTEGER - length)
    r.failAt(0, 'offset', `${offset} + length ${length} exceeds 2^53-1`);
  const encoding = r.u8('encoding', ENCODING_RULE) as DataEncoding;
  const { min, max } = dataPayloadBounds(encoding, length);
  const n = r.remaining;
  if (n < min || n > max) {
    r.failAt(
      r.position,
      'payload',
      `is ${n} bytes; encoding ${encoding} with length ${length} needs ${min}..${max}`,
      {
        expected: max,
        available: n,
      },
    );
  }
  return { offset, length, encoding, payload: r.bytes(n, 'payload') };
}

/** Encodes a DONE payload. @throws BigsyncError INTERNAL for an unknown algorithm or wrong digest size. */
export function encodeDone(done: Done): Buffer {
  const w = new ByteWriter('DONE', 33).u8(done.algorithm, 'algorithm', ALGORITHM_RULE);
  const expected = HASH_LENGTHS[done.algorithm];
  if (done.digest.length !== expected)
    encodeFailure('DONE', 'digest', `is ${done.digest.length} bytes, not ${expected}`);
  return w.bytes(done.digest).finish();
}

/**
 * Decodes a DONE payload.
 * @throws BigsyncError PROTOCOL_ERROR for an unknown algorithm, a digest of the wrong size
 *   (truncated or trailing bytes).
 */
export function decodeDone(payload: Buffer, opts: DecodeOptions = {}): Done {
  const r = new ByteReader(payload, 'DONE', opts.offset);
  const algorithm = r.u8('algorithm', ALGORITHM_RULE) as HashAlgorithm;
  const digest = r.bytes(HASH_LENGTHS[algorithm], 'digest');
  r.expectEnd();
  return { algorithm, digest };
}
