/**
 * The first pass of the rolling match: which blocks of a chunk differ at the same offset. A block
 * is read piece by piece only until its first differing piece (a shifted file differs in its
 * first piece, so this reads about half of each file); nothing is written.
 */
import { ExtentCursor } from '../core/chunk-plan.js';
import { intersectExtents, type Extent } from '../core/extent.js';
import { toBigsyncError } from '../errors.js';
import { comparePieces } from '../io/piece-compare.js';
import {
  dstBuf,
  PIECE,
  readPiece,
  srcBuf,
  type LocalChunkResult,
  type LocalChunkTask,
} from './local-chunk-task.js';

/** Runs a chunk task with `collect`: lists its differing blocks in `changed`. */
export function scanBlocks(task: LocalChunkTask): LocalChunkResult {
  const fast = scanNative(task);
  if (fast !== null) return fast;
  const r: LocalChunkResult = {
    changedBlocks: 0,
    bytesRead: 0,
    bytesWritten: 0,
    bytesZeroed: 0,
    verifiedBytes: 0,
    changed: [],
  };
  const srcCur = new ExtentCursor(task.srcData);
  const dstCur = new ExtentCursor(task.dstData);
  const B = task.blockSize;
  const end = task.offset + task.length;
  const both = intersectExtents(task.srcData, task.dstData);
  for (let pos = task.offset; pos < end;) {
    const next = nativeRun(task, both, pos, end, r);
    if (next > pos) {
      pos = next;
      continue;
    }
    const blockEnd = Math.min(end, (Math.floor(pos / B) + 1) * B);
    const len = Math.min(PIECE, blockEnd - pos);
    const srcParts = srcCur.clip(pos, pos + len);
    const dstParts = dstCur.clip(pos, pos + len);
    let differs = false;
    if (srcParts.length > 0 || dstParts.length > 0) {
      try {
        r.bytesRead += readPiece(task.srcFd, srcBuf, pos, len, srcParts);
        r.bytesRead += readPiece(task.dstFd, dstBuf, pos, len, dstParts);
      } catch (err) {
        throw toBigsyncError(err, `read failed at offset ${pos}`, { offset: pos });
      }
      differs = !srcBuf.subarray(0, len).equals(dstBuf.subarray(0, len));
    }
    if (differs) {
      const b = Math.floor(pos / B);
      // a native run may have marked this block already, from an earlier part of it
      if (r.changed?.at(-1) !== b) {
        r.changed?.push(b);
        r.changedBlocks++;
      }
      pos = blockEnd;
    } else pos += len;
  }
  return r;
}

const flags = new Uint8Array(1024);

/**
 * The piece size of a native compare: 64 KiB when that divides the block, the block when it is
 * smaller, so a differing piece lies in one block and marks only it; null for an odd block size
 * (larger than 64 KiB, not a multiple of it), which takes the JS path.
 */
function pieceOf(blockSize: number): number | null {
  if (blockSize % PIECE === 0) return PIECE;
  return blockSize < PIECE ? blockSize : null;
}

/** Marks the blocks of the pieces flagged by a native compare of [pos, pos + length). */
function markFlagged(
  blockSize: number,
  piece: number,
  pos: number,
  length: number,
  differing: number,
  changed: number[],
): void {
  for (let i = 0; differing > 0 && i * piece < length; i++) {
    if (flags[i] !== 1) continue;
    const b = Math.floor((pos + i * piece) / blockSize);
    if (changed.length === 0 || (changed.at(-1) as number) < b) changed.push(b);
  }
}

/**
 * Where both files hold data from `pos`, compares that run (up to its end, `end` or what `flags`
 * holds) in one native call and marks the blocks of the differing pieces; returns where the run
 * ends, or `pos` when the native path does not apply here (a hole on either side, no addon, an
 * odd block size). Data extents often follow 4 KiB pages, not blocks: a run that starts off the
 * piece grid first compares up to the next piece boundary, so no piece straddles two blocks.
 */
function nativeRun(
  task: LocalChunkTask,
  both: Extent[],
  pos: number,
  end: number,
  r: LocalChunkResult,
): number {
  const piece = pieceOf(task.blockSize);
  if (task.dstFd === null || piece === null) return pos;
  const e = both.find((x) => x.offset <= pos && x.offset + x.length > pos);
  if (e === undefined) return pos;
  const aligned = pos % piece === 0 ? Infinity : pos - (pos % piece) + piece;
  const runEnd = Math.min(end, e.offset + e.length, aligned, pos + flags.length * piece);
  const n = comparePieces(task.srcFd, task.dstFd, pos, runEnd - pos, piece, flags);
  if (n === null) return pos;
  r.bytesRead += 2 * (runEnd - pos);
  const before = r.changed?.length ?? 0;
  markFlagged(task.blockSize, piece, pos, runEnd - pos, n, r.changed as number[]);
  r.changedBlocks += (r.changed?.length ?? 0) - before;
  return runEnd;
}

/**
 * The native path for a chunk where both files hold data throughout: one pread + memcmp loop over
 * it, then the blocks of the differing pieces. Null when the addon lacks it, the chunk has holes or
 * it is too long for one call.
 */
function scanNative(task: LocalChunkTask): LocalChunkResult | null {
  const piece = pieceOf(task.blockSize);
  const dense = (d: readonly { length: number }[]): boolean =>
    d.reduce((a, e) => a + e.length, 0) === task.length;
  // sparse chunks go the run-by-run way, which skips a hole facing a hole without reading either
  if (
    task.dstFd === null ||
    piece === null ||
    task.offset % piece !== 0 ||
    task.length > flags.length * piece ||
    !dense(task.srcData) ||
    !dense(task.dstData)
  )
    return null;
  const n = comparePieces(task.srcFd, task.dstFd, task.offset, task.length, piece, flags);
  if (n === null) return null;
  const changed: number[] = [];
  markFlagged(task.blockSize, piece, task.offset, task.length, n, changed);
  return {
    changedBlocks: changed.length,
    bytesRead: 2 * task.length,
    bytesWritten: 0,
    bytesZeroed: 0,
    verifiedBytes: 0,
    changed,
  };
}
