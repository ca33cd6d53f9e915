/**
 * Weak checksums of whole blocks, natively when the addon has them (several GB/s) and in JS
 * otherwise (core/rolling-checksum.ts, a few hundred MB/s): the same numbers either way.
 */
import { weakChecksum } from '../core/rolling-checksum.js';
import { nativeOps, type NativeOps } from './native.js';

/** The weak checksum of each whole `blockSize` block of `buf`, in order. */
export function weakSumsOf(
  buf: Uint8Array,
  blockSize: number,
  ops: NativeOps | null = nativeOps(),
): Uint32Array {
  const out = new Uint32Array(Math.floor(buf.length / blockSize));
  if (ops?.weakSums !== undefined) {
    ops.weakSums(buf, blockSize, out);
    return out;
  }
  for (let k = 0; k < out.length; k++) out[k] = weakChecksum(buf, k * blockSize, blockSize);
  return out;
}

const one = new Uint32Array(1);

/** The weak checksum of buf[0, length) (one window), without allocating. */
export function weakOf(buf: Uint8Array, length: number, ops: NativeOps | null = nativeOps()): number {
  if (ops?.weakSums !== undefined) {
    ops.weakSums(buf.subarray(0, length), length, one);
    return one[0] as number;
  }
  return weakChecksum(buf, 0, length);
}

/** Whether weak sums run natively here (the addon is loaded and has them). */
export function nativeWeakSums(ops: NativeOps | null = nativeOps()): boolean {
  return ops?.weakSums !== undefined;
}
