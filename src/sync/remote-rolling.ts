/**
 * The sender's rolling phase of a remote sync (docs/protocol.md, "Rolling match"). Runs after
 * every BLOCK_HASHES is in, when the sender held back the blocks that differ: it asks the receiver
 * for the weak checksums of the target blocks worth finding (WEAK_REQUEST / WEAK_SUMS), searches
 * the differing regions of its source for them on its workers (a weak hit is confirmed by the
 * block's GMAC), then sends the copies in a safe order (COPY) and the rest as DATA.
 */
import { BLOCK_HASH_LENGTH } from '../core/block-hash.js';
import { copiedBytes } from '../core/copy-ops.js';
import { scheduleCopies } from '../core/copy-schedule.js';
import type { Extent } from '../core/extent.js';
import { regionsOf, tableBlocksOf, unionExtents } from '../core/region-plan.js';
import type { CopyOp } from '../core/rolling-matcher.js';
import { isAllZero } from '../core/zero-detect.js';
import { BigsyncError } from '../errors.js';
import { MAX_BLOCKS_PER_BATCH } from '../format/wire-constants.js';
import { readFullySync } from '../io/positional-io.js';
import { unexpectedMessage } from '../protocol/handshake.js';
import type { VerifyByHash } from '../parallel/rolling-task.js';
import { PAGE_SIZE, type RoleStats, type SessionContext, type SessionFile } from './remote-session.js';
import { refineLiteral } from './literal-refine.js';
import { searchRegions } from './region-search.js';
import { sendRange, sendZero } from './sender-data.js';
import { trace } from './trace.js';

/** What the aligned pass left for the rolling phase. */
export interface RollingInput {
  /** Blocks that differ at the same offset, ascending. */
  differing: number[];
  /** The receiver's BLOCK_HASHES, 16 bytes per block (source geometry), and its zero flags. */
  theirTags: Uint8Array;
  theirZero: Uint8Array;
  /** The sender's own zero flags, per block. */
  ownZero: Uint8Array;
  /** The target's size before the sync (for a device: at most the source's size). */
  targetSize: number;
  /** Where the appended part the sender already sent (as an aligned sync would) starts, or null. */
  sentFrom: number | null;
}

/** Asks for the weak sums of `blocks`; resolves with the table and the hashes that came with it. */
async function weakSums(ctx: SessionContext, blocks: number[], v: VerifyByHash) {
  for (let i = 0; i < blocks.length; i += MAX_BLOCKS_PER_BATCH) {
    await ctx.ch.send({ type: 'WEAK_REQUEST', body: { blocks: blocks.slice(i, i + MAX_BLOCKS_PER_BATCH) } });
  }
  const weak: number[] = [];
  const offsets: number[] = [];
  const L = BLOCK_HASH_LENGTH;
  for (let got = 0; got < blocks.length;) {
    const msg = await ctx.ch.next();
    if (msg.type !== 'WEAK_SUMS') throw unexpectedMessage(msg.type, 'WEAK_SUMS');
    for (const e of msg.body.entries) {
      if (e.block !== blocks[got]) {
        throw new BigsyncError('PROTOCOL_ERROR', `WEAK_SUMS for block ${e.block}, expected ${blocks[got]}`);
      }
      got++;
      if (e.zero) {
        v.zero[e.block] = 1;
        continue;
      }
      if (e.strong !== null) {
        v.tags.set(e.strong, e.block * L);
        v.known[e.block] = 1;
      }
      if (v.known[e.block] !== 1) continue; // no hash to confirm a hit with: useless as a copy source
      weak.push(e.weak);
      offsets.push(e.block * ctx.blockSize);
    }
  }
  return { weak: Uint32Array.from(weak), offsets: Float64Array.from(offsets) };
}

/** The target-geometry hashes the receiver already sent: full blocks inside both files. */
function knownHashes(ctx: SessionContext, input: RollingInput): VerifyByHash {
  const L = BLOCK_HASH_LENGTH;
  const n = Math.floor(input.targetSize / ctx.blockSize);
  // shared memory: every search task reads them, none copies them
  const v: VerifyByHash = {
    kind: 'hash',
    key: ctx.key,
    tags: new Uint8Array(new SharedArrayBuffer(n * L)),
    known: new Uint8Array(new SharedArrayBuffer(n)),
    zero: new Uint8Array(new SharedArrayBuffer(n)),
  };
  const both = Math.min(n, Math.floor(ctx.size / ctx.blockSize));
  for (let b = 0; b < both; b++) {
    if (input.theirZero[b] === 1) {
      v.zero[b] = 1;
      continue;
    }
    v.tags.set(input.theirTags.subarray(b * L, (b + 1) * L), b * L);
    v.known[b] = 1;
  }
  return v;
}

