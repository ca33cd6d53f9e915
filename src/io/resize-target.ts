/**
 * Bringing a target to the source's size before a sync, the same way for local and remote syncs:
 * a regular file is truncated or extended (extension makes a hole); in whole-file mode it is
 * emptied first so it reads as zeros; a block device keeps its size and must be large enough.
 */
import * as fs from 'node:fs';
import { BigsyncError, toBigsyncError } from '../errors.js';

/** The target as far as resizing is concerned. `fd` null: a dry run whose target does not exist. */
export interface ResizableTarget {
  path: string;
  fd: number | null;
  isDevice: boolean;
  /** Its size now. */
  size: number;
}

/**
 * Resizes `t` to `size` (nothing in a dry run).
 * @throws BigsyncError TARGET_TOO_SMALL for a smaller device; NO_SPACE / IO_ERROR from ftruncate.
 */
export function resizeTarget(
  t: ResizableTarget,
  size: number,
  opts: { dryRun: boolean; wholeFile: boolean },
): void {
  if (t.isDevice) {
    if (t.size < size) {
      throw new BigsyncError(
        'TARGET_TOO_SMALL',
        `target device ${t.path} holds ${t.size} bytes, source needs ${size}`,
        {
          targetSize: t.size,
          size,
        },
      );
    }
    return;
  }
  if (opts.dryRun || t.fd === null) return;
  try {
    if (opts.wholeFile) fs.ftruncateSync(t.fd, 0);
    if (opts.wholeFile || t.size !== size) fs.ftruncateSync(t.fd, size);
  } catch (err) {
    throw toBigsyncError(err, `cannot resize target ${t.path}`);
  }
}
