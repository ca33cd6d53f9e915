/**
 * Moving bytes within one file (the COPY of the rolling match): a memmove through a buffer, in
 * steps ordered so that no step reads bytes an earlier step of the same move wrote.
 */
import { isAllZero } from '../core/zero-detect.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import { zeroRange } from './hole-punch.js';
import { readFullySync, writeFullySync } from './positional-io.js';

/** Zero runs of at least a page become holes, as in the aligned pass, so the target stays as sparse as the source (a zero run that lands on zeros costs nothing: see writeSparse). */
const MIN_HOLE = 4096;
const PAGE = 4096;

/**
 * Copies file bytes [from, from+length) to [to, to+length) of `fd`; the ranges may overlap.
 * @param buf scratch buffer; its length is the step.
 * @param saved bytes of the read range captured earlier (file offset `offset`): they replace what
 *   the file holds there now (core/move-plan.ts).
 * @param holes zero runs of a page or more are punched as holes instead of written (a regular file
 *   in sparse mode), so moving a sparse region keeps it sparse.
 * @throws BigsyncError IO_ERROR on a short read (the file is shorter than `from + length`),
 *   NO_SPACE / IO_ERROR from the write.
 */
export function moveWithin(
  fd: number,
  from: number,
  to: number,
  length: number,
  buf: Buffer,
  saved: { bytes: Uint8Array; offset: number } | null = null,
  holes = false,
): void {
  const backwardSteps = from < to; // data moves up: copy the top step first
  for (let done = 0; done < length;) {
    const n = Math.min(buf.length, length - done);
    const rel = backwardSteps ? length - done - n : done;
    try {
      if (readFullySync(fd, buf, 0, n, from + rel) !== n) {
        throw new BigsyncError(
          'IO_ERROR',
          `short read moving data within the target at offset ${from + rel}`,
          {
            offset: from + rel,
          },
        );
      }
      if (saved !== null) overlay(buf, from + rel, n, saved);
      if (holes) writeSparse(fd, buf, n, to + rel);
      else writeFullySync(fd, buf, 0, n, to + rel);
    } catch (err) {
      throw toBigsyncError(err, `moving data within the target to offset ${to + rel} failed`, {
        offset: to + rel,
      });
    }
    done += n;
  }
}

/** Copies the part of `saved` inside the file range [pos, pos+n) over buf[0, n). */
function overlay(buf: Buffer, pos: number, n: number, saved: { bytes: Uint8Array; offset: number }): void {
  const s = Math.max(pos, saved.offset);
  const e = Math.min(pos + n, saved.offset + saved.bytes.length);
  if (e > s) buf.set(saved.bytes.subarray(s - saved.offset, e - saved.offset), s - pos);
}

let probe = Buffer.alloc(0);

/** Whether file bytes [pos, pos + n) all read as zero. */
function readsAsZero(fd: number, pos: number, n: number): boolean {
  if (probe.length < n) probe = Buffer.allocUnsafe(n);
  const got = readFullySync(fd, probe, 0, n, pos);
  return got === n && isAllZero(probe, 0, n);
}

/** Writes buf[0, n) at `pos`, punching zero runs of at least {@link MIN_HOLE} bytes instead. */
function writeSparse(fd: number, buf: Buffer, n: number, pos: number): void {
  let data = 0; // start of the pending data run
  for (let p = 0; p < n;) {
    let z = p;
    while (z < n && isAllZero(buf, z, Math.min(n, z + PAGE))) z = Math.min(n, z + PAGE);
    if (z - p >= MIN_HOLE) {
      if (p > data) writeFullySync(fd, buf, data, p - data, pos + data);
      // a zero region moved by a little mostly lands on zeros (often a hole): leave those alone
      if (!readsAsZero(fd, pos + p, z - p)) zeroRange(fd, pos + p, z - p, true);
      data = z;
    }
    p = z === p ? p + PAGE : z;
  }
  if (n > data) writeFullySync(fd, buf, data, n - data, pos + data);
}
