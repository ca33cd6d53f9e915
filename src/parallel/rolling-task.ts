/**
 * Worker task of the rolling match: searches one chunk of the source for blocks of the target at
 * any offset (core/rolling-matcher.ts) and returns the copy instructions it found. Chunks of a
 * region overlap by a block less one byte, so a match may start anywhere in [start, end); the
 * caller merges the chunks' results in order (core/copy-ops.ts).
 *
 * A weak hit is confirmed either by comparing bytes with the target (local sync: both files are
 * here) or by the block hash the receiver sent (remote sync: the target is elsewhere).
 */
import { BLOCK_HASH_LENGTH, gmac } from '../core/block-hash.js';
import { findMatches, type CopyOp } from '../core/rolling-matcher.js';
import { WeakTable } from '../core/weak-table.js';
import { isAllZero } from '../core/zero-detect.js';
import { toBigsyncError } from '../errors.js';
import { readFullySync } from '../io/positional-io.js';
import { scratch } from './scratch-buffer.js';

/** Confirm weak hits by reading the target (it is local). */
export interface VerifyByBytes {
  kind: 'bytes';
  dstFd: number;
  /** The target's size before the sync: blocks past it do not exist. */
  dstSize: number;
}

/** Confirm weak hits by the target's block hashes (it is remote). */
export interface VerifyByHash {
  kind: 'hash';
  key: Uint8Array;
  /** 16 bytes per target block (target geometry), valid where `known[b]` is 1. */
  tags: Uint8Array;
  known: Uint8Array;
  /** 1 where the target block is all zero: it matches an all-zero window (no hash needed). */
  zero: Uint8Array;
}

/** Search source positions [start, end) for target blocks. */
export interface RollingMatchTask {
  kind: 'rolling-match';
  srcFd: number;
  srcSize: number;
  start: number;
  end: number;
  blockSize: number;
  /**
   * The table: weak checksum and target offset of each (non-zero, full) target block. Pass them
   * over SharedArrayBuffers (see {@link sharedTable}) so the many tasks of one sync do not copy
   * them; a worker builds the WeakTable once per `tableId`.
   */
  tableId: string;
  weak: Uint32Array;
  offsets: Float64Array;
  verify: VerifyByBytes | VerifyByHash;
  /** Adaptive mode: give up rolling after this many fruitless positions, probing further on. */
  probeWindow: number | null;
}

/** What one chunk found. */
export interface RollingMatchResult {
  ops: CopyOp[];
  positionsRolled: number;
  verifies: number;
  failedVerifies: number;
  bytesRead: number;
}

type Verify = (targetOffset: number, src: Uint8Array, at: number) => boolean;

function byBytes(v: VerifyByBytes, blockSize: number): { fn: Verify; read: () => number } {
  const block = scratch(blockSize, 1);
  let read = 0;
  const fn: Verify = (off, src, at) => {
    if (off < 0 || off + blockSize > v.dstSize) return false;
    const n = readFullySync(v.dstFd, block, 0, blockSize, off);
    read += n;
    return (
      n === blockSize && Buffer.compare(block.subarray(0, blockSize), src.subarray(at, at + blockSize)) === 0
    );
  };
  return { fn, read: () => read };
}

function byHash(v: VerifyByHash, blockSize: number): Verify {
  const L = BLOCK_HASH_LENGTH;
  return (off, src, at) => {
    const b = off / blockSize;
    if (!Number.isInteger(b)) return false;
    if (v.zero[b] === 1) return isAllZero(src, at, at + blockSize);
    if (v.known[b] !== 1) return false;
    const tag = gmac(v.key, src.subarray(at, at + blockSize));
    return Buffer.compare(tag, v.tags.subarray(b * L, (b + 1) * L)) === 0;
  };
}

/** Copies `weak` and `offsets` into shared memory, for tasks that many workers read. */
export function sharedTable(
  weak: Uint32Array,
  offsets: Float64Array,
): { weak: Uint32Array; offsets: Float64Array } {
  const w = new Uint32Array(new SharedArrayBuffer(Math.max(4, weak.byteLength)), 0, weak.length);
  const o = new Float64Array(new SharedArrayBuffer(Math.max(8, offsets.byteLength)), 0, offsets.length);
  w.set(weak);
  o.set(offsets);
  return { weak: w, offsets: o };
}

let cached: { id: string; table: WeakTable } | null = null;

function tableFor(t: RollingMatchTask): WeakTable {
  if (cached?.id !== t.tableId) cached = { id: t.tableId, table: new WeakTable(t.weak, t.offsets) };
  return cached.table;
}

/** Runs a {@link RollingMatchTask}. */
export function runRollingMatch(t: RollingMatchTask): RollingMatchResult {
  const to = Math.min(t.srcSize, t.end - 1 + t.blockSize);
  const src = scratch(to - t.start, 0);
  let bytesRead: number;
  try {
    bytesRead = readFullySync(t.srcFd, src, 0, to - t.start, t.start);
  } catch (err) {
    throw toBigsyncError(err, `read failed at offset ${t.start}`, { offset: t.start });
  }
  const bytes = src.subarray(0, bytesRead);
  const local = t.verify.kind === 'bytes' ? byBytes(t.verify, t.blockSize) : null;
  const verify = local?.fn ?? byHash(t.verify as VerifyByHash, t.blockSize);
  const r = findMatches({
    src: bytes,
    srcBase: t.start,
    start: t.start,
    end: t.end,
    blockSize: t.blockSize,
    table: tableFor(t),
    verify,
    ...(t.probeWindow === null ? {} : { probeWindow: t.probeWindow }),
  });
  return {
    ops: r.ops,
    positionsRolled: r.positionsRolled,
    verifies: r.verifies,
    failedVerifies: r.failedVerifies,
    bytesRead: bytesRead + (local?.read() ?? 0),
  };
}
