/**
 * All-zero detection. A page-cache read of a hole and an all-zero block written by a VM look the
 * same; both may be left (or made) a hole on a regular-file target.
 */

const ZERO = Buffer.alloc(64 * 1024);

/** True when every byte of `buf[start, end)` is zero. Runs at memcmp speed. */
export function isAllZero(buf: Uint8Array, start = 0, end = buf.length): boolean {
  for (let off = start; off < end; off += ZERO.length) {
    const n = Math.min(ZERO.length, end - off);
    if (Buffer.compare(buf.subarray(off, off + n), ZERO.subarray(0, n)) !== 0) return false;
  }
  return true;
}
