/**
 * The receiving side of a remote sync (it holds the target): hashes its blocks on every core and
 * streams them as BLOCK_HASHES, answers SUBHASH_REQUEST with page hashes, writes DATA as it
 * arrives, and at DONE re-reads every block it changed, recomputes the file digest and compares it
 * with the sender's. Nothing is written from a frame that failed to decode or lies outside the
 * file.
 */
import { BLOCK_HASH_LENGTH, FileDigest } from '../core/block-hash.js';
import { ExtentCursor } from '../core/chunk-plan.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import { blockCount, validateBlockList, validateDataRange } from '../format/block-range.js';
import type { DataMessage } from '../format/messages-data.js';
import type { CopyMessage } from '../format/messages-rolling.js';
import type { MovedHashes } from './apply-moves.js';
import {
  ENCODING_ZERO,
  ENCODING_ZSTD,
  HASH_SHA256,
  RESULT_FAILED,
  RESULT_OK,
} from '../format/wire-constants.js';
import { unexpectedMessage } from '../protocol/handshake.js';
import { zeroRange } from '../io/hole-punch.js';
import { resizeTarget } from '../io/resize-target.js';
import { writeFullySync } from '../io/positional-io.js';
import { Background } from './background.js';
import { mapBounded } from './bounded-map.js';
import { decompressData } from './data-codec.js';
import { answerWeak, applyCopies, checkCopy, cutTarget } from './rolling-receiver.js';
import {
  batchBlocks,
  emptyStats,
  expectsRolling,
  PAGE_SIZE,
  reportProgress,
  type RoleStats,
  type SessionContext,
  type SessionFile,
} from './remote-session.js';
import { PunchQueue } from './punch-queue.js';
import { trace } from './trace.js';

/** COPYs applied together at most (a run ends earlier at any other message). */
const COPY_RUN = 256;

interface Hashes {
  tags: Uint8Array;
  zero: Uint8Array;
  /** Weak checksums of the full blocks, computed while hashing when a rolling match is expected. */
  weak: Uint32Array | null;
  /** Blocks from here on get their weak checksum while hashing (`weak` set); Infinity: none do. */
  weakFrom: number;
  /** The next block the hashing pass will start on. */
  hashNext: number;
  /**
   * 1 where `tags`/`zero` already hold the block's new hash, taken from the bytes a COPY wrote
   * (and nothing wrote there since): verification need not read the block back.
   */
  fresh: Uint8Array;
}

/** Hashes blocks [first, first+count) with the executor. */
async function hashRange(
  ctx: SessionContext,
  file: SessionFile,
  first: number,
  count: number,
  stats: RoleStats,
  weak = false,
) {
  const start = first * ctx.blockSize;
  const end = Math.min(ctx.size, (first + count) * ctx.blockSize);
  const data = file.data === null ? null : new ExtentCursor(file.data).clip(start, end);
  const r = await ctx.exec.hashBlocks({
    kind: 'hash-blocks',
    fd: file.fd as number,
    firstBlock: first,
    count,
    blockSize: ctx.blockSize,
    size: ctx.size,
    data,
    key: ctx.key,
    ...(weak ? { weak: true } : {}),
  });
  stats.bytesRead += r.bytesRead;
  return r;
}

