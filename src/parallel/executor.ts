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
import type { WorkerPool } from './worker-pool.js';

/** Runs hashing tasks. */
export interface Executor {
  hashBlocks(t: HashBlocksTask): Promise<HashBlocksResult>;
  pageHashes(t: PageHashesTask): Promise<PageHashesResult>;
}

/** An executor over `pool`, or inline when `pool` is null. */
export function executor(pool: WorkerPool | null): Executor {
  if (pool === null) {
    return {
      hashBlocks: (t) => Promise.resolve(runHashBlocks(t)),
      pageHashes: (t) => Promise.resolve(runPageHashes(t)),
    };
  }
  return { hashBlocks: (t) => pool.run(t), pageHashes: (t) => pool.run(t) };
}
