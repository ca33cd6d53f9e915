/**
 * The one error vocabulary of bigsync.
 *
 * Every failure that library code reports is a {@link BigsyncError} with a stable `code` from
 * {@link ErrorCode}. Codes are matched by callers (the CLI maps them to exit codes in
 * `cli/exit-codes.ts`); messages are for people and may change. Errors cross worker threads and
 * the wire as {@link ErrorData} (`{code, message, details}`) and are rebuilt with
 * {@link errorFromData}. docs/errors.md lists every code; a test fails when one is missing there.
 */

/** Every stable error code. Add a code here, in docs/errors.md, and in cli/exit-codes.ts. */
export const ERROR_CODES = [
  'USAGE',
  'BAD_SIZE',
  'BAD_BLOCK_SIZE',
  'SOURCE_NOT_FOUND',
  'SOURCE_UNREADABLE',
  'SOURCE_IS_DIRECTORY',
  'SOURCE_CHANGED',
  'TARGET_IS_DIRECTORY',
  'TARGET_UNWRITABLE',
  'TARGET_TOO_SMALL',
  'SAME_FILE',
  'NO_SPACE',
  'IO_ERROR',
  'VERIFY_FAILED',
  'INTERRUPTED',
  'WORKER_FAILED',
  'BAD_LOCATION',
  'PROTOCOL_ERROR',
  'PROTOCOL_VERSION',
  'CONNECTION_LOST',
  'REMOTE_FAILED',
  'REMOTE_NODE_MISSING',
  'SSH_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Structured, JSON-safe details attached to an error (offsets, paths, sizes). */
export type ErrorDetails = Record<string, string | number | boolean | null>;

/** The plain-data form of an error, as it crosses worker threads and the wire. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

/** Base class of every error bigsync reports. */
export class BigsyncError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BigsyncError';
    this.code = code;
    this.details = details;
  }

  /** The plain-data form, safe for postMessage and JSON. */
  toData(): ErrorData {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a BigsyncError, optionally with the given code. */
export function isBigsyncError(err: unknown, code?: ErrorCode): err is BigsyncError {
  return err instanceof BigsyncError && (code === undefined || err.code === code);
}

/** True when `code` is one of {@link ERROR_CODES}. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** Rebuilds an error from its plain-data form; an unknown code becomes INTERNAL. */
export function errorFromData(data: unknown): BigsyncError {
  if (typeof data !== 'object' || data === null) {
    return new BigsyncError('INTERNAL', `malformed error data: ${String(data)}`);
  }
  const rec = data as Record<string, unknown>;
  const code = isErrorCode(rec['code']) ? rec['code'] : 'INTERNAL';
  const message = typeof rec['message'] === 'string' ? rec['message'] : 'unknown error';
  const details =
    typeof rec['details'] === 'object' && rec['details'] !== null ? (rec['details'] as ErrorDetails) : {};
  return new BigsyncError(code, message, details);
}

/** The errno-style code of a Node system error, if any (`ENOENT`, `ENOSPC`, ...). */
export function sysCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Any error as a BigsyncError: BigsyncErrors pass through; others become IO_ERROR or INTERNAL. */
export function toBigsyncError(err: unknown, context: string, details: ErrorDetails = {}): BigsyncError {
  if (err instanceof BigsyncError) return err;
  const sc = sysCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  if (sc === 'ENOSPC' || sc === 'EDQUOT') {
    return new BigsyncError('NO_SPACE', `${context}: no space left on device`, details, { cause: err });
  }
  if (sc !== undefined) return new BigsyncError('IO_ERROR', `${context}: ${msg}`, details, { cause: err });
  return new BigsyncError('INTERNAL', `${context}: ${msg}`, details, { cause: err });
}