async function search(
  ctx: SessionContext,
  file: SessionFile,
  regions: Extent[],
  table: { weak: Uint32Array; offsets: Float64Array },
  v: VerifyByHash,
): Promise<CopyOp[]> {
  return searchRegions(
    {
      exec: ctx.exec,
      inFlight: ctx.window,
      srcFd: file.fd as number,
      srcSize: ctx.size,
      blockSize: ctx.blockSize,
      table,
      verify: v,
      probeWindow: ctx.opts.match === 'rolling' ? null : 2 * ctx.blockSize,
    },
    regions,
  );
}

/** Sends range `e` of the source: zero pages as zero runs, the rest as DATA (or counts it in a dry run). */
export async function sendLiteral(
  ctx: SessionContext,
  file: SessionFile,
  e: Extent,
  stats: RoleStats,
  buf: Buffer,
) {
  const end = e.offset + e.length;
  const step = 1024 * 1024;
  const chunk = Buffer.allocUnsafe(step);
  for (let pos = e.offset; pos < end;) {
    const n = Math.min(step, end - pos);
    if (readFullySync(file.fd as number, chunk, 0, n, pos) !== n) {
      throw new BigsyncError('SOURCE_CHANGED', `source shrank during the sync: ${file.path}`);
    }
    stats.bytesRead += n;
    let run = 0;
    let runZero = false;
    for (let p = 0; p < n;) {
      const q = Math.min(n, (Math.floor((pos + p) / PAGE_SIZE) + 1) * PAGE_SIZE - pos);
      const zero = isAllZero(chunk, p, q);
      if (p > run && zero !== runZero) {
        await flushRun(ctx, file, pos + run, p - run, runZero, stats, buf);
        run = p;
      }
      runZero = zero;
      p = q;
    }
    await flushRun(ctx, file, pos + run, n - run, runZero, stats, buf);
    pos += n;
  }
}

async function flushRun(
  ctx: SessionContext,
  file: SessionFile,
  offset: number,
  length: number,
  zero: boolean,
  stats: RoleStats,
  buf: Buffer,
): Promise<void> {
  if (length <= 0) return;
  if (zero) await sendZero(ctx, offset, length, stats);
  else await sendRange(ctx, file, offset, length, stats, buf);
}

/**
 * Runs the rolling phase: search, then COPY in execution order, then DATA for the literal ranges.
 * @returns the bytes moved within the target and the literal bytes sent (or that would be).
 */
export async function runRollingSender(
  ctx: SessionContext,
  file: SessionFile,
  input: RollingInput,
  stats: RoleStats,
  buf: Buffer,
): Promise<{ movedBytes: number; literalBytes: number }> {
  const B = ctx.blockSize;
  const common = Math.min(ctx.size, input.targetSize);
  const end = input.sentFrom ?? ctx.size;
  const regions = regionsOf(input.differing, B, Math.min(common, end), end);
  let ops: CopyOp[] = [];
  if (regions.length > 0) {
    const v = knownHashes(ctx, input);
    const want = tableBlocksOf(input.differing, B, ctx.size, input.targetSize, ctx.opts.match === 'rolling');
    const table = want.length === 0 ? null : await weakSums(ctx, want, v);
    trace('sender', 'weak sums in');
    if (table !== null && table.weak.length > 0) ops = await search(ctx, file, regions, table, v);
    trace('sender', 'searched');
  }
  const bothData = (b: number): boolean => input.ownZero[b] !== 1 && input.theirZero[b] !== 1;
  const refined = await refineLiteral(ctx, file, regions, ops, bothData);
  trace('sender', 'refined');
  const sched = scheduleCopies(refined.ops);
  const literal = unionExtents([...refined.literal, ...sched.literals]);
  for (const c of sched.copies) {
    if (ctx.signal?.aborted === true) throw new BigsyncError('INTERRUPTED', 'interrupted; rerun to continue');
    if (!ctx.opts.dryRun)
      await ctx.ch.send({ type: 'COPY', body: { from: c.from, to: c.to, length: c.length } });
  }
  const before = stats.dataBytes;
  for (const e of literal) await sendLiteral(ctx, file, e, stats, buf);
  return { movedBytes: copiedBytes(sched.copies), literalBytes: stats.dataBytes - before };
}
