/**
 * Where the rolling match looks, from the blocks that differ at the same offset: the regions of
 * the source to search, the target blocks to search for, and how a region is cut into chunks for
 * the workers. Pure arithmetic over offsets.
 */
import type { Extent } from './extent.js';

/** Positions per search chunk: a worker reads this much plus one block of the source. */
export const SEARCH_CHUNK = 16 * 1024 * 1024;

/**
 * The source ranges to search: each run of consecutive differing blocks (ascending indices) over
 * [0, common); a source longer than the target adds [common, size), joined to a run that ends there.
 */
export function regionsOf(
  blocks: readonly number[],
  blockSize: number,
  common: number,
  size: number,
): Extent[] {
  const out: Extent[] = [];
  for (let i = 0; i < blocks.length;) {
    let j = i;
    while (j + 1 < blocks.length && (blocks[j + 1] as number) === (blocks[j] as number) + 1) j++;
    const start = (blocks[i] as number) * blockSize;
    const end = Math.min(((blocks[j] as number) + 1) * blockSize, common);
    if (end > start) out.push({ offset: start, length: end - start });
    i = j + 1;
  }
  if (size > common) {
    const last = out.at(-1);
    if (last !== undefined && last.offset + last.length === common) last.length = size - last.offset;
    else out.push({ offset: common, length: size - common });
  }
  return out;
}

/**
 * The target blocks worth searching for: the full blocks among the differing ones, and, when the
 * target is longer than the source, every full block from the one holding the source's end on
 * (data there can only have moved). With `all`, every full block of the target (data that was
 * copied from a block that stayed in place, too). Ascending, each once.
 */
export function tableBlocksOf(
  blocks: readonly number[],
  blockSize: number,
  size: number,
  oldSize: number,
  all = false,
): number[] {
  const full = Math.floor(oldSize / blockSize);
  if (all) return Array.from({ length: full }, (_, b) => b);
  const out = blocks.filter((b) => b < full);
  for (let b = Math.floor(size / blockSize); b < full; b++) {
    if (out.length === 0 || (out.at(-1) as number) < b) out.push(b);
  }
  return out;
}

/** A region cut into search chunks of at most {@link SEARCH_CHUNK} start positions. */
export function searchPlan(region: Extent, blockSize: number): Extent[] {
  const step = Math.max(SEARCH_CHUNK, blockSize);
  const out: Extent[] = [];
  for (let s = region.offset; s < region.offset + region.length; s += step) {
    out.push({ offset: s, length: Math.min(step, region.offset + region.length - s) });
  }
  return out;
}

/** The union of `extents` (any order, may overlap or touch), sorted and disjoint. */
export function unionExtents(extents: readonly Extent[]): Extent[] {
  const sorted = extents.filter((e) => e.length > 0).sort((a, b) => a.offset - b.offset);
  const out: Extent[] = [];
  for (const e of sorted) {
    const last = out.at(-1);
    if (last !== undefined && e.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, e.offset + e.length - last.offset);
    } else out.push({ ...e });
  }
  return out;
}
