/**
 * Local rolling match: the parts of copies that cannot run in place (they read bytes an earlier
 * copy overwrites: a cycle, such as two blocks swapping places) are read from the old target into
 * memory before any copy runs and written after the copies, up to {@link STAGE_LIMIT} bytes; the
 * rest is written from the source as literal data. (Remote syncs send those parts as DATA.)
 */
import type { Extent } from '../core/extent.js';
import type { CopyOp } from '../core/rolling-matcher.js';
import { toBigsyncError } from '../errors.js';
import { readFullySync, writeFullySync } from '../io/positional-io.js';

/** Most bytes held in memory for conflicting copies. */
export const STAGE_LIMIT = 64 * 1024 * 1024;

/** A conflicting part of a copy and its old bytes. */
export interface Staged {
  to: number;
  bytes: Buffer;
}

/** The copy each conflict part came from (ops sorted by `to`, non-overlapping). */
function sourceOf(ops: readonly CopyOp[], e: Extent): CopyOp | undefined {
  return ops.find((o) => o.to <= e.offset && e.offset + e.length <= o.to + o.length);
}

/**
 * Reads what fits of the conflict parts (`to` ranges of `ops`) from the old target.
 * @returns the staged parts and the parts left to write as literal data.
 */
export function stageConflicts(
  fd: number,
  ops: readonly CopyOp[],
  conflicts: readonly Extent[],
): { staged: Staged[]; literal: Extent[] } {
  const staged: Staged[] = [];
  const literal: Extent[] = [];
  let held = 0;
  for (const e of conflicts) {
    const op = sourceOf(ops, e);
    if (op === undefined || held + e.length > STAGE_LIMIT) {
      literal.push(e);
      continue;
    }
    const from = op.from + (e.offset - op.to);
    const bytes = Buffer.allocUnsafe(e.length);
    try {
      if (readFullySync(fd, bytes, 0, e.length, from) !== e.length) throw new Error('short read');
    } catch (err) {
      throw toBigsyncError(err, `reading the target at offset ${from} before moving data`, { offset: from });
    }
    held += e.length;
    staged.push({ to: e.offset, bytes });
  }
  return { staged, literal };
}

/** Writes the staged parts (after every copy). */
export function writeStaged(fd: number, staged: readonly Staged[]): number {
  let n = 0;
  for (const s of staged) {
    try {
      writeFullySync(fd, s.bytes, 0, s.bytes.length, s.to);
    } catch (err) {
      throw toBigsyncError(err, `writing the target at offset ${s.to}`, { offset: s.to });
    }
    n += s.bytes.length;
  }
  return n;
}
