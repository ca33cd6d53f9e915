/**
 * Runs the chunk tasks of a local sync over the worker pool with a bounded window in flight, adds
 * up their results, reports progress, and stops cleanly on the first error or on abort (the chunks
 * already in flight finish, so no write is cut in half by us).
 */
import { BigsyncError } from '../errors.js';
import { hasThreadedPunch, zeroRangesAsync } from '../io/hole-punch.js';
import { compareRunsAsync, hasThreadedCompare } from '../io/piece-compare.js';
import {
  compareRunsOf,
  equalRanges,
  PIECE,
  residualBytes,
  runLocalChunk,
  type LocalChunkResult,
  type LocalChunkTask,
} from '../parallel/local-chunk-task.js';
import { WorkerPool } from '../parallel/worker-pool.js';
import type { Reporter } from './reporter.js';
import { trace, traceOn } from './trace.js';

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
  /**
   * Compare chunks on libuv's pool threads first when the addon can (see {@link runChunks}); the
   * worker pool, unless given, then starts only when the JS path has much to do.
   */
  threaded?: boolean;
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

/** Bytes a compared chunk may leave to the JS path and still have it run on the main thread. */
const MAIN_THREAD_REST = 4 * 1024 * 1024;

/**
 * Chunks being compared on the pool threads per job: two, so that no pool thread idles while the
 * main thread runs a chunk's rest (one in flight per job: identical 1 GiB 280 ms; two: 263-268).
 */
const PRECHECK_DEPTH = 2;

/**
 * The threaded compare pays when most pieces are equal; a flagged piece is read again by the JS
 * path. After chunks where most pieces differed (a rewritten file) the runner skips it for a while.
 */
class PrecheckGauge {
  private seen = 0;
  private flagged = 0;
  private skip = 0;

  wanted(): boolean {
    if (this.skip === 0) return true;
    this.skip--;
    return false;
  }

  record(pieces: number, differing: number): void {
    this.seen = this.seen * 0.8 + pieces;
    this.flagged = this.flagged * 0.8 + differing;
    if (this.seen >= 64 && this.flagged / this.seen > 0.5) this.skip = 8;
  }
}

/**
 * Compares the runs of `t` where either file holds data (compareRunsOf) on a libuv pool thread (no
 * worker has to boot); returns the task for the JS path with the equal ranges marked, with the
 * bytes compared, or null when the native op is missing.
 */
async function precheck(
  t: LocalChunkTask,
  gauge: PrecheckGauge,
): Promise<{ rest: LocalChunkTask; compared: number } | null> {
  const runs = compareRunsOf(t);
  const pieces = runs.reduce((a, r) => a + Math.ceil(r.length / PIECE), 0);
  const flags = new Uint8Array(pieces);
  const pending = compareRunsAsync(t.srcFd, t.dstFd as number, runs, PIECE, flags);
  if (pending === null) return null;
  const differing = await pending;
  gauge.record(pieces, differing);
  const equal = equalRanges(runs, flags);
  return { rest: { ...t, equal }, compared: 2 * runs.reduce((a, r) => a + r.length, 0) };
}

function startPool(size: number, at: number): WorkerPool {
  trace('chunks', `worker pool started at offset ${at}`);
  return new WorkerPool(size);
}

/** Whether a chunk can be prechecked by the threaded compare. */
function prechecks(t: LocalChunkTask): boolean {
  return t.mode === 'compare' && t.dstFd !== null && t.collect !== true && t.equal === undefined;
}

/**
 * Runs every task. Resolves when all are done.
 *
 * With `threaded` (and the addon's threaded compare), each compare-mode chunk is first compared
 * on libuv's pool threads, up to 2 x `jobs` at once; only what differs (or lies where one file has a
 * hole) goes on to the JS path, on the main thread when it is small, else on the worker pool,
 * which is then started if it was not. Otherwise every chunk runs in JS, on the pool and the main
 * thread.
 * @throws the first task's error (annotated with how far the sync got), or INTERRUPTED on abort.
 */
