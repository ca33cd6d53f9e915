/**
 * Seeded test data for tests: the benchmark's image generator (bench/image-generator.ts) and its
 * randomness, plus a temporary directory helper. Tests that make images state the seed and
 * parameters inline, so any failure can be reproduced with the same call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keystream } from '../../bench/seeded-random.js';

export {
  changeBlocks,
  copyImage,
  patternImage,
  scatterWrites,
  truncateTo,
  writeSparseImage,
  writeVmImage,
  type Extent,
  type SparseImageLayout,
  type VmImageOptions,
  type VmImageStats,
} from '../../bench/image-generator.js';
export { Keystream, SeededRng, selectSorted } from '../../bench/seeded-random.js';

/** `n` deterministic bytes for `seed` (the start of Keystream(seed)). */
export function seededBytes(seed: string, n: number): Buffer {
  return new Keystream(seed).next(n);
}

/**
 * Runs `fn` with a fresh temporary directory and removes it afterwards, whatever `fn` does.
 * @param prefix the directory name's prefix under os.tmpdir().
 */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, prefix = 'bigsync-test-'): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
