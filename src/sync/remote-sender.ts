/**
 * The sending side of a remote sync (it holds the source): hashes its own blocks on every core,
 * ahead of the receiver's BLOCK_HASHES; for each block that differs it sends, at once, a zero run,
 * the block's non-zero pages (when the target block is all zero), or a SUBHASH_REQUEST; for each
 * SUBHASHES it sends only the pages that differ. DONE carries the digest of the source.
 */
import { BLOCK_HASH_LENGTH } from '../core/block-hash.js';
import { ExtentCursor } from '../core/chunk-plan.js';
import { isAllZero } from '../core/zero-detect.js';
import { BigsyncError } from '../errors.js';
import { validateBlockRange } from '../format/block-range.js';
import type { BlockHashes, Subhashes } from '../format/messages-blocks.js';
import { HASH_SHA256, RESULT_OK } from '../format/wire-constants.js';
import { unexpectedMessage } from '../protocol/handshake.js';
import {
  emptyStats,
  expectsRolling,
  PAGE_SIZE,
  reportProgress,
  type RoleStats,
  type SessionContext,
  type SessionFile,
} from './remote-session.js';
import { OwnHashes } from './own-hashes.js';
import { RefineGauge } from './refine-gauge.js';
import { runRollingSender, sendLiteral, type RollingInput } from './remote-rolling.js';
import { sendPages, sendZero } from './sender-data.js';
import { trace } from './trace.js';

/** The sender's session state. */
interface SenderState {
  own: OwnHashes;
  /** Blocks with a SUBHASH_REQUEST outstanding, and our own page hashes of each (from the workers). */
  asked: Map<number, Promise<Uint8Array>>;
  /** Blocks the receiver has hashed for us so far (BLOCK_HASHES coverage). */
  covered: number;
  buf: Buffer;
  stats: RoleStats;
  gauge: RefineGauge;
  /** In a rolling match: the differing blocks held back and the receiver's hashes; else null. */
  rolling: RollingInput | null;
  /**
   * An early WEAK_REQUEST (for the first block held back) is unanswered. Sent as soon as a rolling
   * phase is certain, it tells a receiver still hashing to add weak checksums to the rest of its
   * pass (docs/protocol.md, "Rolling match"); the answer itself is not used.
   */
  earlyWeak: boolean;
}

/** Handles one BLOCK_HASHES batch: zero runs and hole fills at once, refinement requests for the rest. */
async function onBlockHashes(
  ctx: SessionContext,
  file: SessionFile,
  s: SenderState,
  m: BlockHashes,
): Promise<void> {
  const count = m.hashes.length;
  if (m.firstBlock !== s.covered) {
    throw new BigsyncError(
      'PROTOCOL_ERROR',
      `BLOCK_HASHES out of order: got block ${m.firstBlock}, expected ${s.covered}`,
    );
  }
  validateBlockRange(m.firstBlock, count, s.own.total);
  if (m.firstBlock === 0) trace('sender', 'first hashes in');
  if (m.firstBlock + count === s.own.total) trace('sender', 'last hashes in');
  await s.own.have(m.firstBlock, count);
  if (s.rolling !== null) {
    await holdBack(ctx, file, s, s.rolling, m);
    s.covered += count;
    reportProgress(ctx, s.covered * ctx.blockSize, s.stats);
    return;
  }
  const refine: number[] = [];
  for (let i = 0; i < count; i++) {
    const b = m.firstBlock + i;
    const theirs = m.hashes[i] ?? null;
    if (s.own.equal(b, theirs)) continue;
    s.stats.changedBlocks++;
    const start = b * ctx.blockSize;
    const len = Math.min(ctx.blockSize, ctx.size - start);
    if (s.own.zero[b] === 1) await sendZero(ctx, start, len, s.stats);
    else if (theirs === null) await sendPages(ctx, file, b, (_p, bytes) => !isAllZero(bytes), s.stats, s.buf);
    else if (s.gauge.shouldRefine()) refine.push(b);
    else await sendPages(ctx, file, b, () => true, s.stats, s.buf);
  }
  s.covered += count;
  if (refine.length > 0) {
    // our own page hashes of the same blocks, computed by the workers while the request travels
    const mine = ctx.exec.pageHashes({
      kind: 'page-hashes',
      fd: file.fd as number,
      blocks: refine,
      blockSize: ctx.blockSize,
      pageSize: PAGE_SIZE,
      size: ctx.size,
      key: ctx.key,
    });
    s.own.bg.add(mine);
    refine.forEach((b, i) => {
      const page = mine.then((r) => r.hashes[i] as Uint8Array);
      page.catch(() => undefined); // a failure surfaces through own.bg; this copy may go unawaited
      s.asked.set(b, page);
    });
    await ctx.ch.send({ type: 'SUBHASH_REQUEST', body: { blocks: refine } });
  }
  reportProgress(ctx, s.covered * ctx.blockSize, s.stats);
}

