/**
 * Extents: byte ranges of a file, such as the data regions a sparse map reports.
 *
 * Pure helpers; no I/O.
 */

/** A byte range `[offset, offset + length)` at an absolute file offset. */
export type Extent = { offset: number; length: number };

/**
 * Clips sorted, non-overlapping `extents` to the window `[start, end)`.
 *
 * Results keep absolute offsets (they are not rebased to `start`), stay sorted, and omit
 * empty pieces. An empty or inverted window yields `[]`. The input is not modified.
 */
export function clipExtents(extents: readonly Extent[], start: number, end: number): Extent[] {
  const out: Extent[] = [];
  for (const e of extents) {
    const lo = Math.max(e.offset, start);
    const hi = Math.min(e.offset + e.length, end);
    if (hi > lo) out.push({ offset: lo, length: hi - lo });
  }
  return out;
}

/** The number of bytes `extents` cover, counting each extent once (they must not overlap). */
export function extentsTotal(extents: readonly Extent[]): number {
  let total = 0;
  for (const e of extents) total += e.length;
  return total;
}

/** The ranges covered by both sorted, non-overlapping extent lists. */
export function intersectExtents(a: readonly Extent[], b: readonly Extent[]): Extent[] {
  const out: Extent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Extent;
    const y = b[j] as Extent;
    const start = Math.max(x.offset, y.offset);
    const end = Math.min(x.offset + x.length, y.offset + y.length);
    if (end > start) out.push({ offset: start, length: end - start });
    if (x.offset + x.length < y.offset + y.length) i++;
    else j++;
  }
  return out;
}

/** The ranges covered by either of two sorted, non-overlapping extent lists, merged where they touch. */
export function unionExtents(a: readonly Extent[], b: readonly Extent[]): Extent[] {
  const out: Extent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const next = y === undefined || (x !== undefined && x.offset <= y.offset) ? (i++, x) : (j++, y);
    if (next === undefined) break;
    const last = out.at(-1);
    if (last !== undefined && next.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, next.offset + next.length - last.offset);
    } else out.push({ offset: next.offset, length: next.length });
  }
  return out;
}

/** The extents as a Float64Array of (offset, length) pairs, the form the native addon takes. */
export function extentPairs(extents: readonly Extent[]): Float64Array {
  const pairs = new Float64Array(extents.length * 2);
  extents.forEach((e, i) => {
    pairs[2 * i] = e.offset;
    pairs[2 * i + 1] = e.length;
  });
  return pairs;
}
