/**
 * Sparse maps: where a regular file holds data, as opposed to holes that read as zeros.
 */
import type { Extent } from '../core/extent.js';
import { sysCode, toBigsyncError } from '../errors.js';
import { nativeOps, type NativeOps } from './native.js';

/** errno names meaning "this file or filesystem cannot answer SEEK_DATA/SEEK_HOLE". */
const UNSUPPORTED = new Set(['EINVAL', 'EOPNOTSUPP', 'ENOTSUP', 'ENOSYS', 'ESPIPE']);

/** The conservative answer: everything in [0, size) may be data. */
function wholeFile(size: number): Extent[] {
  return size > 0 ? [{ offset: 0, length: size }] : [];
}

/**
 * The data extents of the regular file open on `fd`, within `[0, size)`.
 *
 * Returns extents sorted by offset, non-overlapping, non-empty and inside `[0, size)`; every
 * byte outside them reads as zero (a hole) or lies past the file's end. Adjacent extents are
 * not guaranteed to be merged. Uses SEEK_DATA/SEEK_HOLE through the native addon (`ops`,
 * injectable for tests). When the addon is unavailable (`ops` null) or the file or filesystem
 * cannot answer (EINVAL, EOPNOTSUPP, ENOSYS, ESPIPE), returns the whole range `[{0, size}]`
 * (`[]` for size 0), which is always correct, only slower for the caller.
 *
 * Synchronous, for use on the main thread and in workers. Reads only the file's metadata and
 * does not move the file position used by positional reads. Other failures (EBADF, EIO, ...)
 * throw a BigsyncError (IO_ERROR) via toBigsyncError. If the file changes meanwhile, the map
 * describes some state of it during the call.
 */
export function dataExtents(fd: number, size: number, ops: NativeOps | null = nativeOps()): Extent[] {
  if (ops === null || size <= 0) return wholeFile(size);
  try {
    return seekExtents(ops, fd, size);
  } catch (err) {
    const code = sysCode(err);
    if (code !== undefined && UNSUPPORTED.has(code)) return wholeFile(size);
    throw toBigsyncError(err, 'mapping sparse file', { fd, size });
  }
}

/** The same as {@link dataExtents}. */
export const dataExtentsSync = dataExtents;

/**
 * {@link dataExtents} off the JS thread when the addon can (its lseek walk runs on a libuv pool
 * thread, so the maps of both files of a sync are made at once); the synchronous walk otherwise.
 * The same result and the same errors.
 */
export async function dataExtentsAsync(
  fd: number,
  size: number,
  ops: NativeOps | null = nativeOps(),
): Promise<Extent[]> {
  if (ops?.dataMapAsync === undefined || size <= 0) return dataExtents(fd, size, ops);
  let pairs: Float64Array;
  try {
    pairs = await ops.dataMapAsync(fd, 0, size);
  } catch (err) {
    const code = sysCode(err);
    if (code !== undefined && UNSUPPORTED.has(code)) return wholeFile(size);
    throw toBigsyncError(err, 'mapping sparse file', { fd, size });
  }
  const out: Extent[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    out.push({ offset: pairs[i] as number, length: pairs[i + 1] as number });
  }
  return out;
}

/** Walks data/hole boundaries with lseek; throws the addon's errors unchanged. */
function seekExtents(ops: NativeOps, fd: number, size: number): Extent[] {
  const out: Extent[] = [];
  let pos = 0;
  while (pos < size) {
    const data = ops.seekData(fd, pos);
    if (data < 0 || data >= size) break;
    const hole = ops.seekHole(fd, data);
    // -1: the file shrank under us after seekData; treat the rest as data up to `size`.
    const end = hole < 0 ? size : Math.min(hole, size);
    if (end <= data) break;
    out.push({ offset: data, length: end - data });
    pos = end;
  }
  return out;
}
