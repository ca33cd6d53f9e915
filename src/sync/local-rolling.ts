/**
 * The rolling match of a local sync (docs/design.md, "Rolling match"): find the blocks that differ
 * at the same offset (a compare-only pass), search those regions of the source for target blocks
 * at any offset (workers, in overlapping chunks), order the copies so they are safe in place
 * (core/copy-schedule.ts), apply them, write the rest from the source, read everything back, and
 * cut a longer target last (its tail may have been a copy source).
 */
import * as fs from 'node:fs';
import { copiedBytes, literalGaps } from '../core/copy-ops.js';
import { scheduleCopies } from '../core/copy-schedule.js';
import type { Extent } from '../core/extent.js';
import type { CopyOp } from '../core/rolling-matcher.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import { dataExtents } from '../io/sparse-map.js';
import { executor, type Executor } from '../parallel/executor.js';
import type { LocalChunkResult, LocalChunkTask } from '../parallel/local-chunk-task.js';
import type { WorkerPool } from '../parallel/worker-pool.js';
import { applyMoves } from './apply-moves.js';
import { mapBounded } from './bounded-map.js';
import { searchRegions } from './region-search.js';
import { extendCopies } from './extend-copies.js';
import { stageConflicts, writeStaged } from './stage-conflicts.js';
import { runChunks } from './chunk-runner.js';
import { rangeTasks, type LocalPlan } from './local-tasks.js';
import { regionsOf, tableBlocksOf, unionExtents } from '../core/region-plan.js';
import type { Reporter } from './reporter.js';

/** How a sync matched, for the summary. */
export interface MatchStats {
  match: 'aligned' | 'rolling';
  movedBytes: number;
  literalBytes: number;
}

/** What the rolling phases share with the caller. */
export interface RollingRun {
  jobs: number;
  /** Closed here when done. */
  pool: WorkerPool | null;
  /** Added to by every phase. */
  totals: LocalChunkResult;
  reporter: Reporter;
  signal: AbortSignal | undefined;
}

/** Blocks differing at the same offset over [0, common), ascending (a compare-only pass). */
/**
 * The first pass: which blocks differ at the same offset over [0, common) (compare only), and, in
 * auto mode, in the same walk, the source's part past the old target's end written as in an
 * aligned sync: a file that grew keeps its single pass. The price: where bytes were inserted, the
 * last (size growth) bytes of the file, which a search could have moved, are written instead.
 */
async function firstPass(p: LocalPlan, r: RollingRun, common: number) {
  const lists: { offset: number; blocks: number[] }[] = [];
  const skipped = { bytes: 0 };
  const pass = { changedBlocks: 0, bytesRead: 0, bytesWritten: 0, bytesZeroed: 0, verifiedBytes: 0 };
  const tail = { changedBlocks: 0, bytesRead: 0, bytesWritten: 0, bytesZeroed: 0, verifiedBytes: 0 };
  const size = p.src.size;
  function* walk(): Generator<LocalChunkTask> {
    yield* rangeTasks(p, [{ offset: 0, length: common }], skipped, { dryRun: true, collect: true });
    if (size > common && p.opts.match !== 'rolling') {
      yield* rangeTasks(p, [{ offset: common, length: size - common }], skipped);
    }
  }
  await runChunks(walk(), {
    jobs: r.jobs,
    size,
    signal: r.signal,
    reporter: r.reporter,
    totals: pass,
    skipped,
    pool: r.pool,
    keepPool: true,
    onChunk: (t, res) => {
      if (t.collect === true) lists.push({ offset: t.offset, blocks: res.changed ?? [] });
      else addWrites(tail, res);
    },
  });
  r.totals.bytesRead += pass.bytesRead;
  lists.sort((a, b) => a.offset - b.offset);
  const blocks: number[] = [];
  for (const l of lists)
    for (const b of l.blocks) if (blocks.length === 0 || (blocks.at(-1) as number) < b) blocks.push(b);
  return { blocks, tail };
}

