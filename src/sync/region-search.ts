/**
 * The search step of the rolling match, shared by local and remote syncs: the regions cut into
 * search chunks (core/region-plan.ts), a bounded number of chunks in flight on the executor, the
 * table in shared memory (built once per worker), and each region's results merged in order and
 * cut to the region.
 */
import { randomUUID } from 'node:crypto';
import { mergeOps } from '../core/copy-ops.js';
import type { Extent } from '../core/extent.js';
import { searchPlan } from '../core/region-plan.js';
import type { CopyOp } from '../core/rolling-matcher.js';
import type { Executor } from '../parallel/executor.js';
import { sharedTable, type VerifyByBytes, type VerifyByHash } from '../parallel/rolling-task.js';
import { mapBounded } from './bounded-map.js';
import { trace, traceOn } from './trace.js';

/** What to search with. */
export interface RegionSearch {
  exec: Executor;
  /** Tasks in flight at once. */
  inFlight: number;
  srcFd: number;
  srcSize: number;
  blockSize: number;
  table: { weak: Uint32Array; offsets: Float64Array };
  verify: VerifyByBytes | VerifyByHash;
  /** Probe (auto mode) or scan every position (null). */
  probeWindow: number | null;
}

/** Cuts ops to end inside `region` (a match may run past it where the data is equal anyway). */
function trimTo(region: Extent, ops: CopyOp[]): CopyOp[] {
  const end = region.offset + region.length;
  return ops
    .filter((o) => o.to < end)
    .map((o) => (o.to + o.length <= end ? o : { to: o.to, from: o.from, length: end - o.to }));
}

/** Searches `regions` (sorted) of the source; the copies found, sorted by `to`, each inside its region. */
export async function searchRegions(s: RegionSearch, regions: readonly Extent[]): Promise<CopyOp[]> {
  const shared = sharedTable(s.table.weak, s.table.offsets);
  const tableId = randomUUID();
  const chunks = regions.flatMap((region, i) => searchPlan(region, s.blockSize).map((c) => ({ c, i })));
  const found = await mapBounded(chunks, s.inFlight, ({ c }) =>
    s.exec.rollingMatch({
      kind: 'rolling-match',
      srcFd: s.srcFd,
      srcSize: s.srcSize,
      start: c.offset,
      end: c.offset + c.length,
      blockSize: s.blockSize,
      tableId,
      weak: shared.weak,
      offsets: shared.offsets,
      verify: s.verify,
      probeWindow: s.probeWindow,
    }),
  );
  if (traceOn()) {
    const sum = (k: 'positionsRolled' | 'verifies' | 'failedVerifies' | 'bytesRead'): number =>
      found.reduce((a, x) => a + x[k], 0);
    trace(
      'search',
      `${chunks.length} chunks, rolled ${sum('positionsRolled')}, verifies ${sum('verifies')}, failed ${sum('failedVerifies')}, read ${sum('bytesRead')}`,
    );
  }
  return regions.flatMap((region, i) =>
    trimTo(region, mergeOps(found.filter((_, k) => chunks[k]?.i === i).map((x) => x.ops))),
  );
}
