/**
 * The worker's half of a local sync: one chunk of the file, walked in pieces of {@link PIECE}
 * bytes that stay in the CPU cache. For each piece it reads the source's and the target's bytes
 * (holes are not read, they are zero-filled), compares them, applies the writes and hole punches
 * to the target in place, and reads back what it changed to verify it. The file descriptors are
 * the main thread's (descriptors are process-wide).
 */
import { countTouchedBlocks, diffPiece, wholePiece, type TargetAction } from '../core/block-diff.js';
import { ExtentCursor } from '../core/chunk-plan.js';
import type { Extent } from '../core/extent.js';
import { isAllZero } from '../core/zero-detect.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import { punchHole } from '../io/hole-punch.js';
import { readFullySync, writeFullySync } from '../io/positional-io.js';

/**
 * Bytes compared per step. Measured on this project's machine (docs/design.md, "Read size"): two
 * 64 KiB buffers read 2 GiB and compared in 0.30 s on one core, two 128 KiB buffers in 0.7 s.
 */
export const PIECE = 64 * 1024;

/** A chunk to sync. Offsets are absolute; extents are clipped to the chunk. */
export interface LocalChunkTask {
  kind: 'local-chunk';
  srcFd: number;
  /** Null in a dry run whose target does not exist (it reads as empty). */
  dstFd: number | null;
  offset: number;
  length: number;
  blockSize: number;
  /** The source's data extents in the chunk; the rest is holes. */
  srcData: Extent[];
  /** The target's data extents in the chunk (the rest reads as zeros). */
  dstData: Extent[];
  mode: 'compare' | 'whole';
  dryRun: boolean;
  /** Zero ranges may become holes (regular-file target and sparse mode). */
  holes: boolean;
  verify: boolean;
}

/** What one chunk did. */
export interface LocalChunkResult {
  changedBlocks: number;
  bytesRead: number;
  bytesWritten: number;
  /** Bytes made to read as zero by punching a hole (or by writing zeros when punching is refused). */
  bytesZeroed: number;
  verifiedBytes: number;
}

const srcBuf = Buffer.allocUnsafe(PIECE);
const dstBuf = Buffer.allocUnsafe(PIECE);
const ZEROS = Buffer.alloc(PIECE);

/** Fills `buf[0, length)` with the file's bytes at `pos`: data extents read, the rest zeroed. */
function readPiece(fd: number | null, buf: Buffer, pos: number, length: number, data: Extent[]): number {
  let cursor = 0;
  let read = 0;
  for (const e of fd === null ? [] : data) {
    const rel = e.offset - pos;
    if (rel > cursor) buf.fill(0, cursor, rel);
    const n = readFullySync(fd as number, buf, rel, e.length, e.offset);
    if (n < e.length) buf.fill(0, rel + n, rel + e.length);
    read += n;
    cursor = rel + e.length;
  }
  if (cursor < length) buf.fill(0, cursor, length);
  return read;
}

function writeZeros(fd: number, position: number, length: number): void {
  for (let done = 0; done < length; done += ZEROS.length) {
    writeFullySync(fd, ZEROS, 0, Math.min(ZEROS.length, length - done), position + done);
  }
}

function apply(fd: number, pos: number, a: TargetAction, holes: boolean): void {
  if (a.kind === 'write') writeFullySync(fd, srcBuf, a.offset, a.length, pos + a.offset);
  else if (!(holes && punchHole(fd, pos + a.offset, a.length))) writeZeros(fd, pos + a.offset, a.length);
}

/** Reads back each changed range and checks it now holds the source's bytes. */
function verify(fd: number, pos: number, actions: TargetAction[]): number {
  let verified = 0;
  for (const a of actions) {
    const n = readFullySync(fd, dstBuf, a.offset, a.length, pos + a.offset);
    const back = dstBuf.subarray(a.offset, a.offset + a.length);
    const want = srcBuf.subarray(a.offset, a.offset + a.length);
    if (n !== a.length || !(a.kind === 'zero' ? isAllZero(back) : back.equals(want))) {
      throw new BigsyncError(
        'VERIFY_FAILED',
        `target does not hold the written bytes at offset ${pos + a.offset}`,
        {
          offset: pos + a.offset,
          length: a.length,
        },
      );
    }
    verified += a.length;
  }
  return verified;
}

/** Runs one chunk. Errors carry the offset they happened at; ENOSPC becomes NO_SPACE. */
export function runLocalChunk(task: LocalChunkTask): LocalChunkResult {
  const r: LocalChunkResult = {
    changedBlocks: 0,
    bytesRead: 0,
    bytesWritten: 0,
    bytesZeroed: 0,
    verifiedBytes: 0,
  };
  const srcCur = new ExtentCursor(task.srcData);
  const dstCur = new ExtentCursor(task.dstData);
  const end = task.offset + task.length;
  let lastBlock = -1;
  for (let pos = task.offset; pos < end; pos += PIECE) {
    const len = Math.min(PIECE, end - pos);
    let actions: TargetAction[];
    try {
      r.bytesRead += readPiece(task.srcFd, srcBuf, pos, len, srcCur.clip(pos, pos + len));
      if (task.mode === 'whole') {
        actions = wholePiece(srcBuf, len, { zeroAsHole: task.holes });
      } else {
        r.bytesRead += readPiece(task.dstFd, dstBuf, pos, len, dstCur.clip(pos, pos + len));
        actions = diffPiece(srcBuf, dstBuf, len, { zeroAsHole: task.holes });
      }
    } catch (err) {
      throw toBigsyncError(err, `read failed at offset ${pos}`, { offset: pos });
    }
    if (actions.length === 0) continue;
    const touched = countTouchedBlocks(actions, pos, task.blockSize, lastBlock);
    r.changedBlocks += touched.count;
    lastBlock = touched.lastBlock;
    for (const a of actions) {
      if (a.kind === 'write') r.bytesWritten += a.length;
      else r.bytesZeroed += a.length;
    }
    if (task.dryRun || task.dstFd === null) continue;
    try {
      for (const a of actions) apply(task.dstFd, pos, a, task.holes);
      if (task.verify) r.verifiedBytes += verify(task.dstFd, pos, actions);
    } catch (err) {
      throw toBigsyncError(err, `write failed at offset ${pos}`, { offset: pos });
    }
  }
  return r;
}
