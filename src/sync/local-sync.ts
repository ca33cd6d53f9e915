/**
 * Local sync of one file or block device onto another path: plan -> compare/transfer (in
 * workers) -> verify -> check the source did not change. The target is updated in place; only
 * differing pages are written; zero ranges become holes on a regular-file target.
 */
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { checkBlockSize, DEFAULT_BLOCK_SIZE } from '../core/block-size.js';
import { BigsyncError } from '../errors.js';
import { identityChanges, identityOf } from '../io/file-identity.js';
import { closeQuietly, openSource, type OpenedSource } from '../io/open-source.js';
import { openTarget, type OpenedTarget } from '../io/open-target.js';
import { resizeTarget } from '../io/resize-target.js';
import { hasThreadedCompare } from '../io/piece-compare.js';
import { dataExtentsAsync } from '../io/sparse-map.js';
import type { LocalChunkResult } from '../parallel/local-chunk-task.js';
import { poolFor, runChunks } from './chunk-runner.js';
import { rangeTasks, type LocalPlan } from './local-tasks.js';
import { syncRolling, type MatchStats } from './local-rolling.js';
import { NULL_REPORTER, type Reporter } from './reporter.js';
import type { MatchMode, SyncSummary } from './summary.js';
import { trace } from './trace.js';

/** Options of {@link syncLocalFile}. */
export interface LocalSyncOptions {
  /** Block size in bytes, 4K..64M. Default {@link DEFAULT_BLOCK_SIZE}. */
  blockSize?: number;
  /** Worker threads. Default: the number of cores. */
  jobs?: number;
  /** Compare and count, write nothing. */
  dryRun?: boolean;
  /** Copy every block without comparing (zero blocks still become holes). */
  wholeFile?: boolean;
  /** Zero ranges become holes on a regular-file target. Default true. */
  sparse?: boolean;
  /** Read back every changed range. Default true. */
  verify?: boolean;
  /** fdatasync the target before returning. Default false. */
  fsync?: boolean;
  /**
   * How blocks are matched: 'aligned' compares each block with the target's block at the same
   * offset; 'rolling' also searches where that failed for target blocks at any offset (data that
   * moved); 'auto' (default) adds the rolling search only when the sizes differ.
   */
  match?: MatchMode;
  /** Aborting stops after the chunks in flight; the sync rejects with INTERRUPTED. */
  signal?: AbortSignal;
  reporter?: Reporter;
}

/** Which match a sync of these sizes uses: rolling when asked, or in auto mode when the sizes differ. */
function usesRolling(opts: LocalSyncOptions, src: OpenedSource, dst: OpenedTarget): boolean {
  if (opts.wholeFile === true || dst.fd === null) return false;
  if (opts.match === 'rolling') return true;
  return (opts.match ?? 'auto') === 'auto' && !dst.isDevice && dst.size > 0 && dst.size !== src.size;
}

async function plan(
  source: string,
  target: string,
  opts: LocalSyncOptions,
): Promise<LocalPlan & { rolling: boolean }> {
  const blockSize = checkBlockSize(opts.blockSize ?? DEFAULT_BLOCK_SIZE);
  const src = openSource(source);
  let dst: OpenedTarget;
  try {
    dst = openTarget(target, { dryRun: opts.dryRun === true, sourceKey: src.key });
  } catch (err) {
    closeQuietly(src.fd);
    throw err;
  }
  try {
    const rolling = usesRolling(opts, src, dst);
    // the rolling match may copy from past the source's end: a longer target is cut at the end
    const oldSize = dst.isDevice ? Math.min(dst.size, src.size) : dst.size;
    if (!rolling || dst.size < src.size) {
      resizeTarget(dst, src.size, { dryRun: opts.dryRun === true, wholeFile: opts.wholeFile === true });
    }
    const dstSize = rolling
      ? oldSize
      : opts.dryRun === true || dst.isDevice
        ? Math.min(dst.size, src.size)
        : src.size;
    const wiped = opts.wholeFile === true && !dst.isDevice;
    // the two maps are made at once (on libuv's threads when the addon can)
    const [srcData, dstData] = await Promise.all([
      src.isDevice ? [{ offset: 0, length: src.size }] : dataExtentsAsync(src.fd, src.size),
      dst.fd === null || wiped
        ? []
        : dst.isDevice
          ? [{ offset: 0, length: dstSize }]
          : dataExtentsAsync(dst.fd, dstSize),
    ]);
    const holes = !dst.isDevice && opts.sparse !== false;
    return { src, dst, blockSize, srcData, dstData, holes, opts, rolling };
  } catch (err) {
    closeQuietly(src.fd);
    closeQuietly(dst.fd);
    throw err;
  }
}

/** The source's size for sizing the pool before it is opened (a device or an error: assume large). */
function guessSize(source: string): number {
  try {
    const st = fs.statSync(source);
    return st.isFile() ? st.size : Number.MAX_SAFE_INTEGER;
  } catch {
    return 0;
  }
}

