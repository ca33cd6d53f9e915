/**
 * Shrinking the literal data of a remote rolling match with page hashes (4 KiB), before anything
 * moves: the receiver sends the page hashes (SUBHASHES) of the target blocks next to each copy and
 * of the blocks under the literal ranges; the sender then
 * - extends each copy backward and forward page by page while the pages still match at the copy's
 *   shift (an insertion point lies inside a block: most of that block is still shifted data), and
 * - leaves out of the literal ranges the pages the target already holds at the same offset.
 * A 1 KiB insertion then costs a page or two of data instead of a block.
 */
import { BLOCK_HASH_LENGTH, gmac } from '../core/block-hash.js';
import { literalGaps } from '../core/copy-ops.js';
import { ExtentCursor } from '../core/chunk-plan.js';
import type { Extent } from '../core/extent.js';
import { isAllZero } from '../core/zero-detect.js';
import type { CopyOp } from '../core/rolling-matcher.js';
import { BigsyncError } from '../errors.js';
import { MAX_BLOCKS_PER_BATCH } from '../format/wire-constants.js';
import { readFullySync } from '../io/positional-io.js';
import { unexpectedMessage } from '../protocol/handshake.js';
import { PAGE_SIZE, type SessionContext, type SessionFile } from './remote-session.js';

/** Page hashes of target blocks, by block. */
type PageHashes = Map<number, Buffer[]>;

/** What refining produced: the copies (longer) and the literal ranges (without pages already in place). */
export interface Refined {
  ops: CopyOp[];
  literal: Extent[];
}

async function fetchPageHashes(ctx: SessionContext, blocks: number[]): Promise<PageHashes> {
  const out: PageHashes = new Map();
  for (let i = 0; i < blocks.length; i += MAX_BLOCKS_PER_BATCH) {
    await ctx.ch.send({
      type: 'SUBHASH_REQUEST',
      body: { blocks: blocks.slice(i, i + MAX_BLOCKS_PER_BATCH) },
    });
  }
  const want = new Set(blocks);
  while (out.size < blocks.length) {
    const msg = await ctx.ch.next();
    if (msg.type !== 'SUBHASHES') throw unexpectedMessage(msg.type, 'SUBHASHES');
    const m = msg.body;
    if (
      !want.has(m.block) ||
      out.has(m.block) ||
      m.pageSize !== PAGE_SIZE ||
      m.hashLen !== BLOCK_HASH_LENGTH
    ) {
      throw new BigsyncError('PROTOCOL_ERROR', `unrequested or malformed SUBHASHES for block ${m.block}`);
    }
    out.set(m.block, [...m.hashes]);
  }
  return out;
}

/** Hashes source pages on demand. */
class SourcePages {
  private readonly buf = Buffer.allocUnsafe(PAGE_SIZE);
  constructor(
    private readonly ctx: SessionContext,
    private readonly file: SessionFile,
  ) {}

  /** True when source bytes [x, x + PAGE_SIZE) hash to `theirs`. */
  same(x: number, theirs: Buffer | undefined): boolean {
    if (theirs === undefined || x < 0 || x + PAGE_SIZE > this.ctx.size) return false;
    if (readFullySync(this.file.fd as number, this.buf, 0, PAGE_SIZE, x) !== PAGE_SIZE) return false;
    return gmac(this.ctx.key, this.buf).equals(theirs);
  }
}

/** The target page hash at target offset `t` (a full page inside the old target), if fetched. */
function pageAt(ctx: SessionContext, hashes: PageHashes, t: number): Buffer | undefined {
  if (t % PAGE_SIZE !== 0 || t + PAGE_SIZE > Math.min(ctx.targetSize, ctx.size)) return undefined;
  const b = Math.floor(t / ctx.blockSize);
  return hashes.get(b)?.[(t - b * ctx.blockSize) / PAGE_SIZE];
}

/** Extends `op` page by page into [lo, hi) while the target's pages match the source at its shift. */
function extend(
  ctx: SessionContext,
  hashes: PageHashes,
  src: SourcePages,
  op: CopyOp,
  lo: number,
  hi: number,
): CopyOp {
  let { to, from, length } = op;
  while (to - PAGE_SIZE >= lo && src.same(to - PAGE_SIZE, pageAt(ctx, hashes, from - PAGE_SIZE))) {
    to -= PAGE_SIZE;
    from -= PAGE_SIZE;
    length += PAGE_SIZE;
  }
  while (to + length + PAGE_SIZE <= hi && src.same(to + length, pageAt(ctx, hashes, from + length))) {
    length += PAGE_SIZE;
  }
  return { to, from, length };
}