/** Weak checksums of the target's candidate blocks; all-zero blocks are left out. */
async function buildTable(p: LocalPlan, exec: Executor, blocks: number[], r: RollingRun) {
  const B = p.blockSize;
  const group = Math.max(1, Math.floor((16 * 1024 * 1024) / B));
  const groups: number[][] = [];
  for (let i = 0; i < blocks.length; i += group) groups.push(blocks.slice(i, i + group));
  const parts = await mapBounded(groups, r.jobs + 1, async (some) => {
    const t = {
      kind: 'weak-sums' as const,
      fd: p.dst.fd as number,
      blocks: some,
      blockSize: B,
      key: null,
      strong: null,
    };
    const res = await exec.weakSums(t);
    r.totals.bytesRead += res.bytesRead;
    return { blocks: some, weak: res.weak, zero: res.zero };
  });
  const weak: number[] = [];
  const offsets: number[] = [];
  for (const part of parts) {
    part.blocks.forEach((b, i) => {
      if (part.zero[i] === 1) return;
      weak.push(part.weak[i] as number);
      offsets.push(b * B);
    });
  }
  return { weak: Uint32Array.from(weak), offsets: Float64Array.from(offsets) };
}

async function search(
  p: LocalPlan,
  exec: Executor,
  regions: Extent[],
  table: { weak: Uint32Array; offsets: Float64Array },
  oldSize: number,
  jobs: number,
): Promise<CopyOp[]> {
  return searchRegions(
    {
      exec,
      inFlight: jobs + 1,
      srcFd: p.src.fd,
      srcSize: p.src.size,
      blockSize: p.blockSize,
      table,
      verify: { kind: 'bytes', dstFd: p.dst.fd as number, dstSize: oldSize },
      probeWindow: p.opts.match === 'rolling' ? null : 2 * p.blockSize,
    },
    regions,
  );
}

/** Runs the chunk tasks over `ranges` and adds what they did to the run's totals. */
async function walk(
  p: LocalPlan,
  r: RollingRun,
  ranges: Extent[],
  dryRun: boolean,
): Promise<LocalChunkResult> {
  const own = { changedBlocks: 0, bytesRead: 0, bytesWritten: 0, bytesZeroed: 0, verifiedBytes: 0 };
  const skipped = { bytes: 0 };
  await runChunks(rangeTasks(p, ranges, skipped, { dryRun }), {
    jobs: r.jobs,
    size: p.src.size,
    signal: r.signal,
    reporter: r.reporter,
    totals: own,
    skipped,
    pool: r.pool,
    keepPool: true,
  });
  r.totals.bytesRead += own.bytesRead;
  return own;
}

/**
 * Runs the rolling match of plan `p` (its target not yet cut to the source's size).
 * @throws like syncLocalFile; VERIFY_FAILED when a copied range does not read back as the source.
 */
export async function syncRolling(p: LocalPlan, r: RollingRun): Promise<MatchStats> {
  try {
    return await rollingPhases(p, r);
  } finally {
    await r.pool?.close();
  }
}

