/**
 * Bounded JSON fields (RESULT stats, ERROR details): strict UTF-8, at most MAX_JSON_BYTES, a plain
 * object at the top, at most MAX_JSON_DEPTH levels deep, finite numbers only. The depth bound
 * keeps a hostile peer from handing us a value that later overflows the stack in JSON.stringify.
 */
import type { Buffer } from 'node:buffer';
import type { ByteReader } from './byte-reader.js';
import { encodeFailure, utf8Field } from './byte-writer.js';
import { MAX_JSON_BYTES, MAX_JSON_DEPTH } from './wire-constants.js';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Why `value` is not a JSON object within the depth limit, or undefined if it is one. */
export function jsonObjectProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  if (!isPlainObject(value)) return 'is not a JSON object';
  return valueProblem(value, 1, maxDepth);
}

/** Why `details` is not a flat object of strings, finite numbers, booleans and nulls. */
export function flatDetailsProblem(details: unknown): string | undefined {
  if (!isPlainObject(details)) return 'is not a JSON object';
  for (const [key, v] of Object.entries(details)) {
    const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v);
    if (!ok) return `has a non-scalar value at key ${JSON.stringify(key)}`;
  }
  return undefined;
}

/**
 * UTF-8 JSON text of `value` for a field of `what`.
 * @throws BigsyncError INTERNAL if `value` breaks `problemOf` or its text exceeds MAX_JSON_BYTES.
 */
export function encodeJsonField(
  what: string,
  field: string,
  value: unknown,
  problemOf: (v: unknown) => string | undefined,
): Buffer {
  const problem = problemOf(value);
  if (problem !== undefined) encodeFailure(what, field, problem);
  return utf8Field(what, field, JSON.stringify(value), MAX_JSON_BYTES);
}

/**
 * Reads `n` bytes of JSON from `r` and checks it with `problemOf`. The text must start with `{`
 * and end with `}` (no surrounding whitespace), so a payload has exactly one valid length.
 * @throws BigsyncError PROTOCOL_ERROR if `n` exceeds MAX_JSON_BYTES, the bytes are truncated,
 *   not UTF-8, not a JSON object, or rejected by `problemOf`.
 */
export function readJsonField(
  r: ByteReader,
  n: number,
  field: string,
  problemOf: (v: unknown) => string | undefined,
): unknown {
  const at = r.position;
  if (n > MAX_JSON_BYTES) r.failAt(at, field, `length ${n} exceeds ${MAX_JSON_BYTES}`, { length: n });
  const text = r.utf8(n, field);
  if (!text.startsWith('{') || !text.endsWith('}')) {
    r.failAt(at, field, 'must be a JSON object with no surrounding whitespace', { length: n });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    r.failAt(at, field, `is not valid JSON: ${reason}`, { length: n });
  }
  const problem = problemOf(value);
  if (problem !== undefined) r.failAt(at, field, problem, { length: n });
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function valueProblem(v: unknown, depth: number, maxDepth: number): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : 'holds a non-finite number';
  if (typeof v !== 'object') return `holds a ${typeof v}, which JSON cannot carry`;
  if (depth > maxDepth) return `nests deeper than ${maxDepth} levels`;
  const items = Array.isArray(v) ? (v as unknown[]) : isPlainObject(v) ? Object.values(v) : undefined;
  if (items === undefined) return 'holds an object that is not plain JSON';
  for (const item of items) {
    const problem = valueProblem(item, depth + 1, maxDepth);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
