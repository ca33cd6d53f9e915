/**
 * The scenarios of the search for moved data (issue 4, `--match`), both `movedDataTest`, which
 * brings in rdiff. `shift` inserts 1 KiB near the start of the base VM image: the source holds the
 * target's bytes at other offsets, so only a search for moved data (a rolling checksum) finds them;
 * it is `shifted`, which picks rsync's new-file mode. `worst-case` is a patterned image (a few
 * repeated 4 KiB patterns) with small random overwrites: nothing moves, but a search where blocks
 * differ (bigsync-rolling) finds weak-checksum candidates at almost every offset and must stay bounded.
 */
import { join } from 'node:path';
import { copyImage, editImage, insertBytes, patternImage } from './image-generator.js';
import type { Scenario } from './scenarios.js';
import { Keystream } from './seeded-random.js';

const copyOf = (pristine: string) => async (dest: string) => {
  await copyImage(pristine, dest);
};

/** Where `shift` inserts its bytes: near the start, and on no block boundary (12388 = 3 x 4096 + 100). */
export const SHIFT_OFFSET = 12388;
/** How many bytes `shift` inserts. */
export const SHIFT_BYTES = 1024;

/** The base image with 1 KiB of random bytes (Keystream(`${seed}/shift`)) inserted at {@link SHIFT_OFFSET}. */
export const shift: Scenario = {
  name: 'shift',
  description:
    '1 KiB inserted near the start (not block aligned): every later byte moved, so only a search for moved data finds it.',
  usesBaseImage: true,
  diskBytes: (c) => 3 * c.size + SHIFT_BYTES,
  async prepare(ctx) {
    const source = join(ctx.dir, 'source.img');
    const inserted = new Keystream(`${ctx.seed}/shift`).next(SHIFT_BYTES);
    const changedBytes = await insertBytes(ctx.baseImage, source, Math.min(SHIFT_OFFSET, ctx.size), inserted);
    return {
      source,
      makeTarget: copyOf(ctx.baseImage),
      targetSize: ctx.size,
      changedBytes,
      sparse: false,
      shifted: true,
      movedDataTest: true,
    };
  },
};

/**
 * Target: a patterned image of `size` bytes (`${seed}/worst-case`, no edits inside blocks). Source:
 * that image with the 256 overwrites of seededEdits(`${seed}/worst-case/edits`, overwrites only):
 * the same size, every other byte at its offset.
 */
export const worstCase: Scenario = {
  name: 'worst-case',
  description:
    'A few repeated 4 KiB patterns with 256 small random overwrites: a search for moved data finds weak-checksum candidates at almost every offset and must stay bounded.',
  usesBaseImage: false,
  // Pristine target, source, working copy, and the new copy rdiff writes beside it.
  diskBytes: (c) => 4 * c.size,
  async prepare(ctx) {
    const pristine = join(ctx.dir, 'target.pristine');
    await patternImage(pristine, ctx.size, `${ctx.seed}/worst-case`, { editProbability: 0 });
    const source = join(ctx.dir, 'source.img');
    const plan = await editImage(pristine, source, `${ctx.seed}/worst-case/edits`, { kinds: ['overwrite'] });
    return {
      source,
      makeTarget: copyOf(pristine),
      targetSize: ctx.size,
      changedBytes: plan.overwrittenBytes,
      sparse: false,
      shifted: false,
      movedDataTest: true,
    };
  },
};