/** Rolling match: keeps the receiver's hashes and the differing blocks for the rolling phase. */
async function holdBack(
  ctx: SessionContext,
  file: SessionFile,
  s: SenderState,
  r: RollingInput,
  m: BlockHashes,
) {
  for (let i = 0; i < m.hashes.length; i++) {
    const b = m.firstBlock + i;
    const theirs = m.hashes[i] ?? null;
    if (theirs === null) r.theirZero[b] = 1;
    else r.theirTags.set(theirs, b * BLOCK_HASH_LENGTH);
    if (s.own.equal(b, theirs)) continue;
    s.stats.changedBlocks++;
    if (appendedOnly(ctx, r, b)) await sendAppended(ctx, file, s, r, b);
    else {
      if (r.differing.length === 0) await askEarly(ctx, s, r, b);
      r.differing.push(b);
    }
  }
}

/** Sends the early WEAK_REQUEST (see SenderState.earlyWeak) for block b, a full block of the target. */
async function askEarly(ctx: SessionContext, s: SenderState, r: RollingInput, b: number): Promise<void> {
  if (ctx.opts.match === 'rolling' || (b + 1) * ctx.blockSize > r.targetSize) return;
  s.earlyWeak = true;
  await ctx.ch.send({ type: 'WEAK_REQUEST', body: { blocks: [b] } });
}

/**
 * Whether block b is not a full block of the old target and nothing differed before it, in auto
 * mode: the table of target blocks stays empty then (it holds only differing full blocks), so the
 * block cannot be found moved and is sent at once, as an aligned sync would (a file that grew).
 */
function appendedOnly(ctx: SessionContext, r: RollingInput, b: number): boolean {
  return (
    ctx.opts.match !== 'rolling' &&
    r.differing.length === 0 &&
    r.targetSize <= ctx.size &&
    b >= Math.floor(r.targetSize / ctx.blockSize)
  );
}

async function sendAppended(
  ctx: SessionContext,
  file: SessionFile,
  s: SenderState,
  r: RollingInput,
  b: number,
) {
  const start = b * ctx.blockSize;
  const length = Math.min(ctx.blockSize, ctx.size - start);
  r.sentFrom ??= start;
  if (s.own.zero[b] === 1) await sendZero(ctx, start, length, s.stats);
  else if (r.theirZero[b] === 1)
    await sendPages(ctx, file, b, (_p, bytes) => !isAllZero(bytes), s.stats, s.buf);
  // the block holding the old end: the target has data in it, so its zero pages are sent as zero runs
  else await sendLiteral(ctx, file, { offset: start, length }, s.stats, s.buf);
}

/** Handles one SUBHASHES: sends the pages whose hashes differ from ours. */
async function onSubhashes(
  ctx: SessionContext,
  file: SessionFile,
  s: SenderState,
  m: Subhashes,
): Promise<void> {
  const pending = s.asked.get(m.block);
  s.asked.delete(m.block);
  if (pending === undefined || m.pageSize !== PAGE_SIZE || m.hashLen !== BLOCK_HASH_LENGTH) {
    throw new BigsyncError('PROTOCOL_ERROR', `unrequested or malformed SUBHASHES for block ${m.block}`, {
      block: m.block,
    });
  }
  const mine = await pending;
  const L = BLOCK_HASH_LENGTH;
  let diff = 0;
  await sendPages(
    ctx,
    file,
    m.block,
    (page) => {
      const theirs = m.hashes[page];
      const differs =
        theirs === undefined || Buffer.compare(mine.subarray(page * L, (page + 1) * L), theirs) !== 0;
      if (differs) diff++;
      return differs;
    },
    s.stats,
    s.buf,
  );
  s.gauge.observe(Math.ceil(mine.length / L), diff);
}

