/**
 * Worker tasks of remote sync: hash a run of consecutive blocks of a file (for BLOCK_HASHES and for
 * verification), and hash the pages of chosen blocks (for SUBHASHES). Files are read in 64 KiB
 * pieces that stay in the CPU cache; holes are not read.
 */
import { BLOCK_HASH_LENGTH, BlockHashState } from '../core/block-hash.js';
import { ExtentCursor } from '../core/chunk-plan.js';
import type { Extent } from '../core/extent.js';
import { isAllZero } from '../core/zero-detect.js';
import { toBigsyncError } from '../errors.js';
import { readFullySync } from '../io/positional-io.js';
import { weakOf } from '../io/weak-sums.js';
import { pageTags } from '../io/gmac-pages.js';

const PIECE = 64 * 1024;
const piece = Buffer.allocUnsafe(PIECE);

/** Hash blocks [firstBlock, firstBlock + count) of the file open as `fd`. */
export interface HashBlocksTask {
  kind: 'hash-blocks';
  fd: number;
  firstBlock: number;
  count: number;
  blockSize: number;
  /** The file's size: the last block may be short. */
  size: number;
  /** The file's data extents within the range (the rest reads as zeros); null: all data. */
  data: Extent[] | null;
  key: Uint8Array;
  /** Also the weak (rolling) checksum of each full block, for a receiver expecting a rolling match. */
  weak?: boolean;
}

/** Tags of the blocks, 16 bytes each, and a zero flag per block (1: all-zero, tag left blank). */
export interface HashBlocksResult {
  tags: Uint8Array;
  zero: Uint8Array;
  bytesRead: number;
  /** With `weak`: per block its weak checksum (0 for a short last block or an all-zero one). */
  weak?: Uint32Array;
}

/**
 * Adds a piece's weak checksum to its block's: with o the piece's offset in the block, m its
 * length and L the block's, sum (L - i) x_i over the piece is the piece's own b plus (L - o - m) a.
 */
function addPieceWeak(acc: { a: number; b: number }, w: number, after: number): void {
  const pa = w & 0xffff;
  acc.a = (acc.a + pa) & 0xffff;
  acc.b = (acc.b + (w >>> 16) + Math.imul(after & 0xffff, pa)) & 0xffff;
}

function readAt(
  fd: number,
  pos: number,
  len: number,
  cur: ExtentCursor | null,
): { bytes: number; zero: boolean } {
  if (cur === null) {
    const n = readFullySync(fd, piece, 0, len, pos);
    if (n < len) piece.fill(0, n, len);
    return { bytes: n, zero: isAllZero(piece, 0, len) };
  }
  const parts = cur.clip(pos, pos + len);
  if (parts.length === 0) return { bytes: 0, zero: true };
  piece.fill(0, 0, len);
  let bytes = 0;
  for (const e of parts) bytes += readFullySync(fd, piece, e.offset - pos, e.length, e.offset);
  return { bytes, zero: isAllZero(piece, 0, len) };
}

/** Runs a {@link HashBlocksTask}. */
export function runHashBlocks(t: HashBlocksTask): HashBlocksResult {
  const tags = new Uint8Array(t.count * BLOCK_HASH_LENGTH);
  const zero = new Uint8Array(t.count);
  const cur = t.data === null ? null : new ExtentCursor(t.data);
  const weak = t.weak === true ? new Uint32Array(t.count) : undefined;
  let bytesRead = 0;
  try {
    for (let i = 0; i < t.count; i++) {
      const start = (t.firstBlock + i) * t.blockSize;
      const end = Math.min(start + t.blockSize, t.size);
      const full = weak !== undefined && end - start === t.blockSize;
      const acc = { a: 0, b: 0 };
      const h = new BlockHashState(t.key);
      for (let pos = start; pos < end; pos += PIECE) {
        const len = Math.min(PIECE, end - pos);
        const r = readAt(t.fd, pos, len, cur);
        bytesRead += r.bytes;
        h.update(piece.subarray(0, len), r.zero);
        if (full && !r.zero) addPieceWeak(acc, weakOf(piece, len), end - pos - len);
      }
      const tag = h.finish();
      if (tag === null) zero[i] = 1;
      else tags.set(tag, i * BLOCK_HASH_LENGTH);
      if (full && tag !== null) (weak as Uint32Array)[i] = ((acc.b << 16) | acc.a) >>> 0;
    }
  } catch (err) {
    throw toBigsyncError(err, `read failed hashing block ${t.firstBlock}`, { block: t.firstBlock });
  }
  return weak === undefined ? { tags, zero, bytesRead } : { tags, zero, bytesRead, weak };
}

/** Page hashes of chosen blocks. */
export interface PageHashesTask {
  kind: 'page-hashes';
  fd: number;
  blocks: number[];
  blockSize: number;
  pageSize: number;
  size: number;
  key: Uint8Array;
}

/** For each block, its page hashes concatenated (16 bytes a page). */
export interface PageHashesResult {
  hashes: Uint8Array[];
}

let blockBuf = Buffer.alloc(0);

/** Runs a {@link PageHashesTask}. */
export function runPageHashes(t: PageHashesTask): PageHashesResult {
  if (blockBuf.length < t.blockSize) blockBuf = Buffer.allocUnsafe(t.blockSize);
  const hashes: Uint8Array[] = [];
  for (const b of t.blocks) {
    const start = b * t.blockSize;
    const len = Math.min(t.blockSize, t.size - start);
    const n = readFullySync(t.fd, blockBuf, 0, len, start);
    if (n < len) blockBuf.fill(0, n, len);
    hashes.push(pageTags(t.key, blockBuf.subarray(0, len), t.pageSize));
  }
  return { hashes };
}