/** Streams BLOCK_HASHES for the whole target, a window of batches hashing at once. */
async function streamHashes(
  ctx: SessionContext,
  file: SessionFile,
  h: Hashes,
  stats: RoleStats,
): Promise<void> {
  const total = blockCount(ctx.size, ctx.blockSize);
  const batch = batchBlocks(ctx.blockSize);
  const queue: { first: number; count: number; p: ReturnType<typeof hashRange> }[] = [];
  const flush = async (): Promise<void> => {
    const q = queue.shift();
    if (q === undefined) return;
    const r = await q.p;
    h.tags.set(r.tags, q.first * BLOCK_HASH_LENGTH);
    h.zero.set(r.zero, q.first);
    if (h.weak !== null && r.weak !== undefined) h.weak.set(r.weak, q.first);
    const hashes = Array.from({ length: q.count }, (_, i) =>
      r.zero[i] === 1
        ? null
        : Buffer.from(r.tags.subarray(i * BLOCK_HASH_LENGTH, (i + 1) * BLOCK_HASH_LENGTH)),
    );
    await ctx.ch.send({
      type: 'BLOCK_HASHES',
      body: { firstBlock: q.first, hashLen: BLOCK_HASH_LENGTH, hashes },
    });
    reportProgress(ctx, (q.first + q.count) * ctx.blockSize, stats);
  };
  for (let first = 0; first < total; first += batch) {
    if (ctx.signal?.aborted === true) throw new BigsyncError('INTERRUPTED', 'interrupted; rerun to continue');
    const count = Math.min(batch, total - first);
    h.hashNext = first + count;
    const p = hashRange(ctx, file, first, count, stats, h.weak !== null && first >= h.weakFrom);
    p.catch(() => undefined); // awaited by flush(); after an early stop it may go unawaited
    queue.push({ first, count, p });
    if (queue.length >= ctx.window) await flush();
  }
  while (queue.length > 0) await flush();
}

/** Writes one DATA message to the target and marks the blocks it touched. */
function applyData(
  ctx: SessionContext,
  file: SessionFile,
  msg: DataMessage,
  touched: Uint8Array,
  fresh: Uint8Array,
  stats: RoleStats,
  punches: PunchQueue | null,
): void {
  validateDataRange(msg, ctx.size);
  const fd = file.fd as number;
  const first = Math.floor(msg.offset / ctx.blockSize);
  const last = Math.floor((msg.offset + msg.length - 1) / ctx.blockSize);
  touched.fill(1, first, last + 1);
  fresh.fill(0, first, last + 1);
  try {
    if (msg.encoding === ENCODING_ZERO) {
      stats.bytesZeroed += msg.length;
      if (punches !== null) punches.add(msg.offset, msg.length);
      else zeroRange(fd, msg.offset, msg.length, ctx.opts.sparse && !file.isDevice);
      return;
    }
    const bytes = msg.encoding === ENCODING_ZSTD ? decompressData(msg.payload, msg.length) : msg.payload;
    writeFullySync(fd, bytes, 0, msg.length, msg.offset);
    stats.bytesWritten += msg.length;
  } catch (err) {
    throw toBigsyncError(err, `writing ${file.path} at offset ${msg.offset}`, { offset: msg.offset });
  }
}

/** Answers one SUBHASH_REQUEST with a SUBHASHES per block. */
async function answerSubhashes(
  ctx: SessionContext,
  file: SessionFile,
  blocks: readonly number[],
): Promise<void> {
  validateBlockList(blocks, blockCount(ctx.size, ctx.blockSize));
  const r = await ctx.exec.pageHashes({
    kind: 'page-hashes',
    fd: file.fd as number,
    blocks: [...blocks],
    blockSize: ctx.blockSize,
    pageSize: PAGE_SIZE,
    size: ctx.size,
    key: ctx.key,
  });
  for (let i = 0; i < blocks.length; i++) {
    const all = r.hashes[i] as Uint8Array;
    const hashes: Buffer[] = [];
    for (let p = 0; p < all.length; p += BLOCK_HASH_LENGTH)
      hashes.push(Buffer.from(all.subarray(p, p + BLOCK_HASH_LENGTH)));
    await ctx.ch.send({
      type: 'SUBHASHES',
      body: { block: blocks[i] as number, pageSize: PAGE_SIZE, hashLen: BLOCK_HASH_LENGTH, hashes },
    });
  }
}

/** Records the hashes of the whole blocks a COPY wrote; the rest of its range is read back at DONE. */
function keepMoved(ctx: SessionContext, h: Hashes, msg: CopyMessage, moved: MovedHashes): void {
  const B = ctx.blockSize;
  h.fresh.fill(0, Math.floor(msg.to / B), Math.floor((msg.to + msg.length - 1) / B) + 1);
  const L = BLOCK_HASH_LENGTH;
  moved.blocks.forEach((b, i) => {
    h.fresh[b] = 1;
    h.zero[b] = moved.zero[i] as number;
    h.tags.set(moved.tags.subarray(i * L, (i + 1) * L), b * L);
  });
}

