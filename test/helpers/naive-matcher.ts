/**
 * A reference matcher for differential tests of core/rolling-matcher.ts, written to be obviously
 * right rather than fast: no rolling, no table, no cap, no predicted chain. Also the fixtures the
 * matcher's tests share: a table of a target's blocks, a byte-comparing strong check, a rebuild.
 */
import { literalGaps } from '../../src/core/copy-ops.js';
import { weakChecksum } from '../../src/core/rolling-checksum.js';
import type { CopyOp } from '../../src/core/rolling-matcher.js';
import { WeakTable } from '../../src/core/weak-table.js';

/**
 * Reference matcher for differential tests: at each position p from start, compute the weak
 * checksum from scratch, check EVERY target block (no cap) with that weak by comparing bytes;
 * greedy, first match wins, jump by blockSize on a match. Returns ops like findMatches
 * (coalesced). Quadratic; small inputs only.
 *
 * Target blocks are the full blocks at k * blockSize, k = 0 .. floor(target.length / blockSize) - 1.
 */
export function naiveMatches(src: Uint8Array, target: Uint8Array, blockSize: number): CopyOp[] {
  const blocks = Math.floor(target.length / blockSize);
  const weak: number[] = [];
  for (let k = 0; k < blocks; k++) weak.push(weakChecksum(target, k * blockSize, blockSize));
  const ops: CopyOp[] = [];
  let p = 0;
  while (p + blockSize <= src.length) {
    const w = weakChecksum(src, p, blockSize);
    const window = Buffer.from(src.buffer, src.byteOffset + p, blockSize);
    let found = -1;
    for (let k = 0; k < blocks && found < 0; k++) {
      const from = k * blockSize;
      if (weak[k] === w && window.equals(target.subarray(from, from + blockSize))) found = from;
    }
    if (found < 0) {
      p++;
      continue;
    }
    const prev = ops[ops.length - 1];
    if (prev !== undefined && prev.to + prev.length === p && prev.from + prev.length === found) {
      ops[ops.length - 1] = { to: prev.to, from: prev.from, length: prev.length + blockSize };
    } else {
      ops.push({ to: p, from: found, length: blockSize });
    }
    p += blockSize;
  }
  return ops;
}

/** The weak table of `target`'s full blocks, as the matcher's callers build it. */
export function blockTable(target: Uint8Array, blockSize: number, maxPerWeak?: number): WeakTable {
  const blocks = Math.floor(target.length / blockSize);
  const weak = new Uint32Array(blocks);
  const offsets = new Float64Array(blocks);
  for (let k = 0; k < blocks; k++) {
    weak[k] = weakChecksum(target, k * blockSize, blockSize);
    offsets[k] = k * blockSize;
  }
  return new WeakTable(weak, offsets, maxPerWeak);
}

/**
 * A strong check by comparing bytes with `target`, as a local sync does; false for ranges outside
 * the target. Throws when asked to read past `src` (a matcher bug). Counts its calls.
 */
export function byteVerifier(
  target: Uint8Array,
  blockSize: number,
): { verify: (off: number, src: Uint8Array, at: number) => boolean; calls: () => number } {
  let calls = 0;
  const verify = (off: number, src: Uint8Array, at: number): boolean => {
    calls++;
    if (at < 0 || at + blockSize > src.length)
      throw new Error(`verify past src: at ${at}, ${src.length} bytes`);
    if (off < 0 || off + blockSize > target.length) return false;
    return Buffer.compare(target.subarray(off, off + blockSize), src.subarray(at, at + blockSize)) === 0;
  };
  return { verify, calls: () => calls };
}

/** Rebuilds the new file: ops copied from `old`, every other byte taken from `neu`. */
export function rebuild(old: Uint8Array, neu: Uint8Array, ops: readonly CopyOp[]): Buffer {
  const out = Buffer.alloc(neu.length);
  for (const gap of literalGaps(0, neu.length, ops)) {
    out.set(neu.subarray(gap.offset, gap.offset + gap.length), gap.offset);
  }
  for (const op of ops) out.set(old.subarray(op.from, op.from + op.length), op.to);
  return out;
}