export async function runChunks(tasks: Iterable<LocalChunkTask>, o: RunChunksOptions): Promise<void> {
  let done = 0;
  let workerSeen = false;
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
  const complete = (t: LocalChunkTask, r: LocalChunkResult): void => {
    add(o.totals, r);
    o.onChunk?.(t, r);
    done += t.length;
    report();
  };
  // Zero runs the chunks left (deferZeros) are punched one call at a time, off this thread; a
  // chunk counts as done once its holes are punched and read back as zeros.
  let punching: Promise<void> = Promise.resolve();
  const finish = (t: LocalChunkTask, r: LocalChunkResult): void => {
    const zeros = r.zeros;
    if (zeros === undefined || zeros.length === 0 || t.dstFd === null) {
      complete(t, r);
      return;
    }
    const fd = t.dstFd;
    const next = punching.then(async () => {
      if (failure !== null) return;
      await zeroRangesAsync(fd, zeros);
      r.verifiedBytes += zeros.reduce((a, z) => a + z.length, 0);
      delete r.zeros;
      complete(t, r);
    });
    punching = next.catch(fail);
    track(punching);
  };
  const fail = (e: unknown): void => {
    failure ??= e instanceof BigsyncError ? e : new BigsyncError('INTERNAL', String(e));
  };
  const threaded = o.threaded === true && hasThreadedCompare();
  const defer = threaded && hasThreadedPunch();
  const prepare = (t: LocalChunkTask): LocalChunkTask =>
    defer && t.holes && !t.dryRun && t.dstFd !== null && t.collect !== true ? { ...t, deferZeros: true } : t;
  let pool = o.pool === undefined ? (threaded ? null : poolFor(o.size, o.jobs)) : o.pool;
  const wantPool = threaded && o.pool === undefined && o.jobs > 1 && o.size > INLINE_LIMIT;
  const gauge = new PrecheckGauge();
  const inflight = new Set<Promise<void>>();
  let pooled = 0;
  let prechecking = 0;
  const track = (p: Promise<void>): void => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  /** The JS path of `t`: on a worker when one has room, else here (the main thread). */
  const runJs = async (t: LocalChunkTask, big: boolean, extra = 0): Promise<void> => {
    if (big && pool === null && wantPool) pool = startPool(o.jobs - 1, t.offset);
    if (pool === null || pooled >= pool.size * 2) {
      const r = runLocalChunk(t);
      r.bytesRead += extra;
      finish(t, r);
      return;
    }
    pooled++;
    try {
      const r = await pool.run<LocalChunkResult>(t);
      if (traceOn() && !workerSeen) trace('chunks', 'first worker result');
      workerSeen = true;
      r.bytesRead += extra;
      finish(t, r);
    } finally {
      pooled--;
    }
  };
  /** The rest of a chunk whose runs were compared (its `equal` set): nothing, or the JS path. */
  const runRest = async (rest: LocalChunkTask, compared: number): Promise<void> => {
    const residual = residualBytes(rest, rest.equal ?? []);
    if (residual === 0) {
      finish(rest, {
        changedBlocks: 0,
        bytesRead: compared,
        bytesWritten: 0,
        bytesZeroed: 0,
        verifiedBytes: 0,
      });
      return;
    }
    return runJs(rest, residual > MAIN_THREAD_REST, compared);
  };
  const checkThenRun = async (t: LocalChunkTask): Promise<void> => {
    prechecking++;
    let pre: Awaited<ReturnType<typeof precheck>>;
    try {
      pre = await precheck(t, gauge);
    } finally {
      prechecking--;
    }
    if (failure !== null) return;
    if (pre === null) return runJs(t, true);
    return runRest(pre.rest, pre.compared);
  };
  try {
    for (const task of tasks) {
      if (failure !== null || o.signal?.aborted === true) break;
      const t = prepare(task);
      if (threaded && prechecks(t) && gauge.wanted()) {
        while (prechecking >= PRECHECK_DEPTH * o.jobs && failure === null) await Promise.race(inflight);
        track(checkThenRun(t).catch(fail));
        continue;
      }
      if (pool === null && wantPool) pool = startPool(o.jobs - 1, t.offset);
      if (pool === null || pooled >= pool.size * 2) {
        // The workers' queues are full (or still booting): the main thread takes this chunk
        // itself rather than wait, then lets the replies in.
        finish(t, runLocalChunk(t));
        if (pool !== null || inflight.size > 0) await yieldToLoop();
        continue;
      }
      track(runJs(t, true).catch(fail));
    }
    trace('chunks', 'all handed out');
    // chunks finishing now may queue punches: wait until nothing is left
    while (inflight.size > 0) await Promise.all([...inflight]);
    trace('chunks', 'all done');
  } catch (err) {
    fail(err);
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  } finally {
    if (o.keepPool !== true) await pool?.close();
  }
  const err = stopped(failure, o.signal, done + o.skipped.bytes, o.size);
  if (err !== null) throw err;
  report();
}
