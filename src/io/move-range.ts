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

/** Options of {@link moveWithin}. */
export interface MoveOptions {
  /**
   * Bytes of the read range captured earlier (file offset `offset`): they replace what the file
   * holds there now (core/move-plan.ts).
   */
  saved?: { bytes: Uint8Array; offset: number } | null;
  /**
   * Zero runs of a page or more are punched as holes instead of written (a regular file in sparse
   * mode), so moving a sparse region keeps it sparse.
   */
  holes?: boolean;
  /** Steps start and end on multiples of this (a block size), so whole blocks pass through one step. */
  align?: number;
  /** Called after each step is written, with the bytes written and where (file offset). */
  onStep?: (bytes: Buffer, n: number, pos: number) => void;
}

/**
 * The steps of a move of `length` bytes to `to`, as [offset in the move, length], at most `step`
 * long and, with `align`, cut at destination offsets that are multiples of the largest multiple
 * of `align` not above `step`. Any cut is safe; the order is what makes the move safe.
 */
function stepsOf(to: number, length: number, step: number, align: number): [number, number][] {
  const grid = align > 0 && align <= step ? step - (step % align) : 0;
  const out: [number, number][] = [];
  for (let rel = 0; rel < length;) {
    const end = grid > 0 ? Math.floor((to + rel) / grid) * grid + grid - to : rel + step;
    const n = Math.min(length, end) - rel;
    out.push([rel, n]);
    rel += n;
  }
  return out;
}

/**
 * Copies file bytes [from, from+length) to [to, to+length) of `fd`; the ranges may overlap.
 * @param buf scratch buffer; its length is the largest step.
 * @throws BigsyncError IO_ERROR on a short read (the file is shorter than `from + length`),
 *   NO_SPACE / IO_ERROR from the write.
 */
export function moveWithin(
  fd: number,
  from: number,
  to: number,
  length: number,
  buf: Buffer,
  opts: MoveOptions = {},
): void {
  const saved = opts.saved ?? null;
  const steps = stepsOf(to, length, buf.length, opts.align ?? 0);
  // data moving up: copy the top step first, so no step reads bytes an earlier one wrote
  if (from < to) steps.reverse();
  for (const [rel, n] of steps) {
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
      if (opts.holes === true) writeSparse(fd, buf, n, to + rel);
      else writeFullySync(fd, buf, 0, n, to + rel);
    } catch (err) {
      throw toBigsyncError(err, `moving data within the target to offset ${to + rel} failed`, {
        offset: to + rel,
      });
    }
    opts.onStep?.(buf, n, to + rel);
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
