/**
 * Copy scheduling: the order in which copy instructions of the rolling match can be applied in
 * place, inside the one target file, so that each copy still reads the OLD bytes it was found in.
 * Pure; no I/O: the caller runs the copies (each a memmove within the target) and writes the
 * literal ranges afterwards.
 *
 * Why the rule of {@link scheduleCopies} is right. Each op c writes W(c) = [c.to, c.to + c.length)
 * and reads R(c) = [c.from, c.from + c.length) of the old file; the W ranges of different ops are
 * disjoint. A copy applied in place is right exactly when no copy before it wrote a byte of its R
 * (its own overlap of R and W is memmove's business), and it stays right because no later copy
 * writes into its W. So for every pair X before Y we need W(X) ∩ R(Y) = ∅:
 *
 * 1. Backward copies (from > to) in ascending `to`. X before Y means X.to < Y.to, so (W disjoint)
 *    W(X) ends at or before Y.to, and Y.to < Y.from, where R(Y) starts: disjoint.
 * 2. Forward copies (from < to) in descending `to`. X before Y means Y.to < X.to, so W(Y) ends at
 *    or before X.to, where W(X) starts; R(Y) ends before W(Y) does (Y.from < Y.to): disjoint.
 *    Pieces of one forward copy are forward copies with the same shift, so they too may be
 *    ordered this way among the others.
 * 3. All backward copies run before all forward ones, so a backward copy never reads what a
 *    forward copy wrote. The only pairs left are a backward X before a forward Y with
 *    W(X) ∩ R(Y) ≠ ∅: exactly the parts of Y that read bytes a backward copy overwrote. Those
 *    parts are not copied but reported as literals (in to-coordinates), and Y is split around them.
 *
 * Identity copies (to === from) would rewrite bytes with themselves: dropped. Literals are written
 * after all copies, into W ranges no copy reads from after they are written (nothing runs later),
 * so they change nothing for the copies.
 */
import { BigsyncError } from '../errors.js';
import type { Extent } from './extent.js';
import type { CopyOp } from './rolling-matcher.js';

/** The result of {@link scheduleCopies}. */
export interface CopySchedule {
  /** Copies in execution order; each is applied as a memmove within the one target file. */
  readonly copies: CopyOp[];
  /**
   * `to` ranges that must be written as literal data (taken from the source) because copying them
   * in place would read bytes an earlier copy overwrote. Sorted, non-overlapping.
   */
  readonly literals: Extent[];
}

/** The first index of `sorted` (ascending `to`, disjoint) whose W range ends after `x`. */
function firstEndingAfter(sorted: readonly CopyOp[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = sorted[mid] as CopyOp;
    if (c.to + c.length > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The parts of R(f) that backward copies write, as merged [lo, hi) pairs in from-coordinates. */
function conflicts(f: CopyOp, backward: readonly CopyOp[]): number[] {
  const out: number[] = [];
  const end = f.from + f.length;
  for (let j = firstEndingAfter(backward, f.from); j < backward.length; j++) {
    const b = backward[j] as CopyOp;
    if (b.to >= end) break;
    const lo = Math.max(f.from, b.to);
    const hi = Math.min(end, b.to + b.length);
    if (out.length > 0 && out[out.length - 1] === lo) out[out.length - 1] = hi;
    else out.push(lo, hi);
  }
  return out;
}

/** Splits forward copy `f` around its conflicts: copy pieces (descending `to`) and literals. */
function splitForward(f: CopyOp, backward: readonly CopyOp[], copies: CopyOp[], literals: Extent[]): void {
  const bad = conflicts(f, backward);
  const shift = f.to - f.from;
  let hi = f.from + f.length;
  for (let k = bad.length - 2; k >= -2; k -= 2) {
    const lo = k >= 0 ? (bad[k + 1] as number) : f.from;
    if (hi > lo) copies.push({ to: lo + shift, from: lo, length: hi - lo });
    if (k < 0) break;
    const badLo = bad[k] as number;
    literals.push({ offset: badLo + shift, length: lo - badLo });
    hi = badLo;
  }
}

/** Sorts extents by offset and joins touching ones. */
function coalesce(extents: Extent[]): Extent[] {
  extents.sort((x, y) => x.offset - y.offset);
  const out: Extent[] = [];
  for (const e of extents) {
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.offset + prev.length === e.offset) prev.length += e.length;
    else out.push({ offset: e.offset, length: e.length });
  }
  return out;
}

/** Throws unless the `to` ranges of ops sorted by `to` are disjoint. */
function checkDisjoint(sorted: readonly CopyOp[]): void {
  for (let k = 1; k < sorted.length; k++) {
    const p = sorted[k - 1] as CopyOp;
    const c = sorted[k] as CopyOp;
    if (p.to + p.length > c.to) {
      throw new BigsyncError('INTERNAL', `scheduleCopies: copies to ${p.to} and ${c.to} overlap`, {
        to: p.to,
        length: p.length,
        nextTo: c.to,
      });
    }
  }
}

/**
 * Orders copies so that applying them one after another IN PLACE on the old file gives what
 * copying each from a snapshot of the old file gives. Input: ops non-overlapping in `to` (any
 * order). Rule: drop identity copies (to === from); run 'backward' copies (from > to) in ascending
 * `to`; then 'forward' copies (from < to) in descending `to`; any part of a forward copy whose
 * `from` range overlaps the `to` range of a backward copy becomes literal (reported in
 * to-coordinates; the copy is split around it). Literal writes (including gaps and these) are
 * applied after all copies by the caller. See the file comment for the proof.
 *
 * O(n log n + k), k the number of pieces produced; zero-length ops are dropped; the input is not
 * modified.
 * @throws BigsyncError INTERNAL when two ops overlap in `to`.
 */
export function scheduleCopies(ops: readonly CopyOp[]): CopySchedule {
  const live = ops.filter((c) => c.length > 0);
  checkDisjoint([...live].sort((x, y) => x.to - y.to));
  const backward = live.filter((c) => c.from > c.to).sort((x, y) => x.to - y.to);
  const forward = live.filter((c) => c.from < c.to).sort((x, y) => y.to - x.to);
  const copies: CopyOp[] = [...backward];
  const literals: Extent[] = [];
  for (const f of forward) splitForward(f, backward, copies, literals);
  return { copies, literals: coalesce(literals) };
}