/** Fails with SOURCE_CHANGED when the source's identity moved during the sync. */
export function checkSourceUnchanged(src: OpenedSource): void {
  const now = [identityOf(fs.fstatSync(src.fd, { bigint: true }))];
  try {
    now.push(identityOf(fs.statSync(src.path, { bigint: true })));
  } catch {
    now.push({ ...src.identity, ino: -1 });
  }
  const changed = now.flatMap((id) => identityChanges(src.identity, id));
  if (changed.length > 0) {
    throw new BigsyncError(
      'SOURCE_CHANGED',
      `source changed during the sync (${[...new Set(changed)].join(', ')}): ${src.path}; the target may be inconsistent, rerun`,
      { path: src.path },
    );
  }
}

function summarize(
  p: LocalPlan,
  totals: LocalChunkResult,
  match: MatchStats,
  run: { source: string; target: string; jobs: number; t0: bigint },
): SyncSummary {
  const { opts } = p;
  const size = p.src.size;
  const blocks = Math.ceil(size / p.blockSize);
  const dataBytes = p.srcData.reduce((a, e) => a + e.length, 0);
  const changedBlocks = opts.wholeFile === true ? blocks : totals.changedBlocks;
  return {
    type: 'summary',
    source: run.source,
    target: run.target,
    size,
    blockSize: p.blockSize,
    blocks,
    changedBlocks,
    similarity: blocks === 0 ? 1 : (blocks - changedBlocks) / blocks,
    bytesRead: totals.bytesRead,
    bytesWritten: totals.bytesWritten,
    bytesZeroed: totals.bytesZeroed,
    holeBytes: size - dataBytes,
    verified: opts.dryRun !== true && opts.verify !== false,
    dryRun: opts.dryRun === true,
    mode: opts.wholeFile === true ? 'whole' : 'compare',
    match: match.match,
    matchedBytes: Math.max(0, size - match.movedBytes - match.literalBytes - totals.bytesZeroed),
    movedBytes: match.movedBytes,
    literalBytes: match.literalBytes,
    jobs: run.jobs,
    seconds: Number(process.hrtime.bigint() - run.t0) / 1e9,
    wireBytesSent: 0,
    wireBytesReceived: 0,
  };
}

/**
 * Syncs `source` onto `target` in place.
 * @returns the summary; in a dry run nothing is written and `bytesWritten` is what would be.
 * @throws BigsyncError for bad input (see docs/errors.md), NO_SPACE, IO_ERROR, VERIFY_FAILED,
 *   SOURCE_CHANGED, INTERRUPTED (after `signal` aborted).
 */
export async function syncLocalFile(
  source: string,
  target: string,
  opts: LocalSyncOptions = {},
): Promise<SyncSummary> {
  const t0 = process.hrtime.bigint();
  trace('local', 'start');
  const reporter = opts.reporter ?? NULL_REPORTER;
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  // The threaded compare needs no worker for an unchanged file: the pool then starts only when
  // there is much to write. Otherwise it boots while the plan is made.
  const threaded = opts.wholeFile !== true && hasThreadedCompare();
  let pool = threaded ? null : poolFor(guessSize(source), jobs);
  let p: Awaited<ReturnType<typeof plan>>;
  try {
    p = await plan(source, target, opts);
  } catch (err) {
    await pool?.close();
    throw err;
  }
  if (p.rolling && threaded) pool = poolFor(p.src.size, jobs);
  trace('local', `planned rolling=${p.rolling}`);
  try {
    const size = p.src.size;
    reporter.start?.({ source, target, size, blockSize: p.blockSize, dryRun: opts.dryRun === true });
    const totals: LocalChunkResult = {
      changedBlocks: 0,
      bytesRead: 0,
      bytesWritten: 0,
      bytesZeroed: 0,
      verifiedBytes: 0,
    };
    let match: MatchStats;
    if (p.rolling) {
      match = await syncRolling(p, { jobs, pool, totals, reporter, signal: opts.signal });
    } else {
      const skipped = { bytes: 0 };
      const all = rangeTasks(p, [{ offset: 0, length: size }], skipped);
      await runChunks(all, {
        jobs,
        size,
        signal: opts.signal,
        reporter,
        totals,
        skipped,
        ...(threaded ? { threaded } : { pool }),
      });
      match = { match: 'aligned', movedBytes: 0, literalBytes: totals.bytesWritten };
    }
    if (opts.fsync === true && p.dst.fd !== null && opts.dryRun !== true) fs.fdatasyncSync(p.dst.fd);
    checkSourceUnchanged(p.src);
    trace('local', 'done');
    return summarize(p, totals, match, { source, target, jobs, t0 });
  } finally {
    closeQuietly(p.src.fd);
    closeQuietly(p.dst.fd);
  }
}
