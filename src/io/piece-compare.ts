/**
 * The native comparison fast path: pread + memcmp of both files piece by piece inside the addon
 * (one call per run of pieces instead of two reads and a compare per piece from JS). The caller
 * keeps the JS path for pieces that differ and for anything the addon cannot do.
 */
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
