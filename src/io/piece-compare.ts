/**
 * The native comparison fast path: pread + memcmp of both files piece by piece inside the addon
 * (one call per run of pieces instead of two reads and a compare per piece from JS). The caller
 * keeps the JS path for pieces that differ and for anything the addon cannot do.
 */
import { extentPairs, type Extent } from '../core/extent.js';
import { toBigsyncError } from '../errors.js';
import { nativeOps, type NativeOps } from './native.js';

/**
 * Compares `[offset, offset + length)` of two files in pieces of `pieceSize`; sets `out[i]` to 1
 * for each piece that differs (bytes past a file's end read as zeros).
 * @returns the number of differing pieces, or null when the fast path is unavailable (no addon,
 *   or an addon without it): the caller compares in JS.
 * @throws BigsyncError IO_ERROR when a read fails.
 */
export function comparePieces(
  fdA: number,
  fdB: number,
  offset: number,
  length: number,
  pieceSize: number,
  out: Uint8Array,
  ops: NativeOps | null = nativeOps(),
): number | null {
  if (ops?.comparePieces === undefined) return null;
  try {
    return ops.comparePieces(fdA, fdB, offset, length, pieceSize, out);
  } catch (err) {
    throw toBigsyncError(err, `comparing at offset ${offset}`, { offset, length });
  }
}

/** Whether {@link compareRunsAsync} has its native op (it returns null otherwise). */
export function hasThreadedCompare(ops: NativeOps | null = nativeOps()): boolean {
  return ops?.compareRunsAsync !== undefined;
}

/**
 * Compares `runs` of two files on a libuv pool thread, in pieces of `pieceSize` (each run's last
 * piece may be short): sets `out[i]` to 1 for each differing piece, run after run, and resolves
 * with their number. `out` must not be touched until it settles.
 * @returns null when the native op is unavailable (the caller compares another way).
 * @throws (rejects) BigsyncError IO_ERROR when a read fails.
 */
export function compareRunsAsync(
  fdA: number,
  fdB: number,
  runs: readonly Extent[],
  pieceSize: number,
  out: Uint8Array,
  ops: NativeOps | null = nativeOps(),
): Promise<number> | null {
  if (ops?.compareRunsAsync === undefined) return null;
  const pairs = extentPairs(runs);
  const at = runs[0]?.offset ?? 0;
  return ops.compareRunsAsync(fdA, fdB, pairs, pieceSize, out).catch((err: unknown) => {
    throw toBigsyncError(err, `comparing at offset ${at}`, { offset: at });
  });
}
