/**
 * Worker task: one segment of a move within the target (core/move-plan.ts). Moves in 1 MiB steps
 * in the safe direction; bytes of the read range that were saved before the wave started are
 * taken from `saved` instead of the file (a neighbour segment may have overwritten them).
 */
import { toBigsyncError } from '../errors.js';
import { moveWithin } from '../io/move-range.js';
import { scratch } from './scratch-buffer.js';

/** Move `length` bytes of `fd` from `from` to `to`; `saved` holds the file's bytes at `savedOffset` before the wave. */
export interface MoveRangeTask {
  kind: 'move-range';
  fd: number;
  from: number;
  to: number;
  length: number;
  saved: Uint8Array | null;
  savedOffset: number;
  /** Punch long zero runs instead of writing them (regular file, sparse mode). */
  holes: boolean;
}

const STEP = 1024 * 1024;

/** Runs a {@link MoveRangeTask}; returns the bytes moved. */
export function runMoveRange(t: MoveRangeTask): number {
  try {
    moveWithin(
      t.fd,
      t.from,
      t.to,
      t.length,
      scratch(STEP, 2).subarray(0, STEP),
      t.saved === null ? null : { bytes: t.saved, offset: t.savedOffset },
      t.holes,
    );
  } catch (err) {
    throw toBigsyncError(err, `moving data within the target to offset ${t.to}`, { offset: t.to });
  }
  return t.length;
}
