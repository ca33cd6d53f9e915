/**
 * The plan of a local sync and the chunk tasks made from it: the aligned pass walks the whole
 * file; the phases of the rolling match walk chosen ranges (the differing regions, the literal
 * ranges, the ranges to verify). Chunks never cross a chunk boundary of the whole-file walk, so a
 * range split here reads like the aligned pass does.
 */
import { chunkSizeFor, ExtentCursor } from '../core/chunk-plan.js';
import type { Extent } from '../core/extent.js';
import type { OpenedSource } from '../io/open-source.js';
import type { OpenedTarget } from '../io/open-target.js';
import type { LocalChunkTask } from '../parallel/local-chunk-task.js';
import type { LocalSyncOptions } from './local-sync.js';

/** A local sync, opened and measured. */
export interface LocalPlan {
  src: OpenedSource;
  dst: OpenedTarget;
  blockSize: number;
  srcData: Extent[];
  /** The target's data extents (over its size before the sync in the rolling match). */
  dstData: Extent[];
  holes: boolean;
  opts: LocalSyncOptions;
}

/** How the tasks of one walk differ from the plan's defaults. */
export interface TaskOverrides {
  dryRun?: boolean;
  collect?: boolean;
}

/**
 * The tasks over `ranges` (sorted, disjoint), lazily; chunks with nothing to read or write are
 * counted in `skipped`, not yielded.
 */
export function* rangeTasks(
  p: LocalPlan,
  ranges: readonly Extent[],
  skipped: { bytes: number },
  o: TaskOverrides = {},
): Generator<LocalChunkTask> {
  const step = chunkSizeFor(p.blockSize);
  const srcCur = new ExtentCursor(p.srcData);
  const dstCur = new ExtentCursor(p.dstData);
  const whole = p.opts.wholeFile === true;
  for (const r of ranges) {
    for (let offset = r.offset; offset < r.offset + r.length;) {
      const end = Math.min(r.offset + r.length, (Math.floor(offset / step) + 1) * step);
      const length = end - offset;
      const srcData = srcCur.clip(offset, end);
      const dstData = dstCur.clip(offset, end);
      if (srcData.length === 0 && dstData.length === 0 && (p.holes || !whole)) skipped.bytes += length;
      else yield task(p, offset, length, srcData, dstData, o);
      offset = end;
    }
  }
}

function task(
  p: LocalPlan,
  offset: number,
  length: number,
  srcData: Extent[],
  dstData: Extent[],
  o: TaskOverrides,
): LocalChunkTask {
  return {
    kind: 'local-chunk',
    srcFd: p.src.fd,
    dstFd: p.dst.fd,
    offset,
    length,
    blockSize: p.blockSize,
    srcData,
    dstData,
    mode: p.opts.wholeFile === true ? 'whole' : 'compare',
    dryRun: o.dryRun ?? p.opts.dryRun === true,
    holes: p.holes,
    verify: p.opts.verify !== false,
    ...(o.collect === true ? { collect: true } : {}),
  };
}
