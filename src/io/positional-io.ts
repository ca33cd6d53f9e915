/**
 * Positional reads and writes that finish the job: the kernel may return short counts, these
 * loop until the range is done (or, for reads, the file ends). Synchronous on purpose: they run
 * inside worker threads, where blocking is the point.
 */
import * as fs from 'node:fs';

/**
 * Reads `length` bytes at file `position` into `buf[offset...]`, looping over short reads.
 * @returns the bytes read; fewer than `length` only at end of file. The caller zero-fills the rest.
 */
export function readFullySync(
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Writes `buf[offset, offset+length)` at file `position`, looping over short writes. */
export function writeFullySync(
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
): void {
  let done = 0;
  while (done < length) {
    done += fs.writeSync(fd, buf, offset + done, length - done, position + done);
  }
}
