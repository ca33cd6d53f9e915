/**
 * How the sender turns byte ranges into DATA messages: raw or zstd (when `-z` and it shrinks),
 * zero runs as ENCODING_ZERO, at most {@link MAX_DATA} bytes a message. In a dry run nothing is
 * sent; the bytes are only counted.
 */
import { BigsyncError } from '../errors.js';
import { ENCODING_RAW, ENCODING_ZERO, ENCODING_ZSTD } from '../format/wire-constants.js';
import { isAllZero } from '../core/zero-detect.js';
import { readFullySync } from '../io/positional-io.js';
import { compressData } from './data-codec.js';
import { PAGE_SIZE, type RoleStats, type SessionContext, type SessionFile } from './remote-session.js';

/** Largest decoded length of one DATA message. */
export const MAX_DATA = 16 * 1024 * 1024;

/** Sends `[offset, offset+length)` of the source as DATA (raw or zstd), or counts it in a dry run. */
export async function sendRange(
  ctx: SessionContext,
  file: SessionFile,
  offset: number,
  length: number,
  stats: RoleStats,
  buf: Buffer,
): Promise<void> {
  for (let done = 0; done < length; done += MAX_DATA) {
    const n = Math.min(MAX_DATA, length - done);
    stats.dataBytes += n;
    if (ctx.opts.dryRun) continue;
    const bytes = buf.length >= n ? buf.subarray(0, n) : Buffer.allocUnsafe(n);
    const got = readFullySync(file.fd as number, bytes, 0, n, offset + done);
    stats.bytesRead += got;
    if (got < n) throw new BigsyncError('SOURCE_CHANGED', `source shrank during the sync: ${file.path}`);
    await sendBytes(ctx, offset + done, bytes);
  }
}

/** Sends `bytes` (at most MAX_DATA, already read from the source) as one DATA for `offset`. */
async function sendBytes(ctx: SessionContext, offset: number, bytes: Buffer): Promise<void> {
  const z = ctx.opts.compress ? compressData(bytes) : null;
  const body =
    z === null
      ? { offset, length: bytes.length, encoding: ENCODING_RAW, payload: bytes }
      : { offset, length: bytes.length, encoding: ENCODING_ZSTD, payload: z };
  await ctx.ch.send({ type: 'DATA', body: body as never });
}

export async function sendZero(
  ctx: SessionContext,
  offset: number,
  length: number,
  stats: RoleStats,
): Promise<void> {
  for (let done = 0; done < length; done += MAX_DATA) {
    const n = Math.min(MAX_DATA, length - done);
    if (!ctx.opts.dryRun) {
      await ctx.ch.send({
        type: 'DATA',
        body: { offset: offset + done, length: n, encoding: ENCODING_ZERO, payload: Buffer.alloc(0) },
      });
    }
  }
  stats.bytesZeroed += length;
}

/**
 * Sends the runs of pages of block `b` that `pick(page)` selects, from one read of the block into
 * `buf` (at least a block long; the caller's scratch buffer, free again when this resolves: each
 * DATA frame is a copy). Picked pages that are all zero go as zero runs (no data on the wire; the
 * receiver punches a hole, as a local sync does).
 */
export async function sendPages(
  ctx: SessionContext,
  file: SessionFile,
  b: number,
  pick: (page: number, bytes: Buffer) => boolean,
  stats: RoleStats,
  buf: Buffer,
): Promise<void> {
  const start = b * ctx.blockSize;
  const len = Math.min(ctx.blockSize, ctx.size - start);
  const block = buf.length >= len ? buf.subarray(0, len) : Buffer.allocUnsafe(len);
  const got = readFullySync(file.fd as number, block, 0, len, start);
  stats.bytesRead += got;
  if (got < len) throw new BigsyncError('SOURCE_CHANGED', `source shrank during the sync: ${file.path}`);
  // runs of picked pages of one kind (data or zero); kind 0: not picked
  let runStart = 0;
  let runKind = 0;
  for (let p = 0; ; p += PAGE_SIZE) {
    let kind = 0;
    if (p < len) {
      const bytes = block.subarray(p, Math.min(p + PAGE_SIZE, len));
      if (pick(p / PAGE_SIZE, bytes)) kind = isAllZero(bytes) ? 2 : 1;
    }
    if (kind !== runKind) {
      const end = Math.min(p, len);
      if (runKind === 2) await sendZero(ctx, start + runStart, end - runStart, stats);
      if (runKind === 1) {
        for (let at = runStart; at < end; at += MAX_DATA) {
          const to = Math.min(end, at + MAX_DATA);
          stats.dataBytes += to - at;
          if (!ctx.opts.dryRun) await sendBytes(ctx, start + at, block.subarray(at, to));
        }
      }
      runStart = p;
      runKind = kind;
    }
    if (p >= len) break;
  }
}
