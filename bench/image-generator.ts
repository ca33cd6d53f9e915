/**
 * Seeded generators of large test images (STYLE rule 11: test data from seeds, with provenance).
 *
 * Every generator is a pure function of its parameters: the same path contents for the same
 * (size, seed, options) on every machine. Bytes come from {@link Keystream} (AES-128-CTR keyed by
 * SHA-256 of the seed), choices from {@link SeededRng}. Files are written with large positional
 * writes from one reused buffer, so memory stays bounded (a few MiB) whatever the size.
 *
 * The derivations that turn a copy of an image into a changed "old version" live in
 * image-derive.ts, the edits that move data (insertions, deletions) in image-edits.ts; both are
 * re-exported here.
 */
import { open } from 'node:fs/promises';
import { IO_BUFFER, REGION, writeFully, writeSkippingZeros, type Extent } from './file-io.js';
import { Keystream, SeededRng, selectSorted } from './seeded-random.js';
import { buildTextPool } from './text-pool.js';

export * from './image-derive.js';
export * from './image-edits.js';
export type { Extent } from './file-io.js';

/** Options of {@link writeVmImage}. The defaults model a used VM disk. */
export interface VmImageOptions {
  /** Size of the regions whose kind is chosen; default 64 KiB. */
  regionSize?: number;
  /** Probability that a region is all zero (left as a hole); default 1/3. */
  zeroFraction?: number;
  /** Probability that a region is compressible text; default 1/6. The rest is random. */
  textFraction?: number;
}

/** What {@link writeVmImage} wrote, by region kind (they add up to the size). */
export interface VmImageStats {
  zeroBytes: number;
  textBytes: number;
  randomBytes: number;
}

/**
 * Writes a VM-like image of `size` bytes at `path` (created or replaced). Each region (64 KiB by
 * default) is, by a seeded choice, all zero (about 1/3; left as a hole, so the file is sparse),
 * text (about 1/6; newline-separated words of a small fixed vocabulary) or random (the rest).
 *
 * @param path file to create or replace.
 * @param size apparent size in bytes (any safe integer >= 0; the last region may be short).
 * @param seed the seed string; choices use SeededRng(seed), random bytes Keystream(seed), the text
 *   pool Keystream(seed + "/text").
 * @param opts region size and kind probabilities, see {@link VmImageOptions}.
 */
export async function writeVmImage(
  path: string,
  size: number,
  seed: string,
  opts: VmImageOptions = {},
): Promise<VmImageStats> {
  const regionSize = opts.regionSize ?? REGION;
  const zeroP = opts.zeroFraction ?? 1 / 3;
  const textP = zeroP + (opts.textFraction ?? 1 / 6);
  const rng = new SeededRng(seed);
  const keys = new Keystream(seed);
  const pool = buildTextPool(`${seed}/text`, regionSize);
  const stats: VmImageStats = { zeroBytes: 0, textBytes: 0, randomBytes: 0 };
  const perBuffer = Math.max(1, Math.floor(IO_BUFFER / regionSize));
  const buf = Buffer.alloc(perBuffer * regionSize);
  const fh = await open(path, 'w');
  try {
    await fh.truncate(size);
    for (let base = 0; base < size; base += buf.length) {
      const length = Math.min(buf.length, size - base);
      for (let pos = 0; pos < length; pos += regionSize) {
        const end = Math.min(pos + regionSize, length);
        const p = rng.float();
        if (p < zeroP) {
          buf.fill(0, pos, end);
          stats.zeroBytes += end - pos;
        } else if (p < textP) {
          const from = rng.below(pool.length - regionSize + 1);
          pool.copy(buf, pos, from, from + (end - pos));
          stats.textBytes += end - pos;
        } else {
          keys.fill(buf, pos, end);
          stats.randomBytes += end - pos;
        }
      }
      await writeSkippingZeros(fh, buf, length, base);
    }
  } finally {
    await fh.close();
  }
  return stats;
}

/** What {@link writeSparseImage} wrote: its data extents in increasing offset order. */
export interface SparseImageLayout {
  extents: Extent[];
  dataBytes: number;
}

/**
 * Writes a sparse image: `size` bytes apparent, holding `dataBytes` of random data in extents of
 * `extentSize` (1 MiB by default; the last one may be shorter) at seeded, extent-aligned, distinct
 * offsets; everything else is a hole. E.g. 64 GiB holding 256 MiB.
 *
 * @param seed the seed string; extent choice uses SeededRng(seed), data Keystream(seed).
 * @throws RangeError when the data does not fit in the size.
 */
export async function writeSparseImage(
  path: string,
  size: number,
  dataBytes: number,
  seed: string,
  extentSize = 1 << 20,
): Promise<SparseImageLayout> {
  const slots = Math.floor(size / extentSize);
  const count = Math.ceil(dataBytes / extentSize);
  if (count > slots) throw new RangeError(`${dataBytes} data bytes do not fit in ${size} bytes`);
  const rng = new SeededRng(seed);
  const keys = new Keystream(seed);
  const extents: Extent[] = [];
  const fh = await open(path, 'w');
  try {
    await fh.truncate(size);
    let left = dataBytes;
    for (const slot of selectSorted(rng, slots, count)) {
      const extent = { offset: slot * extentSize, length: Math.min(extentSize, left) };
      await writeRandom(fh, keys, extent);
      extents.push(extent);
      left -= extent.length;
    }
  } finally {
    await fh.close();
  }
  return { extents, dataBytes };
}

async function writeRandom(
  fh: import('node:fs/promises').FileHandle,
  keys: Keystream,
  extent: Extent,
): Promise<void> {
  for (let pos = 0; pos < extent.length; pos += IO_BUFFER) {
    const len = Math.min(IO_BUFFER, extent.length - pos);
    await writeFully(fh, keys.next(len), extent.offset + pos);
  }
}

/** Options of {@link patternImage}. */
export interface PatternImageOptions {
  /** How many distinct 4 KiB patterns; default 4. */
  patterns?: number;
  /** Probability that a block gets a small random edit; default 1/16. 0 gives the bare layout of patterns. */
  editProbability?: number;
}

/**
 * Writes a worst case for matchers that index blocks by content: every 4 KiB block is one of a few
 * random patterns (seeded choice), and about one block in 16 has 1..16 bytes overwritten at a
 * random offset, so most blocks collide on weak and strong checksums alike.
 *
 * @param seed the seed string; patterns and edits use Keystream(seed), choices SeededRng(seed).
 */
export async function patternImage(
  path: string,
  size: number,
  seed: string,
  opts: PatternImageOptions = {},
): Promise<void> {
  const block = 4096;
  const rng = new SeededRng(seed);
  const keys = new Keystream(seed);
  const patterns = Array.from({ length: opts.patterns ?? 4 }, () => keys.next(block));
  const editP = opts.editProbability ?? 1 / 16;
  const buf = Buffer.alloc(IO_BUFFER);
  const fh = await open(path, 'w');
  try {
    for (let base = 0; base < size; base += buf.length) {
      const length = Math.min(buf.length, size - base);
      for (let pos = 0; pos < length; pos += block) {
        const end = Math.min(pos + block, length);
        patterns[rng.below(patterns.length)]?.copy(buf, pos, 0, end - pos);
        if (rng.float() < editP) {
          const at = pos + rng.below(end - pos);
          keys.fill(buf, at, Math.min(end, at + 1 + rng.below(16)));
        }
      }
      await writeFully(fh, buf.subarray(0, length), base);
    }
  } finally {
    await fh.close();
  }
}
