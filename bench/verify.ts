/**
 * Checks a tool's result against the source, byte for byte, and measures allocation. This is what
 * makes a fast wrong answer fail (STYLE rule 13).
 */
import { open, stat } from 'node:fs/promises';
import { readFully } from './file-io.js';

/** The outcome of {@link compareFiles}. */
export interface Comparison {
  equal: boolean;
  /** Why not: a size mismatch, a missing file, or the offset of the first differing 8 MiB piece. */
  reason?: string;
}

const PIECE = 8 << 20;

/**
 * Compares two files byte for byte, reading both in 8 MiB pieces in parallel (memory: 16 MiB).
 * Never throws for a missing file: that is a difference.
 */
export async function compareFiles(a: string, b: string): Promise<Comparison> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  if (sa === null || sb === null) return { equal: false, reason: `${sa === null ? a : b} does not exist` };
  if (sa.size !== sb.size) return { equal: false, reason: `sizes differ: ${sa.size} vs ${sb.size}` };
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const ba = Buffer.alloc(PIECE);
    const bb = Buffer.alloc(PIECE);
    for (let pos = 0; pos < sa.size; pos += PIECE) {
      const want = Math.min(PIECE, sa.size - pos);
      const [ga, gb] = await Promise.all([readFully(fa, ba, want, pos), readFully(fb, bb, want, pos)]);
      if (ga !== want || gb !== want) return { equal: false, reason: `short read at ${pos}` };
      if (!ba.subarray(0, want).equals(bb.subarray(0, want))) {
        return { equal: false, reason: `bytes differ in [${pos}, ${pos + want})` };
      }
    }
    return { equal: true };
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

/** Bytes allocated on disk for `path` (`du` style: st_blocks * 512), or null if it does not exist. */
export async function allocatedBytes(path: string): Promise<number | null> {
  const st = await stat(path).catch(() => null);
  return st === null ? null : st.blocks * 512;
}

/** Apparent size of `path`, or null if it does not exist. */
export async function apparentSize(path: string): Promise<number | null> {
  const st = await stat(path).catch(() => null);
  return st === null ? null : st.size;
}
