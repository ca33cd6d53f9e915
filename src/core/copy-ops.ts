/**
 * Copy instructions ({@link CopyOp}) of the rolling match, as lists: joining the results of the
 * chunks a region was searched in, and the literal gaps between them (the bytes that must be
 * sent or written from the source). Pure; no I/O.
 */
import type { Extent } from './extent.js';
import type { CopyOp } from './rolling-matcher.js';

export type { CopyOp } from './rolling-matcher.js';

/**
 * Joins per-chunk results (each sorted by `to`; chunks given in ascending order of their
 * `start`): an op of a later chunk that overlaps (in `to`) what earlier ops cover is trimmed from
 * its front (to += d, from += d, length -= d) or dropped when nothing is left; then contiguous ops
 * are coalesced. Result sorted, non-overlapping in `to`.
 *
 * "What earlier ops cover" is taken as everything below the furthest end reached so far, which is
 * exact when every op of a later chunk starts at or after every op start of an earlier one (true
 * of findMatches results of chunks whose [start, end) follow one another). Any other input still
 * gives a sorted, non-overlapping result of valid copies, possibly with fewer bytes copied.
 * Zero-length ops are dropped. The inputs are not modified. O(total ops).
 */
export function mergeOps(chunks: readonly (readonly CopyOp[])[]): CopyOp[] {
  const out: CopyOp[] = [];
  let covered = -Infinity;
  for (const chunk of chunks) {
    for (const op of chunk) {
      const d = Math.max(0, covered - op.to);
      if (op.length - d <= 0) continue;
      const to = op.to + d;
      const from = op.from + d;
      const length = op.length - d;
      const prev = out[out.length - 1];
      if (prev !== undefined && prev.to + prev.length === to && prev.from + prev.length === from) {
        out[out.length - 1] = { to: prev.to, from: prev.from, length: prev.length + length };
      } else {
        out.push({ to, from, length });
      }
      covered = to + length;
    }
  }
  return out;
}

/**
 * The parts of [start, end) that no op's `to` range covers, in order. `ops` must be sorted by `to`
 * (as findMatches and mergeOps return them); overlaps and ops reaching outside [start, end) are
 * fine. Empty when start >= end.
 */
export function literalGaps(start: number, end: number, ops: readonly CopyOp[]): Extent[] {
  const gaps: Extent[] = [];
  let pos = start;
  for (const op of ops) {
    if (pos >= end) break;
    if (op.length <= 0) continue;
    if (op.to > pos) gaps.push({ offset: pos, length: Math.min(op.to, end) - pos });
    pos = Math.max(pos, op.to + op.length);
  }
  if (pos < end) gaps.push({ offset: pos, length: end - pos });
  return gaps;
}

/** Total bytes covered by ops (their lengths summed; ops must not overlap in `to`). */
export function copiedBytes(ops: readonly CopyOp[]): number {
  let total = 0;
  for (const op of ops) total += op.length;
  return total;
}
