/**
 * How the sender turns byte ranges into DATA messages: raw or zstd (when `-z` and it shrinks),
 * zero runs as ENCODING_ZERO, at most {@link MAX_DATA} bytes a message. In a dry run nothing is
 * sent; the bytes are only counted.
 */
import { BigsyncError } from '../errors.js';
import { ENCODING_RAW, ENCODING_ZERO, ENCODING_ZSTD } from '../format/wire-constants.js';
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
    const z = ctx.opts.compress ? compressData(bytes) : null;
    const body =
      z === null
        ? { offset: offset + done, length: n, encoding: ENCODING_RAW, payload: bytes }
        : { offset: offset + done, length: n, encoding: ENCODING_ZSTD, payload: z };
    await ctx.ch.send({ type: 'DATA', body: body as never });
  }
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

/** Sends the runs of pages of block `b` that `pick(page)` selects. */
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
  const block = Buffer.allocUnsafe(len);
  const got = readFullySync(file.fd as number, block, 0, len, start);
  stats.bytesRead += got;
  if (got < len) throw new BigsyncError('SOURCE_CHANGED', `source shrank during the sync: ${file.path}`);
  let runStart = -1;
  for (let p = 0; ; p += PAGE_SIZE) {
    const want = p < len && pick(p / PAGE_SIZE, block.subarray(p, Math.min(p + PAGE_SIZE, len)));
    if (want && runStart < 0) runStart = p;
    if (!want && runStart >= 0) {
      await sendRange(ctx, file, start + runStart, Math.min(p, len) - runStart, stats, buf);
      runStart = -1;
    }
    if (p >= len) break;
  }
}
