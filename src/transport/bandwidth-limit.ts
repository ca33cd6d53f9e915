/**
 * `--bwlimit RATE`: a decorator that wraps any {@link Transport} and paces the bytes we send to at
 * most `bytesPerSecond` (a token bucket with one second of burst). The peer's bytes are not paced:
 * the peer's own --bwlimit does that. Same interface, so it stacks with any transport.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { BigsyncError } from '../errors.js';
import type { Connection, Transport } from './connection.js';

/** A Transform that lets at most `rate` bytes a second through, in slices of at most 64 KiB. */
export class RateLimiter extends Transform {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly rate: number) {
    super();
    this.tokens = rate;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    void this.pace(chunk).then(() => done(), done);
  }

  private async pace(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      const now = Date.now();
      this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      const n = Math.min(chunk.length - off, 64 * 1024, Math.floor(this.tokens));
      if (n <= 0) {
        await new Promise((r) =>
          setTimeout(
            r,
            Math.max(
              1,
              Math.ceil(((Math.min(64 * 1024, chunk.length - off) - this.tokens) / this.rate) * 1000),
            ),
          ),
        );
        continue;
      }
      this.tokens -= n;
      this.push(chunk.subarray(off, off + n));
      off += n;
    }
  }
}

/**
 * Wraps `inner` so every connection's output is paced to `bytesPerSecond`.
 * @throws BigsyncError BAD_SIZE for a rate below 1 KiB/s.
 */
export function withBandwidthLimit(inner: Transport, bytesPerSecond: number): Transport {
  if (!(bytesPerSecond >= 1024)) {
    throw new BigsyncError(
      'BAD_SIZE',
      `--bwlimit must be at least 1K (bytes per second), got ${bytesPerSecond}`,
    );
  }
  return {
    async open(signal?: AbortSignal): Promise<Connection> {
      const conn = await inner.open(signal);
      const limiter = new RateLimiter(bytesPerSecond);
      limiter.pipe(conn.output);
      limiter.on('error', () => undefined);
      return {
        input: conn.input,
        output: limiter,
        exited: conn.exited,
        close: async () => {
          limiter.end();
          await new Promise<void>((r) =>
            limiter.writableFinished ? r() : limiter.once('finish', () => r()),
          );
          await conn.close();
        },
      };
    },
  };
}
