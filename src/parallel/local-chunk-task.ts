/**
 * The worker's half of a local sync: one chunk of the file, walked in pieces of {@link PIECE}
 * bytes that stay in the CPU cache. For each piece it reads the source's and the target's bytes
 * (holes are not read, they are zero-filled), compares them, applies the writes and hole punches
 * to the target in place, and reads back what it changed to verify it. The file descriptors are
 * the main thread's (descriptors are process-wide).
 */
import { countTouchedBlocks, diffPiece, wholePiece, type TargetAction } from '../core/block-diff.js';
import { ExtentCursor, PIECE } from '../core/chunk-plan.js';
import { extentsTotal, intersectExtents, unionExtents, type Extent } from '../core/extent.js';
import { isAllZero } from '../core/zero-detect.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import { zeroRange } from '../io/hole-punch.js';
import { comparePieces } from '../io/piece-compare.js';
import { readFullySync, writeFullySync } from '../io/positional-io.js';
import { scanBlocks } from './block-scan.js';

export { PIECE };

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
  /**
   * Only list the blocks that differ (in {@link LocalChunkResult.changed}), reading each block
   * only up to its first differing piece; nothing is written or counted but bytes read. The
   * rolling match's first pass.
   */
  collect?: boolean;
  /**
   * Ranges already compared equal (by the main thread's threaded compare over
   * {@link compareRunsOf}'s runs), sorted and on the piece grid: skipped. The pieces of those runs
   * outside them are known to differ and go to the JS path without the native compare.
   */
  equal?: Extent[];
  /**
   * Leave the zero runs to the caller (in {@link LocalChunkResult.zeros}) instead of punching them
   * here: the main thread punches them off-thread while the chunks go on.
   */
  deferZeros?: boolean;
}

/** What one chunk did. */
export interface LocalChunkResult {
  changedBlocks: number;
  bytesRead: number;
  bytesWritten: number;
  /** Bytes made to read as zero by punching a hole (or by writing zeros when punching is refused). */
  bytesZeroed: number;
  verifiedBytes: number;
  /** With `collect`: the indices of the blocks that differ, ascending. */
  changed?: number[];
  /** With `deferZeros`: the ranges still to make read as zeros (holes), sorted; not yet verified. */
  zeros?: Extent[];
}

/** The piece buffers of this thread (also used by block-scan.ts). */
export const srcBuf = Buffer.allocUnsafe(PIECE);
export const dstBuf = Buffer.allocUnsafe(PIECE);

