/**
 * The first pass of the rolling match: which blocks of a chunk differ at the same offset. A block
 * is read piece by piece only until its first differing piece (a shifted file differs in its
 * first piece, so this reads about half of each file); nothing is written.
 */
import { ExtentCursor } from '../core/chunk-plan.js';
import { toBigsyncError } from '../errors.js';
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
