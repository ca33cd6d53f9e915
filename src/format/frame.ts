/**
 * Framing: every message travels as an 8-byte header (u32 BE payload length, u8 type, u8 flags,
 * u16 BE reserved = 0) followed by its payload. See docs/protocol.md, "Framing".
 */
import { Buffer } from 'node:buffer';
import { BigsyncError } from '../errors.js';
import { encodeFailure } from './byte-writer.js';
import { FRAME_FLAGS_KNOWN, FRAME_HEADER_SIZE, MAX_FRAME_PAYLOAD } from './wire-constants.js';

/** One frame as read from a stream. */
export interface Frame {
  /** The message type byte (see MessageType); may be one this code does not know. */
  readonly type: number;
  /** The flags byte; only known bits (FRAME_FLAGS_KNOWN) can be set in a frame the reader returns. */
  readonly flags: number;
  /** The payload. It may be a view of a chunk given to FrameReader.push. */
  readonly payload: Buffer;
  /** Stream offset of the frame's first header byte. */
  readonly offset: number;
}

/** A parsed, validated frame header. */
export interface FrameHeader {
  readonly length: number;
  readonly type: number;
  readonly flags: number;
}

/**
 * The 8-byte header for a payload of `length` bytes. Use it with the payload in a vectored write
 * to avoid copying large DATA payloads.
 * @throws BigsyncError INTERNAL if type is not a u8, flags has unknown bits, or length exceeds
 *   MAX_FRAME_PAYLOAD.
 */
export function encodeFrameHeader(type: number, length: number, flags = 0): Buffer {
  if (!Number.isInteger(type) || type < 0 || type > 0xff)
    encodeFailure('frame', 'type', `${type} is not a u8`);
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~FRAME_FLAGS_KNOWN) !== 0) {
    encodeFailure('frame', 'flags', `0x${flags.toString(16)} has unknown bits`);
  }
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_PAYLOAD) {
    encodeFailure('frame', 'length', `${length} exceeds ${MAX_FRAME_PAYLOAD}`, { length });
  }
  const header = Buffer.alloc(FRAME_HEADER_SIZE);
  header.writeUInt32BE(length, 0);
  header.writeUInt8(type, 4);
  header.writeUInt8(flags, 5);
  return header;
}

/**
 * One whole frame: header then a copy of `payload`.
 * @throws BigsyncError INTERNAL as {@link encodeFrameHeader}.
 */
export function encodeFrame(type: number, payload: Uint8Array, flags = 0): Buffer {
  return Buffer.concat([encodeFrameHeader(type, payload.length, flags), payload]);
}

/**
 * Parses and validates the header in `bytes[0..8)` of the frame at stream `offset`.
 * The length is checked against `maxPayload` here, before any payload byte is awaited.
 * @throws BigsyncError PROTOCOL_ERROR for a length above `maxPayload`, unknown flag bits, or a
 *   non-zero reserved field.
 */
export function parseFrameHeader(bytes: Buffer, offset: number, maxPayload: number): FrameHeader {
  const length = bytes.readUInt32BE(0);
  const type = bytes.readUInt8(4);
  const flags = bytes.readUInt8(5);
  const reserved = bytes.readUInt16BE(6);
  if (length > maxPayload) {
    throw new BigsyncError(
      'PROTOCOL_ERROR',
      `frame too large: payload length ${length} exceeds the limit ${maxPayload} (frame type ${type} at offset ${offset})${textHint(bytes, offset)}`,
      { length, limit: maxPayload, type, offset },
    );
  }
  if ((flags & ~FRAME_FLAGS_KNOWN) !== 0) {
    throw new BigsyncError(
      'PROTOCOL_ERROR',
      `unknown frame flags 0x${flags.toString(16)} (known: 0x${FRAME_FLAGS_KNOWN.toString(16)}) in frame type ${type} at offset ${offset}`,
      { flags, known: FRAME_FLAGS_KNOWN, type, offset },
    );
  }
  if (reserved !== 0) {
    throw new BigsyncError(
      'PROTOCOL_ERROR',
      `frame reserved field is ${reserved}, must be 0 (frame type ${type} at offset ${offset})`,
      { reserved, type, offset },
    );
  }
  return { length, type, flags };
}

/**
 * A hint for the most common cause of garbage at offset 0: a login script printing text to
 * stdout before the server starts. Empty unless the first header is printable ASCII.
 */
function textHint(header: Buffer, offset: number): string {
  if (offset !== 0 || !header.every((b) => b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) return '';
  return `; the peer's output starts with text ${JSON.stringify(header.toString('latin1'))}: does a login script print to stdout?`;
}
