/**
 * Mapped compare: telling which pieces of a byte range differ between two files by comparing
 * their page-cache pages in place (mmap + memcmp in the native addon), without copying them into
 * user space. The read-and-compare path (parallel/local-chunk-task.ts) is the pure-JS fallback.
 */
import { BigsyncError, sysCode, toBigsyncError } from '../errors.js';
import { nativeOps, type NativeOps } from './native.js';

/**
 * mmap errno names meaning "this file cannot be compared mapped here; read it instead": ENODEV
 * (the file or filesystem has no mmap, e.g. a pipe or /proc file), EINVAL (mapping refused,
 * e.g. some FUSE and special files), EOPNOTSUPP/ENOSYS, and ENOMEM (address space or
 * vm.max_map_count exhausted; reading needs neither).
 */
const UNMAPPABLE = new Set(['ENODEV', 'EINVAL', 'EOPNOTSUPP', 'ENOTSUP', 'ENOSYS', 'ENOMEM']);

/**
 * Compares `[offset, offset + length)` of the files open for reading on `fdA` and `fdB` in
 * pieces of `pieceSize` bytes (the last piece may be short): sets `out[i]` to 1 when piece i
 * differs and to 0 when it is equal, and returns the number of differing pieces.
 *
 * Called by the worker of a local sync on each chunk, before it reads the differing pieces to
 * write them; the call is synchronous and blocks its thread for the compare (about 0.1 s per
 * GiB from the page cache; longer when pages must come from disk). Any `offset` works; ranges
 * of a few MiB amortize the map/unmap cost. Both files must be at least `offset + length` long.
 *
 * Returns null, with `out` untouched, when the mapped compare is unavailable and the caller
 * must read and compare itself: no native addon (`ops` null; injectable for tests), an older
 * addon without `compareMapped`, or a file that cannot be mapped ({@link UNMAPPABLE}).
 *
 * Throws BigsyncError:
 * - SOURCE_CHANGED when either file is shorter than `offset + length` (it was truncated before
 *   or during the compare; `details.fd` names it, so a caller comparing a target can tell).
 *   The process never dies of the SIGBUS this causes; `out` is then unspecified.
 * - IO_ERROR for other mmap failures (EBADF, EACCES when an fd is not open for reading, ...).
 * - INTERNAL when the range is not safe non-negative integers, `pieceSize` is not a positive
 *   safe integer, or `out` is shorter than ceil(length / pieceSize).
 */
export function compareMappedPieces(
  fdA: number,
  fdB: number,
  offset: number,
  length: number,
  pieceSize: number,
  out: Uint8Array,
  ops: NativeOps | null = nativeOps(),
): number | null {
  const details = { fdA, fdB, offset, length, pieceSize };
  checkArgs(offset, length, pieceSize, out, details);
  if (ops?.compareMapped === undefined) return null;
  try {
    return ops.compareMapped(fdA, fdB, offset, length, pieceSize, out);
  } catch (err) {
    const code = sysCode(err);
    if (code === 'ESIGBUS') throw shrank(err, details);
    if (code !== undefined && UNMAPPABLE.has(code)) return null;
    throw toBigsyncError(err, `comparing ${offset}+${length} mapped`, details);
  }
}

function checkArgs(
  offset: number,
  length: number,
  pieceSize: number,
  out: Uint8Array,
  details: Record<string, number>,
): void {
  const ok =
    isOffset(offset) &&
    isOffset(length) &&
    isOffset(offset + length) &&
    isOffset(pieceSize) &&
    pieceSize > 0 &&
    out.length >= Math.ceil(length / pieceSize);
  if (!ok) {
    throw new BigsyncError(
      'INTERNAL',
      `compareMappedPieces: bad arguments offset=${offset} length=${length} pieceSize=${pieceSize} out.length=${out.length}`,
      { ...details, outLength: out.length },
    );
  }
}

function shrank(err: unknown, details: Record<string, number>): BigsyncError {
  const fd = (err as { fd?: unknown }).fd;
  const all: Record<string, number> = typeof fd === 'number' ? { ...details, fd } : { ...details };
  return new BigsyncError(
    'SOURCE_CHANGED',
    `file shrank while being compared: ${details['offset']}+${details['length']} is past its end`,
    all,
    { cause: err },
  );
}

function isOffset(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}