/** Whole-file mode: every non-zero page of the source, no hashes asked. */
async function sendEverything(ctx: SessionContext, file: SessionFile, s: SenderState): Promise<void> {
  const total = s.own.total;
  for (let b = 0; b < total; b++) {
    const start = b * ctx.blockSize;
    const zeroOrHole =
      file.data !== null &&
      new ExtentCursor(file.data).clip(start, Math.min(ctx.size, start + ctx.blockSize)).length === 0;
    if (!zeroOrHole) await sendPages(ctx, file, b, (_p, bytes) => !isAllZero(bytes), s.stats, s.buf);
    s.stats.changedBlocks++;
    if (b % 64 === 0) reportProgress(ctx, start, s.stats);
  }
  await s.own.have(0, total);
}

/**
 * Runs the sender: until every block is covered and answered, then DONE, then the receiver's RESULT.
 * `checkSource` is called before DONE and throws SOURCE_CHANGED when the source moved. `ahead`:
 * the source's hashes, already started before the session opened (same key, block size and size).
 * @returns the sender's stats merged with the receiver's (from RESULT).
 */
export async function runSender(
  ctx: SessionContext,
  file: SessionFile,
  checkSource: () => void,
  ahead?: OwnHashes,
): Promise<{ own: RoleStats; theirs: Record<string, unknown> }> {
  const stats = emptyStats();
  stats.holeBytes = file.data === null ? 0 : ctx.size - file.data.reduce((a, e) => a + e.length, 0);
  const own = ahead ?? new OwnHashes(ctx, file);
  const s: SenderState = {
    own,
    asked: new Map(),
    covered: 0,
    gauge: new RefineGauge(),
    buf: Buffer.allocUnsafe(1024 * 1024),
    stats,
    earlyWeak: false,
    rolling: expectsRolling(ctx)
      ? {
          differing: [],
          theirTags: new Uint8Array(own.total * BLOCK_HASH_LENGTH),
          theirZero: new Uint8Array(own.total),
          ownZero: own.zero,
          targetSize: ctx.targetIsDevice ? Math.min(ctx.targetSize, ctx.size) : ctx.targetSize,
          sentFrom: null,
        }
      : null,
  };
  trace('sender', 'hashing');
  own.prefetch(ctx.window);
  if (ctx.opts.wholeFile) await sendEverything(ctx, file, s);
  else if (own.total > 0) {
    while (s.covered < own.total || s.asked.size > 0 || s.earlyWeak) {
      if (ctx.signal?.aborted === true)
        throw new BigsyncError('INTERRUPTED', 'interrupted; rerun to continue');
      const msg = await own.bg.guard(ctx.ch.next());
      if (msg.type === 'BLOCK_HASHES') await onBlockHashes(ctx, file, s, msg.body);
      else if (msg.type === 'SUBHASHES') await onSubhashes(ctx, file, s, msg.body);
      else if (msg.type === 'WEAK_SUMS' && s.earlyWeak) s.earlyWeak = false;
      else throw unexpectedMessage(msg.type, 'BLOCK_HASHES or SUBHASHES');
    }
    if (s.rolling !== null) {
      stats.match = 'rolling';
      const moved = await runRollingSender(ctx, file, s.rolling, stats, s.buf);
      stats.movedBytes = moved.movedBytes;
    }
  }
  trace('sender', 'all answered');
  stats.bytesRead += own.bytesRead;
  checkSource();
  await ctx.ch.send({ type: 'DONE', body: { algorithm: HASH_SHA256, digest: own.digest() } });
  trace('sender', 'DONE out');
  const res = await ctx.ch.next();
  trace('sender', 'RESULT in');
  if (res.type !== 'RESULT') throw unexpectedMessage(res.type, 'RESULT');
  if (res.body.status !== RESULT_OK) {
    throw new BigsyncError(
      'VERIFY_FAILED',
      `the target's digest does not match the source's after the sync: ${file.path}; rerun`,
    );
  }
  await ctx.ch.send({ type: 'RESULT', body: { status: RESULT_OK, stats: { ...stats } } });
  return { own: stats, theirs: res.body.stats };
}
