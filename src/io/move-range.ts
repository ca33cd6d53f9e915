/**
 * Moving bytes within one file (the COPY of the rolling match): a memmove through a buffer, in
 * steps ordered so that no step reads bytes an earlier step of the same move wrote.
 */
import { BigsyncError, toBigsyncError } from '../errors.js';
import { readFullySync, writeFullySync } from './positional-io.js';

/**
 * Copies file bytes [from, from+length) to [to, to+length) of `fd`; the ranges may overlap.
 * @param buf scratch buffer; its length is the step.
 * @param saved bytes of the read range captured earlier (file offset `offset`): they replace what
 *   the file holds there now (core/move-plan.ts).
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
      writeFullySync(fd, buf, 0, n, to + rel);
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
