/**
 * Runs the chunk tasks of a local sync over the worker pool with a bounded window in flight, adds
 * up their results, reports progress, and stops cleanly on the first error or on abort (the chunks
 * already in flight finish, so no write is cut in half by us).
 */
import { BigsyncError } from '../errors.js';
import { runLocalChunk, type LocalChunkResult, type LocalChunkTask } from '../parallel/local-chunk-task.js';
import { WorkerPool } from '../parallel/worker-pool.js';
import type { Reporter } from './reporter.js';

/** Options of {@link runChunks}. */
export interface RunChunksOptions {
  jobs: number;
  /** Total bytes of the file, for progress. */
  size: number;
  signal: AbortSignal | undefined;
  reporter: Reporter;
  /** Added to as chunks complete. */
  totals: LocalChunkResult;
  /** Bytes the task generator skipped (holes on both sides); counted as done. */
  skipped: { bytes: number };
  /** A pool started early by the caller (its workers boot while the caller plans); closed here. */
  pool?: WorkerPool | null;
  /** Leave `pool` open for a later phase (the caller closes it). */
  keepPool?: boolean;
  /** Called with each chunk's own result as it completes (in completion order). */
  onChunk?: (task: LocalChunkTask, result: LocalChunkResult) => void;
  /** Bytes earlier phases already reported as done; progress counts on from there. */
  baseDone?: number;
}

/**
 * The pool a sync of `size` bytes with `jobs` threads wants: none for small files or one thread
 * (the main thread does it all), else `jobs - 1` workers. Start it early: workers take ~60 ms to boot.
 */
export function poolFor(size: number, jobs: number): WorkerPool | null {
  return size <= INLINE_LIMIT || jobs <= 1 ? null : new WorkerPool(jobs - 1);
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Files up to this size run on the calling thread: starting workers would cost more. */
const INLINE_LIMIT = 8 * 1024 * 1024;

function add(totals: LocalChunkResult, r: LocalChunkResult): void {
  totals.changedBlocks += r.changedBlocks;
  totals.bytesRead += r.bytesRead;
  totals.bytesWritten += r.bytesWritten;
  totals.bytesZeroed += r.bytesZeroed;
  totals.verifiedBytes += r.verifiedBytes;
}

function stopped(
  err: BigsyncError | null,
  signal: AbortSignal | undefined,
  done: number,
  size: number,
): BigsyncError | null {
  const how = `${done} of ${size} bytes done`;
  if (err !== null) {
    const hint = err.code === 'NO_SPACE' ? '; free some space and rerun to continue' : '';
    return new BigsyncError(err.code, `${err.message} (${how}${hint})`, {
      ...err.details,
      bytesDone: done,
      size,
    });
  }
  if (signal?.aborted === true) {
    return new BigsyncError('INTERRUPTED', `interrupted (${how}); rerun to continue`, {
      bytesDone: done,
      size,
    });
  }
  return null;
}

/**
 * Runs every task. Resolves when all are done.
 * @throws the first task's error (annotated with how far the sync got), or INTERRUPTED on abort.
 */
export async function runChunks(tasks: Iterable<LocalChunkTask>, o: RunChunksOptions): Promise<void> {
  let done = 0;
  let failure: BigsyncError | null = null;
  const report = (): void =>
    o.reporter.progress?.({
      bytesDone: Math.min(o.size, (o.baseDone ?? 0) + done + o.skipped.bytes),
      bytesTotal: o.size,
      bytesWritten: o.totals.bytesWritten,
      changedBlocks: o.totals.changedBlocks,
      wireBytesSent: 0,
      wireBytesReceived: 0,
    });
  const finish = (t: LocalChunkTask, r: LocalChunkResult): void => {
    add(o.totals, r);
    o.onChunk?.(t, r);
    done += t.length;
    report();
  };
  const pool = o.pool === undefined ? poolFor(o.size, o.jobs) : o.pool;
  try {
    const inflight = new Set<Promise<void>>();
    for (const t of tasks) {
      if (failure !== null || o.signal?.aborted === true) break;
      if (pool === null || inflight.size >= (o.jobs - 1) * 2) {
        // The workers' queues are full (or still booting): the main thread takes this chunk
        // itself rather than wait, then lets the replies in.
        finish(t, runLocalChunk(t));
        if (pool !== null) await yieldToLoop();
        continue;
      }
      const p: Promise<void> = pool.run<LocalChunkResult>(t).then(
        (r) => finish(t, r),
        (e: unknown) => {
          failure ??= e instanceof BigsyncError ? e : new BigsyncError('INTERNAL', String(e));
        },
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await Promise.all(inflight);
  } catch (err) {
    failure ??= err instanceof BigsyncError ? err : new BigsyncError('INTERNAL', String(err));
  } finally {
    if (o.keepPool !== true) await pool?.close();
  }
  const err = stopped(failure, o.signal, done + o.skipped.bytes, o.size);
  if (err !== null) throw err;
  report();
}
