/**
 * The first pass of the rolling match: which blocks of a chunk differ at the same offset. A block
 * is read piece by piece only until its first differing piece (a shifted file differs in its
 * first piece, so this reads about half of each file); nothing is written.
 */
import { ExtentCursor } from '../core/chunk-plan.js';
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
  for (let pos = task.offset; pos < end;) {
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
