/**
 * Assertion helpers for the format tests: a decode failure must be a BigsyncError with code
 * PROTOCOL_ERROR, and its message should say what was wrong.
 */
import assert from 'node:assert/strict';
import { BigsyncError, type ErrorCode, type ErrorDetails } from '../../../src/errors.js';

/** Asserts that `fn` throws a BigsyncError with `code` whose message matches `pattern`. */
export function assertCode(
  code: ErrorCode,
  fn: () => unknown,
  pattern?: RegExp,
  details?: ErrorDetails,
): BigsyncError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BigsyncError, `expected a BigsyncError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (pattern !== undefined) assert.match(caught.message, pattern);
  for (const [k, v] of Object.entries(details ?? {})) assert.equal(caught.details[k], v, `details.${k}`);
  return caught;
}

/** Asserts that `fn` throws PROTOCOL_ERROR (see {@link assertCode}). */
export function assertProtocolError(
  fn: () => unknown,
  pattern?: RegExp,
  details?: ErrorDetails,
): BigsyncError {
  return assertCode('PROTOCOL_ERROR', fn, pattern, details);
}

/** Hex string to Buffer; spaces and newlines are ignored so layouts can be written field by field. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