/** Fills `buf[0, length)` with the file's bytes at `pos`: data extents read, the rest zeroed. */
export function readPiece(
  fd: number | null,
  buf: Buffer,
  pos: number,
  length: number,
  data: Extent[],
): number {
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

function failVerify(offset: number, length: number): never {
  throw new BigsyncError('VERIFY_FAILED', `target does not hold the written bytes at offset ${offset}`, {
    offset,
    length,
  });
}

/**
 * Zero ranges are not applied piece by piece: they are gathered into one run per chunk while
 * they touch, so a zero region spanning many pieces costs one hole punch (a filesystem
 * transaction each), then read back to check it reads as zeros.
 */
function flushZeros(st: ChunkState): void {
  const z = st.pendingZero;
  const fd = st.task.dstFd;
  st.pendingZero = null;
  if (z === null || fd === null) return;
  if (st.task.deferZeros === true) {
    (st.r.zeros ??= []).push(z);
    return;
  }
  zeroRange(fd, z.offset, z.length, st.task.holes);
  if (!st.task.verify) return;
  for (let done = 0; done < z.length; done += PIECE) {
    const n = Math.min(PIECE, z.length - done);
    if (readFullySync(fd, dstBuf, 0, n, z.offset + done) !== n || !isAllZero(dstBuf, 0, n)) {
      failVerify(z.offset + done, n);
    }
  }
  st.r.verifiedBytes += z.length;
}

function apply(st: ChunkState, pos: number, a: TargetAction): void {
  const fd = st.task.dstFd as number;
  if (a.kind === 'write') {
    writeFullySync(fd, srcBuf, a.offset, a.length, pos + a.offset);
    return;
  }
  const z = st.pendingZero;
  if (z !== null && z.offset + z.length === pos + a.offset) z.length += a.length;
  else {
    flushZeros(st);
    st.pendingZero = { offset: pos + a.offset, length: a.length };
  }
}

/** Reads back each written range and checks it now holds the source's bytes. */
function verify(fd: number, pos: number, actions: TargetAction[]): number {
  let verified = 0;
  for (const a of actions) {
    if (a.kind === 'zero') continue; // checked when the zero run is flushed
    const n = readFullySync(fd, dstBuf, a.offset, a.length, pos + a.offset);
    const back = dstBuf.subarray(a.offset, a.offset + a.length);
    if (n !== a.length || !back.equals(srcBuf.subarray(a.offset, a.offset + a.length))) {
      failVerify(pos + a.offset, a.length);
    }
    verified += a.length;
  }
  return verified;
}

/** Counters and cursors of one chunk in progress. */
interface ChunkState {
  task: LocalChunkTask;
  r: LocalChunkResult;
  srcCur: ExtentCursor;
  dstCur: ExtentCursor;
  lastBlock: number;
  /** A zero run not yet applied (absolute offsets). */
  pendingZero: Extent | null;
}

/** Compares one piece in JS (reading both sides) and applies what differs. */
function processPiece(st: ChunkState, pos: number, len: number): void {
  const { task, r } = st;
  let actions: TargetAction[];
  const srcParts = st.srcCur.clip(pos, pos + len);
  const dstParts = st.dstCur.clip(pos, pos + len);
  // a hole over a hole (or over nothing) is equal without reading either side
  if (srcParts.length === 0 && (task.mode === 'whole' ? task.holes : dstParts.length === 0)) return;
  try {
    r.bytesRead += readPiece(task.srcFd, srcBuf, pos, len, srcParts);
    if (task.mode === 'whole') {
      actions = wholePiece(srcBuf, len, { zeroAsHole: task.holes });
    } else {
      r.bytesRead += readPiece(task.dstFd, dstBuf, pos, len, dstParts);
      actions = diffPiece(srcBuf, dstBuf, len, { zeroAsHole: task.holes });
    }
  } catch (err) {
    throw toBigsyncError(err, `read failed at offset ${pos}`, { offset: pos });
  }
  if (actions.length === 0) return;
  const touched = countTouchedBlocks(actions, pos, task.blockSize, st.lastBlock);
  r.changedBlocks += touched.count;
  st.lastBlock = touched.lastBlock;
  for (const a of actions) {
    if (a.kind === 'write') r.bytesWritten += a.length;
    else r.bytesZeroed += a.length;
  }
  if (task.dryRun || task.dstFd === null) return;
  try {
    for (const a of actions) apply(st, pos, a);
    if (task.verify) r.verifiedBytes += verify(task.dstFd, pos, actions);
  } catch (err) {
    throw toBigsyncError(err, `write failed at offset ${pos}`, { offset: pos });
  }
}

const flags = new Uint8Array(1024);

/**
 * The native loop pays when most pieces are equal; a piece it flags is read a second time by the
 * JS path. When most pieces differ (a rewritten file), this worker skips the native loop for a
 * while and reads each piece once in JS, then tries again: a decaying share of flagged pieces.
 */
let seen = 0;
let flagged = 0;
let skipUntil = 0;
let decisions = 0;

function nativePays(): boolean {
  decisions++;
  return decisions >= skipUntil;
}

function recordNative(pieces: number, differing: number): void {
  seen = seen * 0.9 + pieces;
  flagged = flagged * 0.9 + differing;
  if (seen >= 64 && flagged / seen > 0.5) skipUntil = decisions + 64;
}

/**
 * The native fast path over a run of whole pieces where both files have data: compares them in
 * the addon and hands only the differing pieces to {@link processPiece}. Returns the end of the
 * run, or `pos` when the fast path does not apply here.
 */
function fastRun(st: ChunkState, both: Extent[], pos: number, end: number): number {
  const e = both.find((x) => x.offset <= pos && x.offset + x.length > pos);
  if (e === undefined || st.task.dstFd === null) return pos;
  const stop = Math.min(end, e.offset + e.length);
  const runEnd = stop === end ? end : pos + Math.floor((stop - pos) / PIECE) * PIECE;
  const length = Math.min(runEnd - pos, flags.length * PIECE);
  if (length <= 0 || !nativePays()) return pos;
  const n = comparePieces(st.task.srcFd, st.task.dstFd, pos, length, PIECE, flags);
  if (n === null) return pos;
  st.r.bytesRead += 2 * length;
  recordNative(Math.ceil(length / PIECE), n);
  for (let i = 0; n > 0 && i * PIECE < length; i++) {
    if (flags[i] === 1) processPiece(st, pos + i * PIECE, Math.min(PIECE, pos + length - (pos + i * PIECE)));
  }
  return pos + length;
}

/**
 * The runs of a compare-mode chunk that a native compare can take whole: where either file holds
 * data (the other side's holes read as zeros, so a target holding zeros where the source has a
 * hole, or the other way round, compares equal without the JS path), from the first piece
 * boundary inside each such extent to the last (or to the chunk's end when the extent reaches it;
 * the file's last piece may be short). The pieces around them are partly holes on both sides and
 * go to the JS path.
 */
export function compareRunsOf(task: LocalChunkTask): Extent[] {
  const end = task.offset + task.length;
  const runs: Extent[] = [];
  for (const e of unionExtents(task.srcData, task.dstData)) {
    const start = task.offset + Math.ceil((e.offset - task.offset) / PIECE) * PIECE;
    const stop = Math.min(end, e.offset + e.length);
    const runEnd = stop === end ? end : task.offset + Math.floor((stop - task.offset) / PIECE) * PIECE;
    if (runEnd > start) runs.push({ offset: start, length: runEnd - start });
  }
  return runs;
}

/**
 * The ranges of `runs` whose pieces (of {@link PIECE} bytes from each run's start; a run's last may
 * be short) have flag 0, merged where they touch: what a compare of the runs found equal.
 */
export function equalRanges(runs: readonly Extent[], flags: Uint8Array): Extent[] {
  const equal: Extent[] = [];
  let k = 0;
  for (const r of runs) {
    for (let at = r.offset; at < r.offset + r.length; at += PIECE, k++) {
      if (flags[k] === 1) continue;
      const len = Math.min(PIECE, r.offset + r.length - at);
      const last = equal.at(-1);
      if (last !== undefined && last.offset + last.length === at) last.length += len;
      else equal.push({ offset: at, length: len });
    }
  }
  return equal;
}

/**
 * The bytes of a compare-mode chunk the JS path still has to look at once `equal` is known: those
 * outside it where either file holds data (a hole facing a hole is equal unread). Zero: the
 * chunk is done.
 */
export function residualBytes(task: LocalChunkTask, equal: readonly Extent[]): number {
  const end = task.offset + task.length;
  let bytes = 0;
  let pos = task.offset;
  const cur = [new ExtentCursor(task.srcData), new ExtentCursor(task.dstData)];
  const count = (a: number, b: number): void => {
    if (b <= a) return;
    // a byte counts once even where both files hold data
    bytes += extentsTotal(
      unionExtents((cur[0] as ExtentCursor).clip(a, b), (cur[1] as ExtentCursor).clip(a, b)),
    );
  };
  for (const e of equal) {
    count(pos, e.offset);
    pos = e.offset + e.length;
  }
  count(pos, end);
  return bytes;
}

/** Runs one chunk. Errors carry the offset they happened at; ENOSPC becomes NO_SPACE. */
export function runLocalChunk(task: LocalChunkTask): LocalChunkResult {
  if (task.collect === true) return scanBlocks(task);
  const st: ChunkState = {
    task,
    r: {
      changedBlocks: 0,
      bytesRead: 0,
      bytesWritten: 0,
      bytesZeroed: 0,
      verifiedBytes: 0,
    },
    srcCur: new ExtentCursor(task.srcData),
    dstCur: new ExtentCursor(task.dstData),
    lastBlock: -1,
    pendingZero: null,
  };
  const end = task.offset + task.length;
  const equal = task.equal;
  // with `equal` known, the other pieces of the runs are known to differ: no native compare
  const both =
    task.mode === 'compare' && equal === undefined ? intersectExtents(task.srcData, task.dstData) : [];
  let k = 0;
  for (let pos = task.offset; pos < end;) {
    while (
      equal !== undefined &&
      k < equal.length &&
      (equal[k] as Extent).offset + (equal[k] as Extent).length <= pos
    )
      k++;
    const eq = equal?.[k];
    if (eq !== undefined && eq.offset <= pos) {
      pos = eq.offset + eq.length;
      continue;
    }
    const next = both.length > 0 ? fastRun(st, both, pos, end) : pos;
    if (next > pos) {
      pos = next;
      continue;
    }
    const len = Math.min(PIECE, end - pos);
    processPiece(st, pos, len);
    pos += len;
  }
  try {
    flushZeros(st);
  } catch (err) {
    throw toBigsyncError(err, `write failed in the chunk at offset ${task.offset}`, { offset: task.offset });
  }
  return st.r;
}
