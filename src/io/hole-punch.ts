/**
 * Hole punching: turning a byte range of a regular file into a hole that reads as zeros,
 * freeing its blocks, instead of writing zeros.
 */
import { fstatSync } from 'node:fs';
import { BigsyncError, sysCode, toBigsyncError } from '../errors.js';
import { nativeOps, type NativeOps } from './native.js';
import { writeFullySync } from './positional-io.js';

/** errno names meaning "punching is not possible here; write zeros instead". */
const UNSUPPORTED = new Set(['EOPNOTSUPP', 'ENOTSUP', 'ENOSYS', 'EINVAL', 'ENODEV', 'ESPIPE']);

/**
 * Punches a hole over `[offset, offset + length)` of the file open (writable) on `fd`,
 * keeping the file size unchanged.
 *
 * Returns true when the range now reads as zeros through a punched hole (also for
 * `length` 0, where there is nothing to do). Returns false, leaving the file unchanged, when
 * punching is unavailable: no native addon (`ops` null; injectable for tests), `fd` is not
 * a regular file (block devices included), or the filesystem refuses (EOPNOTSUPP, ENOSYS,
 * EINVAL); the caller then writes zeros itself. Any other failure throws a BigsyncError via
 * toBigsyncError: NO_SPACE for ENOSPC/EDQUOT (punching can need metadata blocks), IO_ERROR
 * for EIO, EBADF (e.g. `fd` not open for writing), EPERM and the like.
 * Throws BigsyncError INTERNAL when offset or length is not a safe non-negative integer.
 * Partial filesystem blocks at the edges are zeroed by the kernel, so any alignment works.
 */
export function punchHole(
  fd: number,
  offset: number,
  length: number,
  ops: NativeOps | null = nativeOps(),
): boolean {
  if (!isOffset(offset) || !isOffset(length) || !isOffset(offset + length)) {
    throw new BigsyncError('INTERNAL', `punchHole: bad range offset=${offset} length=${length}`, {
      offset,
      length,
    });
  }
  if (length === 0) return true;
  if (ops === null) return false;
  const details = { fd, offset, length };
  try {
    if (!fstatSync(fd).isFile()) return false;
    ops.punchHole(fd, offset, length);
    return true;
  } catch (err) {
    const code = sysCode(err);
    if (code !== undefined && UNSUPPORTED.has(code)) return false;
    throw toBigsyncError(err, `punching a hole at ${offset}+${length}`, details);
  }
}

function isOffset(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

const ZEROS = Buffer.alloc(1024 * 1024);

/**
 * Makes `[offset, offset + length)` read as zeros: a punched hole when `holes` is allowed and
 * punching works here (see {@link punchHole}), else zeros written in 1 MiB pieces (a block device,
 * no addon, `--no-sparse`, or a filesystem that refuses).
 * @throws BigsyncError NO_SPACE / IO_ERROR as punchHole or the writes fail.
 */
export function zeroRange(
  fd: number,
  offset: number,
  length: number,
  holes: boolean,
  ops: NativeOps | null = nativeOps(),
): void {
  if (holes && punchHole(fd, offset, length, ops)) return;
  for (let done = 0; done < length; done += ZEROS.length) {
    writeFullySync(fd, ZEROS, 0, Math.min(ZEROS.length, length - done), offset + done);
  }
}
