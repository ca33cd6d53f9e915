/**
 * RESULT (receiver to sender: the outcome and its stats) and ERROR (either way: why this side
 * stops). Both carry bounded JSON (see json-field.ts).
 */
import { Buffer } from 'node:buffer';
import type { ErrorDetails } from '../errors.js';
import { ByteReader, type DecodeOptions } from './byte-reader.js';
import { ByteWriter, clipUtf8, encodeFailure, utf8Field } from './byte-writer.js';
import {
  encodeJsonField,
  flatDetailsProblem,
  jsonObjectProblem,
  readJsonField,
  type JsonObject,
} from './json-field.js';
import {
  MAX_ERROR_CODE_BYTES,
  MAX_JSON_BYTES,
  MAX_TEXT_BYTES,
  RESULT_FAILED,
  RESULT_OK,
  type ResultStatus,
} from './wire-constants.js';

/** RESULT: RESULT_OK or RESULT_FAILED and the receiver's stats. */
export interface ResultMessage {
  readonly status: ResultStatus;
  /** A JSON object, <= 64 KiB as text, <= 16 levels deep, finite numbers only. */
  readonly stats: JsonObject;
}

/** ERROR: a stable code, a message for people, and flat details (as BigsyncError carries). */
export interface ErrorMessage {
  /** 1..64 characters of A-Z and `_`; may be a code this version does not know. */
  readonly code: string;
  /** UTF-8, <= MAX_TEXT_BYTES bytes. */
  readonly message: string;
  /** A flat JSON object of strings, finite numbers, booleans and nulls, <= 64 KiB as text. */
  readonly details: ErrorDetails;
}

const STATUS_RULE = { oneOf: [RESULT_OK, RESULT_FAILED] };
const CODE_PATTERN = /^[A-Z_]+$/;

/** Encodes a RESULT payload. @throws BigsyncError INTERNAL for a bad status or stats. */
export function encodeResult(result: ResultMessage): Buffer {
  const json = encodeJsonField('RESULT', 'stats', result.stats, (v) => jsonObjectProblem(v));
  return new ByteWriter('RESULT', 1 + json.length)
    .u8(result.status, 'status', STATUS_RULE)
    .bytes(json)
    .finish();
}

/**
 * Decodes a RESULT payload: the status byte, then JSON to the end of the payload.
 * @throws BigsyncError PROTOCOL_ERROR for an unknown status or stats that are not a bounded JSON
 *   object.
 */
export function decodeResult(payload: Buffer, opts: DecodeOptions = {}): ResultMessage {
  const r = new ByteReader(payload, 'RESULT', opts.offset);
  const status = r.u8('status', STATUS_RULE) as ResultStatus;
  const stats = readJsonField(r, r.remaining, 'stats', (v) => jsonObjectProblem(v)) as JsonObject;
  r.expectEnd();
  return { status, stats };
}

/** Encodes an ERROR payload. @throws BigsyncError INTERNAL for a bad code, message or details. */
export function encodeError(err: ErrorMessage): Buffer {
  if (!CODE_PATTERN.test(err.code) || err.code.length > MAX_ERROR_CODE_BYTES) {
    encodeFailure('ERROR', 'code', `${JSON.stringify(err.code)} is not 1..64 characters of A-Z and _`);
  }
  const message = utf8Field('ERROR', 'message', err.message, MAX_TEXT_BYTES);
  const details = encodeJsonField('ERROR', 'details', err.details, flatDetailsProblem);
  return new ByteWriter('ERROR', 8 + err.code.length + message.length + details.length)
    .u16(err.code.length, 'code length')
    .bytes(Buffer.from(err.code, 'latin1'))
    .u16(message.length, 'message length')
    .bytes(message)
    .u32(details.length, 'details length')
    .bytes(details)
    .finish();
}

/**
 * Decodes an ERROR payload.
 * @throws BigsyncError PROTOCOL_ERROR for a code that is empty, longer than 64 or not A-Z/_, a
 *   message over MAX_TEXT_BYTES or not UTF-8, details that are not a flat bounded JSON object,
 *   truncation or trailing bytes.
 */
export function decodeError(payload: Buffer, opts: DecodeOptions = {}): ErrorMessage {
  const r = new ByteReader(payload, 'ERROR', opts.offset);
  const codeLength = r.u16('code length', { min: 1, max: MAX_ERROR_CODE_BYTES });
  const codeAt = r.position;
  const code = r.bytes(codeLength, 'code').toString('latin1');
  if (!CODE_PATTERN.test(code))
    r.failAt(codeAt, 'code', `${JSON.stringify(code)} has characters other than A-Z and _`);
  const messageLength = r.u16('message length', { max: MAX_TEXT_BYTES });
  const message = r.utf8(messageLength, 'message');
  const detailsLength = r.u32('details length');
  const details = readJsonField(r, detailsLength, 'details', flatDetailsProblem) as ErrorDetails;
  r.expectEnd();
  return { code, message, details };
}

/**
 * An ERROR body that always encodes, built from error data (a BigsyncError or its ErrorData): a code that
 * does not fit the pattern becomes INTERNAL, the message is clipped to MAX_TEXT_BYTES at a
 * character boundary, details keep only string/finite-number/boolean/null values, and are dropped
 * if their JSON would exceed MAX_JSON_BYTES. Use it before sending ERROR.
 */
export function errorMessageFrom(data: {
  readonly code: string;
  readonly message: string;
  readonly details?: ErrorDetails;
}): ErrorMessage {
  const code =
    CODE_PATTERN.test(data.code) && data.code.length <= MAX_ERROR_CODE_BYTES ? data.code : 'INTERNAL';
  const details: ErrorDetails = {};
  for (const [key, v] of Object.entries(data.details ?? {})) {
    if (v === null || typeof v === 'boolean') details[key] = v;
    else if (typeof v === 'number' && Number.isFinite(v))
      details[key] = v + 0; // JSON has no -0
    else if (typeof v === 'string') details[key] = clipUtf8(v, MAX_TEXT_BYTES);
  }
  const fits = Buffer.byteLength(JSON.stringify(details)) <= MAX_JSON_BYTES;
  return { code, message: clipUtf8(data.message, MAX_TEXT_BYTES), details: fits ? details : {} };
}
