/**
 * Local rolling match: growing each copy byte by byte into the literal gaps around it while the
 * source and the old target still agree at the copy's shift (both files are here). Matches are
 * whole blocks; an insertion point lies inside a block, so without this the rest of that block
 * would be written as literal data.
 */
import type { Extent } from '../core/extent.js';
import type { CopyOp } from '../core/rolling-matcher.js';
import { readFullySync } from '../io/positional-io.js';

const STEP = 64 * 1024;
const PAGE = 4096;

/** Files and limits of the extension. */
export interface ExtendFiles {
  srcFd: number;
  dstFd: number;
  /** The target's size before the sync: copy sources end there. */
  oldSize: number;
}

/** Bytes at the end of a[0, n) and b[0, n) that are equal. */
function equalSuffix(a: Buffer, b: Buffer, n: number): number {
  let i = n;
  while (i >= PAGE && a.subarray(i - PAGE, i).equals(b.subarray(i - PAGE, i))) i -= PAGE;
  while (i > 0 && a[i - 1] === b[i - 1]) i--;
  return n - i;
}

/** Bytes at the start of a[0, n) and b[0, n) that are equal. */
function equalPrefix(a: Buffer, b: Buffer, n: number): number {
  let i = 0;
  while (i + PAGE <= n && a.subarray(i, i + PAGE).equals(b.subarray(i, i + PAGE))) i += PAGE;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

class Extender {
  private readonly a = Buffer.allocUnsafe(STEP);
  private readonly b = Buffer.allocUnsafe(STEP);
  constructor(private readonly f: ExtendFiles) {}

  /** How far [to - k, to) equals old [from - k, from), for k up to `room`. */
  back(to: number, from: number, room: number): number {
    let k = 0;
    while (k < room) {
      const n = Math.min(STEP, room - k, from - k);
      if (n <= 0) break;
      this.read(to - k - n, from - k - n, n);
      const same = equalSuffix(this.a, this.b, n);
      k += same;
      if (same < n) break;
    }
    return k;
  }

  /** How far [to, to + k) equals old [from, from + k), for k up to `room`. */
  ahead(to: number, from: number, room: number): number {
    let k = 0;
    while (k < room) {
      const n = Math.min(STEP, room - k, this.f.oldSize - from - k);
      if (n <= 0) break;
      this.read(to + k, from + k, n);
      const same = equalPrefix(this.a, this.b, n);
      k += same;
      if (same < n) break;
    }
    return k;
  }

  private read(srcPos: number, dstPos: number, n: number): void {
    if (readFullySync(this.f.srcFd, this.a, 0, n, srcPos) < n) this.a.fill(0, 0, n);
    if (readFullySync(this.f.dstFd, this.b, 0, n, dstPos) < n) this.b.fill(1, 0, n);
  }
}

/**
 * Extends `ops` (sorted by `to`, each inside one of the sorted `regions`) into the gaps between
 * them, never past the region or a neighbour.
 */
export function extendCopies(f: ExtendFiles, regions: readonly Extent[], ops: readonly CopyOp[]): CopyOp[] {
  const ext = new Extender(f);
  const out: CopyOp[] = [];
  let r = 0;
  ops.forEach((op, i) => {
    while (r < regions.length && (regions[r] as Extent).offset + (regions[r] as Extent).length <= op.to) r++;
    const region = regions[r] as Extent;
    const prev = out.at(-1);
    const lo = Math.max(region.offset, prev === undefined ? 0 : prev.to + prev.length);
    const next = ops[i + 1];
    const hi = Math.min(region.offset + region.length, next === undefined ? Infinity : next.to);
    const back = ext.back(op.to, op.from, op.to - lo);
    const end = op.to + op.length;
    const ahead = ext.ahead(end, op.from + op.length, hi - end);
    out.push({ to: op.to - back, from: op.from - back, length: op.length + back + ahead });
  });
  return out;
}
