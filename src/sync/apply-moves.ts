/**
 * Applying the copies of a rolling match to the target, in the scheduled order, each one cut into
 * segments that the workers move at the same time (core/move-plan.ts).
 */
import type { CopyOp } from '../core/rolling-matcher.js';
import { planMove } from '../core/move-plan.js';
import { toBigsyncError } from '../errors.js';
import { readFullySync } from '../io/positional-io.js';
import type { Executor } from '../parallel/executor.js';
import type { MoveRangeResult, MoveRangeTask } from '../parallel/move-task.js';
import { mapBounded } from './bounded-map.js';

/** Segment size to aim for: big enough that a worker round trip is noise. */
const SEGMENT = 32 * 1024 * 1024;

function readSaved(fd: number, offset: number, length: number): Uint8Array {
  const bytes = Buffer.allocUnsafe(length);
  try {
    if (readFullySync(fd, bytes, 0, length, offset) !== length) throw new Error('short read');
  } catch (err) {
    throw toBigsyncError(err, `reading the target at offset ${offset} before moving data`, { offset });
  }
  return bytes;
}

/** Hashes of the whole blocks a move wrote (MoveRangeResult, merged over its segments). */
export type MovedHashes = Pick<MoveRangeResult, 'blocks' | 'tags' | 'zero'>;

/**
 * Moves `op`'s bytes within the target open as `fd`; with `holes`, long zero runs become holes;
 * with `hash`, the whole blocks written are hashed on the way (a receiver's verification).
 * @throws IO_ERROR / NO_SPACE from the reads and writes.
 */
export async function applyMove(
  exec: Executor,
  fd: number,
  op: CopyOp,
  jobs: number,
  holes: boolean,
  hash: MoveRangeTask['hash'] = null,
): Promise<MovedHashes> {
  const done: MoveRangeResult[] = [];
  for (const wave of planMove(op.from, op.to, op.length, SEGMENT, jobs)) {
    // every saved range is read before any segment of the wave writes
    const tasks: MoveRangeTask[] = wave.map((s) => ({
      kind: 'move-range',
      fd,
      from: s.from,
      to: s.to,
      length: s.length,
      saved: s.save === null ? null : readSaved(fd, s.save.offset, s.save.length),
      savedOffset: s.save?.offset ?? 0,
      holes,
      hash,
    }));
    done.push(...(await mapBounded(tasks, jobs + 1, (t) => exec.moveRange(t))));
  }
  return {
    blocks: done.flatMap((d) => d.blocks),
    tags: Buffer.concat(done.map((d) => d.tags)),
    zero: Uint8Array.from(done.flatMap((d) => Array.from(d.zero))),
  };
}

const overlap = (a: number, al: number, b: number, bl: number): boolean => a < b + bl && b < a + al;

/** Most small moves run as one wave. */
const WAVE = 64;

/**
 * Applies `copies` in their order: a long one on every core (applyMove); runs of short ones that
 * neither write where another of the run reads or writes nor read where another writes run at the
 * same time, one per thread, each as its own memmove. With `hash`, `onMoved` also gets the hashes
 * of the whole blocks each copy wrote.
 */
export async function applyMoves(
  exec: Executor,
  fd: number,
  copies: readonly CopyOp[],
  jobs: number,
  holes: boolean,
  onMoved: (op: CopyOp, hashes: MovedHashes) => void,
  signal?: AbortSignal,
  hash: MoveRangeTask['hash'] = null,
): Promise<void> {
  let wave: CopyOp[] = [];
  const flush = async (): Promise<void> => {
    const run = wave;
    wave = [];
    await mapBounded(run, jobs + 1, async (op) => {
      const r = await exec.moveRange({
        kind: 'move-range',
        fd,
        from: op.from,
        to: op.to,
        length: op.length,
        saved: null,
        savedOffset: 0,
        holes,
        hash,
      });
      onMoved(op, r);
    });
  };
  for (const op of copies) {
    if (signal?.aborted === true) break;
    if (op.length >= SEGMENT) {
      await flush();
      onMoved(op, await applyMove(exec, fd, op, jobs, holes, hash));
      continue;
    }
    // overlapping writes too: the later one must win, as it would one after the other
    const clash = wave.some(
      (w) =>
        overlap(w.to, w.length, op.from, op.length) ||
        overlap(op.to, op.length, w.from, w.length) ||
        overlap(op.to, op.length, w.to, w.length),
    );
    if (clash || wave.length >= WAVE) await flush();
    wave.push(op);
  }
  await flush();
}