/**
 * Recomputes the digest of the whole target: re-reads the blocks DATA or COPY touched, except
 * those a COPY wrote whole (hashed from the bytes written, see keepMoved).
 */
async function verifyDigest(
  ctx: SessionContext,
  file: SessionFile,
  h: Hashes,
  touched: Uint8Array,
  stats: RoleStats,
) {
  const total = touched.length;
  const batch = batchBlocks(ctx.blockSize);
  const runs: { first: number; count: number }[] = [];
  for (let b = 0; b < total;) {
    if ((touched[b] !== 1 || h.fresh[b] === 1) && !ctx.opts.wholeFile) {
      b++;
      continue;
    }
    let e = b;
    while (e < total && e - b < batch && ((touched[e] === 1 && h.fresh[e] !== 1) || ctx.opts.wholeFile)) e++;
    runs.push({ first: b, count: e - b });
    b = e;
  }
  // a bounded number in flight, so the workers and this thread share the runs (bounded-map.ts)
  const fresh = { ...file, data: null };
  await mapBounded(runs, ctx.window, async ({ first, count }) => {
    const r = await hashRange(ctx, fresh, first, count, stats);
    h.tags.set(r.tags, first * BLOCK_HASH_LENGTH);
    h.zero.set(r.zero, first);
  });
  const d = new FileDigest();
  for (let b = 0; b < total; b++)
    d.add(h.zero[b] === 1 ? null : h.tags.subarray(b * BLOCK_HASH_LENGTH, (b + 1) * BLOCK_HASH_LENGTH));
  return d.digest();
}

/**
 * Brings a regular target to the source's size (emptying it first in whole-file mode). In a
 * session with CAP_ROLLING a longer target is cut only at DONE: its tail may be a copy source.
 */
export function prepareTarget(file: SessionFile, size: number, opts: SessionContext['opts']): void {
  if (opts.rolling && !opts.wholeFile && file.size > size) return;
  resizeTarget(file, size, opts);
}

/**
 * Runs the receiver until DONE, verifies, and sends RESULT.
 * @returns the receiver's stats (also sent in RESULT) and the sender's (its closing RESULT).
 * @throws PROTOCOL_ERROR, CONNECTION_LOST, the peer's error, NO_SPACE/IO_ERROR, VERIFY_FAILED.
 */
