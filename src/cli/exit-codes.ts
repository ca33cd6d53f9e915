/**
 * Error codes to exit codes: the one place they are mapped. docs/errors.md documents the same
 * table; a test checks that both agree.
 */
import type { ErrorCode } from '../errors.js';

/** The exit code for each error code. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  INTERNAL: 1,
  WORKER_FAILED: 1,
  USAGE: 2,
  BAD_SIZE: 2,
  BAD_BLOCK_SIZE: 2,
  BAD_LOCATION: 2,
  SOURCE_NOT_FOUND: 3,
  SOURCE_UNREADABLE: 3,
  SOURCE_IS_DIRECTORY: 3,
  TARGET_IS_DIRECTORY: 4,
  TARGET_UNWRITABLE: 4,
  TARGET_TOO_SMALL: 4,
  SAME_FILE: 4,
  NO_SPACE: 5,
  IO_ERROR: 6,
  SOURCE_CHANGED: 7,
  VERIFY_FAILED: 8,
  PROTOCOL_ERROR: 10,
  PROTOCOL_VERSION: 10,
  CONNECTION_LOST: 11,
  SSH_FAILED: 12,
  REMOTE_NODE_MISSING: 12,
  REMOTE_FAILED: 13,
  INTERRUPTED: 130,
};

/** Exit code of a successful run. */
export const EXIT_OK = 0;
