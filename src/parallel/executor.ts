/**
 * Where worker tasks run: on a {@link WorkerPool}, or on the calling thread when there is no pool
 * (tiny files, `-j 1`, tests). Both run the same handlers, so results are identical.
 */
import {
  runHashBlocks,
  runPageHashes,
  type HashBlocksResult,
  type HashBlocksTask,
  type PageHashesResult,
  type PageHashesTask,
} from './hash-blocks-task.js';
import { runMoveRange, type MoveRangeResult, type MoveRangeTask } from './move-task.js';
import { runRollingMatch, type RollingMatchResult, type RollingMatchTask } from './rolling-task.js';
import { runWeakSums, type WeakSumsResult, type WeakSumsTask } from './weak-sums-task.js';
import { hashBlocksNative } from '../io/hash-blocks-native.js';
import type { WorkerTask } from './worker-pool.js';

/** What the executor needs of a pool (WorkerPool, LazyWorkerPool). */
export interface TaskPool {
  readonly size: number;
  readonly inFlight: number;
  run<R>(task: WorkerTask): Promise<R>;
}

/** Block hashes on the addon's pool threads where it can (not with weak sums), else null. */
function nativeHash(t: HashBlocksTask): Promise<HashBlocksResult> | null {
  return t.weak === true ? null : hashBlocksNative(t);
}

/** Runs hashing and matching tasks. */
export interface Executor {
  hashBlocks(t: HashBlocksTask): Promise<HashBlocksResult>;
  pageHashes(t: PageHashesTask): Promise<PageHashesResult>;
  weakSums(t: WeakSumsTask): Promise<WeakSumsResult>;
  rollingMatch(t: RollingMatchTask): Promise<RollingMatchResult>;
  moveRange(t: MoveRangeTask): Promise<MoveRangeResult>;
}

/**
 * An executor over `pool`, or inline when `pool` is null. With a pool, a hashing task that finds
 * every worker already holding two runs on the calling thread instead, as local sync does: the
 * caller's thread does useful work while workers boot or lag, instead of queueing.
 */
export function executor(pool: TaskPool | null): Executor {
  const inline: Executor = {
    hashBlocks: (t) => nativeHash(t) ?? Promise.resolve().then(() => runHashBlocks(t)),
    pageHashes: (t) => Promise.resolve().then(() => runPageHashes(t)),
    weakSums: (t) => Promise.resolve().then(() => runWeakSums(t)),
    rollingMatch: (t) => Promise.resolve().then(() => runRollingMatch(t)),
    moveRange: (t) => Promise.resolve().then(() => runMoveRange(t)),
  };
  if (pool === null) return inline;
  const full = (): boolean => pool.inFlight >= pool.size * 2;
  // With workers, a task taken inline waits for the next turn of the event loop first: run as a
  // microtask, a chain of inline tasks would hold the thread while replies from idle workers
  // queue up behind it, and the workers would starve.
  const later = <R>(run: () => R): Promise<R> =>
    new Promise<void>((resolve) => setImmediate(resolve)).then(run);
  return {
    hashBlocks: (t) => nativeHash(t) ?? (full() ? later(() => runHashBlocks(t)) : pool.run(t)),
    pageHashes: (t) => pool.run(t),
    weakSums: (t) => (full() ? later(() => runWeakSums(t)) : pool.run(t)),
    rollingMatch: (t) => (full() ? later(() => runRollingMatch(t)) : pool.run(t)),
    moveRange: (t) => (full() ? later(() => runMoveRange(t)) : pool.run(t)),
  };
}