export async function runReceiver(
  ctx: SessionContext,
  file: SessionFile,
): Promise<{ own: RoleStats; theirs: Record<string, unknown> }> {
  const stats = emptyStats();
  const total = blockCount(ctx.size, ctx.blockSize);
  // Weak checksums: in auto mode they are added to the hashing pass only once the sender asks
  // for any (it does as soon as a block differs, see WEAK_REQUEST), so a file that only grew or
  // shrank pays nothing for them; blocks hashed before that are summed when asked for. Forced
  // rolling mode always needs them.
  const weakNow = expectsRolling(ctx);
  const h: Hashes = {
    tags: new Uint8Array(total * BLOCK_HASH_LENGTH),
    zero: new Uint8Array(total),
    weak: weakNow ? new Uint32Array(total) : null,
    weakFrom: ctx.opts.match === 'rolling' ? 0 : Infinity,
    hashNext: 0,
    fresh: new Uint8Array(total),
  };
  const touched = new Uint8Array(total);
  const bg = new Background();
  // holes punched off this thread, where that works (a regular target, sparse, not a dry run)
  const punches =
    ctx.opts.sparse && !file.isDevice && !ctx.opts.dryRun && file.fd !== null
      ? PunchQueue.create(file.fd, bg)
      : null;
  let weakAnswers = Promise.resolve();
  let copies = 0;
  trace('receiver', 'hashing');
  if (!ctx.opts.wholeFile)
    bg.add(streamHashes(ctx, file, h, stats).then(() => trace('receiver', 'hashes sent')));
  // COPYs are queued and applied in runs (side by side where they do not clash), before the next
  // message of another kind, which may depend on them
  let pending: CopyMessage[] = [];
  const flushCopies = async (): Promise<void> => {
    if (pending.length === 0) return;
    const run = pending;
    pending = [];
    await bg.settle(); // the hashes of the old bytes are all out before any moves
    await punches?.settle(); // and moves read what the earlier messages left
    if (copies === 0) trace('receiver', 'first COPY');
    copies += run.length;
    await applyCopies(ctx, file, run, touched, stats, (c, moved) => keepMoved(ctx, h, c, moved));
  };
  for (;;) {
    const msg = await bg.guard(ctx.ch.next());
    if (msg.type === 'COPY' && ctx.opts.rolling) {
      if (ctx.opts.dryRun) throw new BigsyncError('PROTOCOL_ERROR', 'COPY received in a dry run');
      checkCopy(ctx, file, msg.body);
      pending.push(msg.body);
      if (pending.length >= COPY_RUN) await flushCopies();
      continue;
    }
    await flushCopies();
    if (msg.type === 'DATA') {
      if (ctx.opts.dryRun) throw new BigsyncError('PROTOCOL_ERROR', 'DATA received in a dry run');
      if (punches?.overlaps(msg.body.offset, msg.body.length) === true) await punches.settle();
      applyData(ctx, file, msg.body, touched, h.fresh, stats, punches);
      ctx.ch.recycle(msg); // written: its buffer can take a later frame
    } else if (msg.type === 'SUBHASH_REQUEST') {
      bg.add(answerSubhashes(ctx, file, msg.body.blocks));
    } else if (msg.type === 'WEAK_REQUEST' && ctx.opts.rolling) {
      // a request while still hashing means a rolling phase will follow: add weak checksums to
      // the rest of the pass (the blocks before are summed when asked for)
      if (h.weak !== null && h.weakFrom === Infinity) h.weakFrom = h.hashNext;
      // answered in the order asked: the sender matches answers to requests by order
      const blocks = msg.body.blocks;
      weakAnswers = weakAnswers.then(() => answerWeak(ctx, file, blocks, stats, h));
      bg.add(weakAnswers);
    } else if (msg.type === 'DONE') {
      trace('receiver', 'DONE in');
      await bg.settle();
      await punches?.settle();
      return finish(ctx, file, h, touched, stats, msg.body.digest);
    } else {
      throw unexpectedMessage(msg.type, 'DATA, SUBHASH_REQUEST, WEAK_REQUEST, COPY or DONE');
    }
  }
}

async function finish(
  ctx: SessionContext,
  file: SessionFile,
  h: Hashes,
  touched: Uint8Array,
  stats: RoleStats,
  digest: Buffer,
) {
  if (ctx.opts.rolling) cutTarget(ctx, file);
  if (!ctx.opts.dryRun && ctx.opts.verify) {
    const ours = await verifyDigest(ctx, file, h, touched, stats);
    stats.verified = ours.equals(digest);
    trace('receiver', 'verified');
    if (!stats.verified) {
      const err = new BigsyncError(
        'VERIFY_FAILED',
        `the target's digest does not match the source's after the sync: ${file.path}; rerun`,
      );
      await ctx.ch.send({ type: 'RESULT', body: { status: RESULT_FAILED, stats: { ...stats } } });
      throw err;
    }
  }
  stats.changedBlocks = touched.reduce((a, t) => a + t, 0);
  await ctx.ch.send({
    type: 'RESULT',
    body: { status: RESULT_OK, stats: { ...stats, digestAlgorithm: HASH_SHA256 } },
  });
  const theirs = await ctx.ch.next();
  if (theirs.type !== 'RESULT') throw unexpectedMessage(theirs.type, "the sender's RESULT");
  return { own: stats, theirs: theirs.body.stats as Record<string, unknown> };
}
