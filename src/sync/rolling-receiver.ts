/**
 * The receiver's half of the rolling match (docs/protocol.md, "Rolling match"): answers
 * WEAK_REQUEST with the weak checksums of its blocks (and their hashes where BLOCK_HASHES did not
 * cover them), applies COPY as a move within the target, and cuts a longer target at the end.
 */
import * as fs from 'node:fs';
import { BLOCK_HASH_LENGTH } from '../core/block-hash.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import type { CopyMessage, WeakSumEntry } from '../format/messages-rolling.js';
import { validateCopyRange, validateWeakRequest } from '../format/block-range.js';
import { applyMoves, type MovedHashes } from './apply-moves.js';
import { mapBounded } from './bounded-map.js';
import type { RoleStats, SessionContext, SessionFile } from './remote-session.js';

/** The target's full blocks before the sync (for a device: within the source's size). */
function fullBlocks(ctx: SessionContext, file: SessionFile): number {
  const old = file.isDevice ? Math.min(file.size, ctx.size) : file.size;
  return Math.floor(old / ctx.blockSize);
}

/**
 * Answers one WEAK_REQUEST (a WEAK_SUMS per run of consecutive blocks). Blocks from `weakFrom` on
 * got their weak checksum while hashing (the same bytes: nothing is written before the sender
 * asks); the others are summed now, on every core, with their hashes where BLOCK_HASHES did not
 * cover them (blocks past the source's size).
 */
export async function answerWeak(
  ctx: SessionContext,
  file: SessionFile,
  blocks: readonly number[],
  stats: RoleStats,
  hashed: { zero: Uint8Array; weak: Uint32Array | null; weakFrom: number },
): Promise<void> {
  validateWeakRequest(blocks, fullBlocks(ctx, file));
  const B = ctx.blockSize;
  const cached = hashed.weak;
  const have = (b: number): boolean => cached !== null && b >= hashed.weakFrom && (b + 1) * B <= ctx.size;
  const fresh = await summed(
    ctx,
    file,
    blocks.filter((b) => !have(b)),
    stats,
  );
  const computed = new Map(fresh.map((e) => [e.block, e]));
  const entries = blocks.map((block): WeakSumEntry => {
    const e = computed.get(block);
    if (e !== undefined) return e;
    const zero = hashed.zero[block] === 1;
    return { block, zero, weak: zero ? 0 : ((cached as Uint32Array)[block] as number), strong: null };
  });
  return sendRuns(ctx, entries);
}

/** Weak checksums of `blocks` read now, 16 MiB of blocks per task, on every core. */
async function summed(
  ctx: SessionContext,
  file: SessionFile,
  blocks: number[],
  stats: RoleStats,
): Promise<WeakSumEntry[]> {
  const B = ctx.blockSize;
  const L = BLOCK_HASH_LENGTH;
  const group = Math.max(1, Math.floor((16 * 1024 * 1024) / B));
  const parts: number[][] = [];
  for (let i = 0; i < blocks.length; i += group) parts.push(blocks.slice(i, i + group));
  const answered = await mapBounded(parts, ctx.window, async (some) => {
    const strong = Uint8Array.from(some, (b) => ((b + 1) * B > ctx.size ? 1 : 0));
    const r = await ctx.exec.weakSums({
      kind: 'weak-sums',
      fd: file.fd as number,
      blocks: some,
      blockSize: B,
      key: ctx.key,
      strong,
    });
    stats.bytesRead += r.bytesRead;
    return some.map((block, i) => {
      const zero = r.zero[i] === 1;
      return {
        block,
        zero,
        weak: zero ? 0 : (r.weak[i] as number),
        strong: zero || strong[i] !== 1 ? null : Buffer.from(r.tags.subarray(i * L, (i + 1) * L)),
      };
    });
  });
  return answered.flat();
}

/** Sends `entries` as one WEAK_SUMS per run of consecutive blocks, in order. */
async function sendRuns(ctx: SessionContext, entries: WeakSumEntry[]): Promise<void> {
  // one WEAK_SUMS per run of consecutive blocks, in order
  for (let i = 0; i < entries.length;) {
    let j = i + 1;
    while (j < entries.length && (entries[j]?.block as number) === (entries[j - 1]?.block as number) + 1) j++;
    await ctx.ch.send({ type: 'WEAK_SUMS', body: { entries: entries.slice(i, j) } });
    i = j;
  }
}

/** Checks a COPY before it is queued: both ranges inside what may be read and written. */
export function checkCopy(ctx: SessionContext, file: SessionFile, msg: CopyMessage): void {
  const readLimit = Math.max(ctx.size, file.isDevice ? ctx.size : file.size);
  validateCopyRange(msg, readLimit, ctx.size);
}

/**
 * Applies a run of checked COPYs in their order (long ones on every core, short ones that do not
 * clash side by side: applyMoves) and marks the blocks they wrote for verification. When the
 * session verifies, `onMoved` gets the hashes of the whole blocks each wrote, taken from the
 * bytes written, which the caller keeps instead of reading those blocks back.
 */
export async function applyCopies(
  ctx: SessionContext,
  file: SessionFile,
  copies: readonly CopyMessage[],
  touched: Uint8Array,
  stats: RoleStats,
  onMoved: (msg: CopyMessage, moved: MovedHashes) => void,
): Promise<void> {
  const hash = ctx.opts.verify ? { key: ctx.key, blockSize: ctx.blockSize, size: ctx.size } : null;
  const sparse = ctx.opts.sparse && !file.isDevice;
  const B = ctx.blockSize;
  await applyMoves(
    ctx.exec,
    file.fd as number,
    copies,
    ctx.window / 2,
    sparse,
    (msg, moved) => {
      touched.fill(1, Math.floor(msg.to / B), Math.floor((msg.to + msg.length - 1) / B) + 1);
      stats.bytesWritten += msg.length;
      stats.movedBytes += msg.length;
      onMoved(msg, moved);
    },
    ctx.signal,
    hash,
  );
  if (ctx.signal?.aborted === true) throw new BigsyncError('INTERRUPTED', 'interrupted; rerun to continue');
}

/** Cuts a regular target that was kept longer than the source (a copy source) to its final size. */
export function cutTarget(ctx: SessionContext, file: SessionFile): void {
  if (file.isDevice || file.fd === null || ctx.opts.dryRun) return;
  try {
    if (fs.fstatSync(file.fd).size > ctx.size) fs.ftruncateSync(file.fd, ctx.size);
  } catch (err) {
    throw toBigsyncError(err, `cannot resize target ${file.path}`);
  }
}
