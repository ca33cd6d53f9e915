/**
 * Page-cache advice (posix_fadvise): best-effort hints that never change results.
 */
import { nativeOps, type FadviseAdvice, type NativeOps } from './native.js';

function advise(
  fd: number,
  offset: number,
  length: number,
  advice: FadviseAdvice,
  ops: NativeOps | null,
): boolean {
  if (ops === null) return false;
  try {
    ops.fadvise(fd, offset, length, advice);
    return true;
  } catch {
    return false; // advice is optional: a refusal (ESPIPE, EINVAL, ...) changes nothing
  }
}

/**
 * Hints that `[offset, offset + length)` of `fd` will be read sequentially (`length` 0: to the
 * end), so the kernel reads ahead more. Best effort: returns whether the hint was given; never
 * throws; without the native addon (`ops` null) it does nothing.
 */
export function adviseSequential(
  fd: number,
  offset: number,
  length: number,
  ops: NativeOps | null = nativeOps(),
): boolean {
  return advise(fd, offset, length, 'sequential', ops);
}

/**
 * Hints that `[offset, offset + length)` of `fd` is not needed again (`length` 0: to the end),
 * so the kernel may drop those clean pages from the page cache and a multi-GiB sync does not
 * evict everything else. Dirty pages are not dropped; flush first (fsync) to make it effective.
 * Best effort like {@link adviseSequential}.
 */
export function adviseDontNeed(
  fd: number,
  offset: number,
  length: number,
  ops: NativeOps | null = nativeOps(),
): boolean {
  return advise(fd, offset, length, 'dontneed', ops);
}

/**
 * Hints that `[offset, offset + length)` of `fd` will be needed soon, starting readahead now.
 * Best effort like {@link adviseSequential}.
 */
export function adviseWillNeed(
  fd: number,
  offset: number,
  length: number,
  ops: NativeOps | null = nativeOps(),
): boolean {
  return advise(fd, offset, length, 'willneed', ops);
}
