/**
 * A pool of text-like bytes (log lines, config files, source) that VM images copy their text
 * regions from: newline-separated lines of words from a small fixed vocabulary. It compresses well
 * and has no long repeats at fixed offsets, like real text on a disk.
 */
import { SeededRng } from './seeded-random.js';

/** The fixed vocabulary. Changing it changes every generated image: don't. */
const VOCABULARY = (
  'the of and to in is for on with that by this be are from at as it an or was kernel ' +
  'error warning info debug user root home var log etc usr bin lib system service started ' +
  'stopped failed connection timeout request response server client session config value ' +
  'file path size block device mount disk network address port update install package ' +
  'version build test release commit'
).split(' ');

/** Size of the pool beyond one region; text regions start at any offset inside it. */
const POOL_BYTES = 1 << 20;

/**
 * Builds the text pool for a seed: `POOL_BYTES + regionSize` bytes (so a region can be copied from
 * any offset in the first POOL_BYTES) of lines of 3..14 words separated by spaces.
 *
 * @param seed the seed string; word and line-length choices use SeededRng(seed).
 * @param regionSize the largest piece that will be copied out.
 */
export function buildTextPool(seed: string, regionSize: number): Buffer {
  const rng = new SeededRng(seed);
  const words = VOCABULARY.map((w) => Buffer.from(w, 'latin1'));
  const pool = Buffer.alloc(POOL_BYTES + regionSize);
  let pos = 0;
  while (pos < pool.length) {
    const wordsInLine = 3 + rng.below(12);
    for (let i = 0; i < wordsInLine && pos < pool.length; i++) {
      const word = words[rng.below(words.length)] ?? words[0];
      if (word === undefined) break;
      pos += word.copy(pool, pos);
      if (pos < pool.length) pool[pos++] = i + 1 === wordsInLine ? 0x0a : 0x20;
    }
  }
  return pool;
}
