/**
 * Small positional I/O helpers for the benchmark's image tools: full reads and writes that loop
 * on short transfers, an all-zero test, and extents. Every loop makes progress or stops.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** A byte range of a file: `[offset, offset + length)`. */
export interface Extent {
  offset: number;
  length: number;
}

/** Size of the buffers the image tools read and write with. */
export const IO_BUFFER = 4 << 20;
/** Granularity of hole and zero decisions (VM image regions, sparse copies). */
export const REGION = 64 << 10;

const ZERO_REGION = Buffer.alloc(REGION);

/** Writes all of `buf` at `position`; throws if the file accepts no bytes. */
export async function writeFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write made no progress at offset ${position + done}`);
    done += bytesWritten;
  }
}

/**
 * Reads up to `length` bytes at `position` into `buf[0..)`; returns how many were read (fewer only
 * at end of file).
 */
export async function readFully(
  fh: FileHandle,
  buf: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** True when `buf[start, end)` is all zero bytes (memcmp against a zero region, so fast). */
export function isAllZero(buf: Buffer, start: number, end: number): boolean {
  for (let pos = start; pos < end; pos += REGION) {
    const len = Math.min(REGION, end - pos);
    if (!buf.subarray(pos, pos + len).equals(ZERO_REGION.subarray(0, len))) return false;
  }
  return true;
}

/**
 * Writes `buf[0, length)` at `position`, skipping every {@link REGION}-sized, REGION-aligned (relative
 * to `position`) piece that is all zero, so those stay holes in a file that was truncated to size.
 * Returns the bytes actually written.
 */
export async function writeSkippingZeros(
  fh: FileHandle,
  buf: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let written = 0;
  let runStart = -1;
  for (let pos = 0; pos < length + REGION; pos += REGION) {
    const at = Math.min(pos, length);
    const zero = at >= length || isAllZero(buf, at, Math.min(at + REGION, length));
    if (!zero && runStart < 0) runStart = at;
    if (zero && runStart >= 0) {
      await writeFully(fh, buf.subarray(runStart, at), position + runStart);
      written += at - runStart;
      runStart = -1;
    }
    if (at >= length) break;
  }
  return written;
}

/**
 * Flushes `path`'s dirty pages to disk (fsync), leaving them cached and clean. The harness does
 * this to every file before a timed run: the run then pays for no earlier writeback, and the
 * kernel counts every page the tool dirties (a page dirtied twice is counted once).
 */
export async function flushFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