/**
 * The blocks whose page hashes can help: next to each copy, and under the gaps; only blocks that
 * hold data on both sides (`bothData`): a zero range costs nothing to send, and a zero target
 * block has no page worth matching.
 */
function wantedBlocks(
  ctx: SessionContext,
  file: SessionFile,
  ops: CopyOp[],
  gaps: Extent[],
  bothData: (b: number) => boolean,
): number[] {
  const B = ctx.blockSize;
  const limit = Math.floor(Math.min(ctx.targetSize, ctx.size) / B);
  const want = new Set<number>();
  for (const o of ops) {
    if (o.from % B === 0) want.add(o.from / B - 1);
    if ((o.from + o.length) % B === 0) want.add((o.from + o.length) / B);
  }
  for (const g of gaps) for (const b of blocksWithData(ctx, file, g)) want.add(b);
  return [...want].filter((b) => b >= 0 && b < limit && bothData(b)).sort((a, b) => a - b);
}

/**
 * The blocks holding the non-zero full pages of source range `g` (zero pages are sent as zero
 * runs, which cost nothing; holes are not even read).
 */
function blocksWithData(ctx: SessionContext, file: SessionFile, g: Extent): number[] {
  const out: number[] = [];
  const parts = file.data === null ? [g] : new ExtentCursor(file.data).clip(g.offset, g.offset + g.length);
  const buf = Buffer.allocUnsafe(PAGE_SIZE);
  for (const e of parts) {
    for (
      let p = Math.ceil(e.offset / PAGE_SIZE) * PAGE_SIZE;
      p + PAGE_SIZE <= e.offset + e.length;
      p += PAGE_SIZE
    ) {
      const b = Math.floor(p / ctx.blockSize);
      if (out.at(-1) === b) continue;
      const n = readFullySync(file.fd as number, buf, 0, PAGE_SIZE, p);
      if (n === PAGE_SIZE && !isAllZero(buf)) out.push(b);
    }
  }
  return out;
}

/** Subtracts the pages of `gaps` the target already holds at the same offset. */
function dropPagesInPlace(
  ctx: SessionContext,
  hashes: PageHashes,
  src: SourcePages,
  gaps: Extent[],
): Extent[] {
  const out: Extent[] = [];
  for (const g of gaps) {
    let start = g.offset;
    const end = g.offset + g.length;
    for (let p = Math.ceil(g.offset / PAGE_SIZE) * PAGE_SIZE; p + PAGE_SIZE <= end; p += PAGE_SIZE) {
      if (!src.same(p, pageAt(ctx, hashes, p))) continue;
      if (p > start) out.push({ offset: start, length: p - start });
      start = p + PAGE_SIZE;
    }
    if (end > start) out.push({ offset: start, length: end - start });
  }
  return out;
}

/**
 * Refines the copies `ops` (sorted by `to`, each inside one of `regions`) and the literal gaps;
 * `bothData(b)` says whether block b is not all zero in the source nor in the target.
 * Reads SUBHASHES from the channel: call it before any COPY or DATA is sent.
 */
export async function refineLiteral(
  ctx: SessionContext,
  file: SessionFile,
  regions: Extent[],
  ops: CopyOp[],
  bothData: (b: number) => boolean,
): Promise<Refined> {
  const gapsOf = (list: CopyOp[]): Extent[] =>
    regions.flatMap((g) => literalGaps(g.offset, g.offset + g.length, list));
  const blocks = wantedBlocks(ctx, file, ops, gapsOf(ops), bothData);
  if (blocks.length === 0) return { ops, literal: gapsOf(ops) };
  const hashes = await fetchPageHashes(ctx, blocks);
  const src = new SourcePages(ctx, file);
  const extended: CopyOp[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as CopyOp;
    const region = regions.find((g) => g.offset <= op.to && op.to < g.offset + g.length) as Extent;
    const prev = extended.at(-1);
    const lo = Math.max(region.offset, prev === undefined ? 0 : prev.to + prev.length);
    const next = ops[i + 1];
    const hi = Math.min(region.offset + region.length, next === undefined ? Infinity : next.to);
    extended.push(extend(ctx, hashes, src, op, lo, hi));
  }
  return { ops: extended, literal: dropPagesInPlace(ctx, hashes, src, gapsOf(extended)) };
}
