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
      r.changed?.push(Math.floor(pos / B));
      r.changedBlocks++;
      pos = blockEnd;
    } else pos += len;
  }
  return r;
}

const flags = new Uint8Array(1024);

/** Marks the blocks of the pieces flagged by a native compare of [pos, pos + length). */
function markFlagged(
  task: LocalChunkTask,
  pos: number,
  length: number,
  differing: number,
  changed: number[],
): void {
  for (let i = 0; differing > 0 && i * PIECE < length; i++) {
    if (flags[i] !== 1) continue;
    const first = Math.floor((pos + i * PIECE) / task.blockSize);
    const last = Math.floor((pos + Math.min(length, (i + 1) * PIECE) - 1) / task.blockSize);
    for (let k = first; k <= last; k++)
      if (changed.length === 0 || (changed.at(-1) as number) < k) changed.push(k);
  }
}

/**
 * Where both files hold data over whole blocks from `pos` (a block boundary), compares them in
 * one native call and marks the differing blocks; returns where that run ends, or `pos` when the
 * native path does not apply here (holes, no addon, not at a block boundary).
 */
function nativeRun(
  task: LocalChunkTask,
  both: Extent[],
  pos: number,
  end: number,
  r: LocalChunkResult,
): number {
  const B = task.blockSize;
  if (task.dstFd === null || pos % B !== 0) return pos;
  const e = both.find((x) => x.offset <= pos && x.offset + x.length > pos);
  if (e === undefined) return pos;
  const stop = Math.min(end, e.offset + e.length);
  const runEnd = Math.min(
    stop === end ? end : pos + Math.floor((stop - pos) / B) * B,
    pos + flags.length * PIECE,
  );
  if (runEnd <= pos) return pos;
  const n = comparePieces(task.srcFd, task.dstFd, pos, runEnd - pos, PIECE, flags);
  if (n === null) return pos;
  r.bytesRead += 2 * (runEnd - pos);
  const before = r.changed?.length ?? 0;
  markFlagged(task, pos, runEnd - pos, n, r.changed as number[]);
  r.changedBlocks += (r.changed?.length ?? 0) - before;
  return runEnd;
}

/**
 * The native path for a chunk where both files hold data throughout: one pread + memcmp loop over
 * it, then the blocks of the differing pieces. Null when the addon lacks it, the chunk has holes or
 * it is too long for one call.
 */
function scanNative(task: LocalChunkTask): LocalChunkResult | null {
  const dense = (d: readonly { length: number }[]): boolean =>
    d.reduce((a, e) => a + e.length, 0) === task.length;
  // sparse chunks go the JS way, which skips a hole facing a hole without reading either
  if (
    task.dstFd === null ||
    task.length > flags.length * PIECE ||
    !dense(task.srcData) ||
    !dense(task.dstData)
  )
    return null;
  const n = comparePieces(task.srcFd, task.dstFd, task.offset, task.length, PIECE, flags);
  if (n === null) return null;
  const changed: number[] = [];
  for (let i = 0; n > 0 && i * PIECE < task.length; i++) {
    if (flags[i] !== 1) continue;
    const b = Math.floor((task.offset + i * PIECE) / task.blockSize);
    const last = Math.floor((task.offset + Math.min(task.length, (i + 1) * PIECE) - 1) / task.blockSize);
    for (let k = b; k <= last; k++)
      if (changed.length === 0 || (changed.at(-1) as number) < k) changed.push(k);
  }
  return {
    changedBlocks: changed.length,
    bytesRead: 2 * task.length,
    bytesWritten: 0,
    bytesZeroed: 0,
    verifiedBytes: 0,
    changed,
  };
}