async function rollingPhases(p: LocalPlan, r: RollingRun): Promise<MatchStats> {
  const size = p.src.size;
  const oldSize = p.dst.isDevice ? Math.min(p.dst.size, size) : p.dst.size;
  const common = Math.min(size, oldSize);
  const exec = executor(r.pool);
  const { blocks, tail } = await firstPass(p, r, common);
  addWrites(r.totals, tail);
  // in auto mode the part past the old end was written by the first pass
  const tailDone = p.opts.match !== 'rolling';
  const grown = size > common && tailDone ? [{ offset: common, length: size - common }] : [];
  const regions = regionsOf(blocks, p.blockSize, common, tailDone ? common : size);
  let ops: CopyOp[] = [];
  if (regions.length > 0) {
    const table = await buildTable(
      p,
      exec,
      tableBlocksOf(blocks, p.blockSize, size, oldSize, p.opts.match === 'rolling'),
      r,
    );
    if (table.weak.length > 0) ops = await search(p, exec, regions, table, oldSize, r.jobs);
    ops = extendCopies({ srcFd: p.src.fd, dstFd: p.dst.fd as number, oldSize }, regions, ops);
  }
  checkAbort(r.signal);
  const sched = scheduleCopies(ops);
  const gaps = regions.flatMap((g) => literalGaps(g.offset, g.offset + g.length, ops));
  const stage = stageConflicts(p.dst.fd as number, ops, sched.literals);
  const literal = unionExtents([...gaps, ...stage.literal]);
  const stagedRanges = stage.staged.map((x) => ({ offset: x.to, length: x.bytes.length }));
  const moved = copiedBytes(sched.copies) + stagedRanges.reduce((a, e) => a + e.length, 0);
  const movedRanges = [...sched.copies.map((c) => ({ offset: c.to, length: c.length })), ...stagedRanges];
  r.totals.changedBlocks = countBlocks([...literal, ...movedRanges, ...grown], p.blockSize);
  if (p.opts.dryRun === true) {
    const lit = await walk(p, r, literal, true);
    r.totals.bytesWritten += moved + lit.bytesWritten;
    r.totals.bytesZeroed += lit.bytesZeroed;
    return { match: 'rolling', movedBytes: moved, literalBytes: lit.bytesWritten + tail.bytesWritten };
  }
  const fd = p.dst.fd as number;
  await applyMoves(
    exec,
    fd,
    sched.copies,
    r.jobs,
    p.holes,
    (c) => (r.totals.bytesWritten += c.length),
    r.signal,
  );
  checkAbort(r.signal);
  r.totals.bytesWritten += writeStaged(fd, stage.staged);
  const after: LocalPlan = {
    ...p,
    dstData: p.dst.isDevice ? [{ offset: 0, length: size }] : dataExtents(fd, size),
  };
  const lit = await walk(after, r, literal, false);
  addWrites(r.totals, lit);
  if (p.opts.verify !== false && movedRanges.length > 0) await verifyMoved(after, r, movedRanges);
  if (!p.dst.isDevice && oldSize > size) truncate(p, size);
  return { match: 'rolling', movedBytes: moved, literalBytes: lit.bytesWritten + tail.bytesWritten };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new BigsyncError('INTERRUPTED', 'interrupted; rerun to continue');
}

/** Blocks that `ranges` touch (ranges disjoint; a block touched twice counts once). */
function countBlocks(ranges: Extent[], blockSize: number): number {
  const seen = new Set<number>();
  for (const e of ranges) {
    const last = Math.floor((e.offset + e.length - 1) / blockSize);
    for (let b = Math.floor(e.offset / blockSize); b <= last; b++) seen.add(b);
  }
  return seen.size;
}

function addWrites(totals: LocalChunkResult, r: LocalChunkResult): void {
  totals.bytesWritten += r.bytesWritten;
  totals.bytesZeroed += r.bytesZeroed;
  totals.verifiedBytes += r.verifiedBytes;
}

/** Compares every moved range with the source; any difference is VERIFY_FAILED. */
async function verifyMoved(p: LocalPlan, r: RollingRun, moved: readonly Extent[]): Promise<void> {
  const ranges = unionExtents(moved);
  const check = await walk(p, r, ranges, true);
  if (check.changedBlocks > 0) {
    throw new BigsyncError(
      'VERIFY_FAILED',
      `target does not hold the source's bytes after moving data within it (${check.changedBlocks} blocks differ); rerun`,
      { blocks: check.changedBlocks },
    );
  }
  r.totals.verifiedBytes += ranges.reduce((a, e) => a + e.length, 0);
}

/** Cuts the target to the source's size, last: its tail may have been a copy source. */
function truncate(p: LocalPlan, size: number): void {
  try {
    fs.ftruncateSync(p.dst.fd as number, size);
  } catch (err) {
    throw toBigsyncError(err, `cannot resize target ${p.dst.path}`);
  }
}
