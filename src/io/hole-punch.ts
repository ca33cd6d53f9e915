/**
 * Hole punching: turning a byte range of a regular file into a hole that reads as zeros,
 * freeing its blocks, instead of writing zeros.
 */
import { fstatSync } from 'node:fs';
import { BigsyncError, sysCode, toBigsyncError } from '../errors.js';
import { nativeOps, type NativeOps } from './native.js';
import { extentPairs, type Extent } from '../core/extent.js';
import { readFullySync, writeFullySync } from './positional-io.js';

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

/** Whether {@link zeroRangesAsync} can punch off the JS thread here. */
export function hasThreadedPunch(ops: NativeOps | null = nativeOps()): boolean {
  return ops?.punchRangesAsync !== undefined;
}

/** Throws VERIFY_FAILED unless `[offset, offset + length)` of `fd` reads as zeros. */
function checkZeros(fd: number, offset: number, length: number): void {
  for (let done = 0; done < length; done += ZEROS.length) {
    const n = Math.min(ZEROS.length, length - done);
    const buf = Buffer.allocUnsafe(n);
    if (readFullySync(fd, buf, 0, n, offset + done) !== n || !buf.equals(ZEROS.subarray(0, n))) {
      throw notZero(offset + done, n);
    }
  }
}

function notZero(offset: number, length: number): BigsyncError {
  return new BigsyncError('VERIFY_FAILED', `target does not read as zeros at offset ${offset}`, {
    offset,
    length,
  });
}

/**
 * Makes each of `ranges` (sorted, disjoint, non-empty) of the regular file on `fd` a hole, on a
 * libuv pool thread (the calls wait on the disk when the filesystem discards freed blocks, and
 * the sync's other threads go on meanwhile), then checks every range reads as zeros. Where the
 * filesystem cannot punch (EOPNOTSUPP and the like), writes zeros instead, here.
 * @returns null when the addon lacks the op (the caller zeroes the ranges itself).
 * @throws (rejects) VERIFY_FAILED when a range does not read back as zeros; NO_SPACE / IO_ERROR as
 *   the calls fail.
 */
export function zeroRangesAsync(
  fd: number,
  ranges: readonly Extent[],
  ops: NativeOps | null = nativeOps(),
): Promise<void> | null {
  if (ops?.punchRangesAsync === undefined) return null;
  const pairs = extentPairs(ranges);
  const first = ranges[0]?.offset ?? 0;
  return ops.punchRangesAsync(fd, pairs).then(
    (bad) => {
      if (bad >= 0) throw notZero(bad, ranges.find((r) => r.offset + r.length > bad)?.length ?? 0);
    },
    (err: unknown) => {
      const code = sysCode(err);
      if (code === undefined || !UNSUPPORTED.has(code)) {
        throw toBigsyncError(err, `punching holes from offset ${first}`, { fd, offset: first });
      }
      for (const r of ranges) {
        zeroRange(fd, r.offset, r.length, false, ops);
        checkZeros(fd, r.offset, r.length);
      }
    },
  );
}
