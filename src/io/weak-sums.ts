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
