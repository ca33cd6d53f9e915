/**
 * Derivations: copy an image, then mutate the copy deterministically to make an "old version"
 * that differs from the source in a known way. Every mutation returns the bytes it changed.
 *
 * A changed range is rewritten as old XOR Keystream(seed): random-looking, and each byte differs
 * from its old value unless its keystream byte is 0 (probability 1/256). "Bytes changed" counts
 * the ranges rewritten; each such range differs from what it held (for ranges of 16 bytes or more,
 * an unchanged range has probability below 2^-128).
 */
import { open, stat, truncate } from 'node:fs/promises';
import { IO_BUFFER, readFully, writeFully, writeSkippingZeros, type Extent } from './file-io.js';
import { applyEdits } from './image-edits.js';
import { Keystream, SeededRng, selectSorted } from './seeded-random.js';

/** Options of {@link copyImage}. */
export interface CopyImageOptions {
  /** Copy only the first `length` bytes (default: the whole source). */
  length?: number;
}

/**
 * Copies `src` to `dst` (created or replaced), keeping sparseness: `dst` is truncated to the size,
 * and 64 KiB regions that are all zero in the source are not written, so they are holes in `dst`.
 * Returns the bytes written. Reads holes of the source (Node has no SEEK_DATA), so copying a
 * mostly-empty 64 GiB file reads 64 GiB.
 */
export async function copyImage(src: string, dst: string, opts: CopyImageOptions = {}): Promise<number> {
  const size = Math.min(opts.length ?? Infinity, (await stat(src)).size);
  const buf = Buffer.alloc(IO_BUFFER);
  const input = await open(src, 'r');
  try {
    const output = await open(dst, 'w');
    try {
      await output.truncate(size);
      let written = 0;
      for (let pos = 0; pos < size; pos += buf.length) {
        const want = Math.min(buf.length, size - pos);
        const got = await readFully(input, buf, want, pos);
        if (got !== want) throw new Error(`${src} shrank while copying (short read at ${pos + got})`);
        written += await writeSkippingZeros(output, buf, got, pos);
      }
      return written;
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/** Options of {@link changeBlocks}. */
export interface ChangeBlocksOptions {
  /** Choose blocks only inside these extents (e.g. the data of a sparse image); default the whole file. */
  within?: readonly Extent[];
}

/**
 * Rewrites `fraction` of the `blockSize`-aligned blocks of `path` (exactly round(fraction * blocks)
 * distinct blocks, every set equally likely) with old XOR Keystream(seed). The last block of the
 * file or of an extent may be short. Returns the bytes changed (sum of the rewritten blocks).
 *
 * @param fraction 0..1; 1 rewrites every block.
 * @param blockSize block size in bytes, e.g. 1 MiB for clustered changes, 4096 for random writes.
 * @param seed the seed string; block choice uses SeededRng(seed), new bytes Keystream(seed).
 */
export async function changeBlocks(
  path: string,
  fraction: number,
  blockSize: number,
  seed: string,
  opts: ChangeBlocksOptions = {},
): Promise<number> {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in 0..1, got ${fraction}`);
  if (!(Number.isSafeInteger(blockSize) && blockSize > 0))
    throw new RangeError(`bad block size ${blockSize}`);
  const extents = opts.within ?? [{ offset: 0, length: (await stat(path)).size }];
  const blocks = extents.reduce((n, e) => n + Math.ceil(e.length / blockSize), 0);
  const count = fraction > 0 ? Math.max(1, Math.round(fraction * blocks)) : 0;
  const chosen = selectSorted(new SeededRng(seed), blocks, Math.min(blocks, count));
  const keys = new Keystream(seed);
  const fh = await open(path, 'r+');
  try {
    let changed = 0;
    let next = chosen.next();
    let index = 0;
    for (const e of extents) {
      for (let pos = 0; pos < e.length && !next.done; pos += blockSize, index++) {
        if (next.value !== index) continue;
        changed += await rewriteRange(fh, keys, e.offset + pos, Math.min(blockSize, e.length - pos));
        next = chosen.next();
      }
    }
    return changed;
  } finally {
    await fh.close();
  }
}

/**
 * Models a guest doing random small writes: rewrites distinct, `writeSize`-aligned ranges of
 * `writeSize` bytes (4096 in the benchmark) covering round(fraction * size / writeSize) of them,
 * each with old XOR Keystream(seed + "/scatter"). Returns the bytes changed.
 *
 * @param writeSize size and alignment of each write; a multiple of 512.
 * @param seed the seed string (choices: SeededRng(seed + "/scatter")).
 */
export async function scatterWrites(
  path: string,
  fraction: number,
  writeSize: number,
  seed: string,
): Promise<number> {
  if (writeSize % 512 !== 0) throw new RangeError(`writeSize must be a multiple of 512, got ${writeSize}`);
  return changeBlocks(path, fraction, writeSize, `${seed}/scatter`);
}

/**
 * Writes `src` with `bytes` inserted before its byte at `offset` to `dst` (created or replaced):
 * every byte from `offset` on moves `bytes.length` further. Streams with one 4 MiB buffer, so it
 * works for images of any size, and keeps holes as {@link copyImage} does. Returns the bytes
 * inserted (the bytes of `dst` that differ from `src`, counting the shifted data as moved).
 *
 * @param offset where the bytes go, 0..size of `src` (any offset; block alignment not needed).
 * @throws RangeError when `offset` is past the end of `src`.
 */
export async function insertBytes(src: string, dst: string, offset: number, bytes: Buffer): Promise<number> {
  await applyEdits(src, dst, [{ kind: 'insert', offset, data: bytes }]);
  return bytes.length;
}

/** Truncates or extends (with a hole) `path` to `size` bytes. */
export async function truncateTo(path: string, size: number): Promise<void> {
  await truncate(path, size);
}

async function rewriteRange(
  fh: import('node:fs/promises').FileHandle,
  keys: Keystream,
  offset: number,
  length: number,
): Promise<number> {
  for (let pos = 0; pos < length; pos += IO_BUFFER) {
    const len = Math.min(IO_BUFFER, length - pos);
    const buf = Buffer.alloc(len);
    const got = await readFully(fh, buf, len, offset + pos);
    if (got !== len) throw new Error(`short read at ${offset + pos}: file changed size`);
    keys.xorInto(buf);
    await writeFully(fh, buf, offset + pos);
  }
  return length;
}
