/**
 * The scenarios where data moved (issue 4, `--match`): the source holds the target's bytes at other
 * offsets, so only a search for moved data (a rolling checksum) finds them. `shift` inserts 1 KiB
 * near the start of the base VM image; `worst-case` is a patterned image (a few repeated 4 KiB
 * patterns) with small random overwrites, insertions and deletions. Both are `shifted`, which picks
 * rsync's new-file mode and brings in rdiff.
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
    };
  },
};

/** Most bytes the `worst-case` edits can add to the size (256 insertions of at most 64 bytes). */
const WORST_CASE_GROWTH = 256 * 64;

/**
 * Target: a patterned image of `size` bytes (`${seed}/worst-case`, no edits inside blocks). Source:
 * that image with the 256 edits of seededEdits(`${seed}/worst-case/edits`).
 */
export const worstCase: Scenario = {
  name: 'worst-case',
  description:
    'A few repeated 4 KiB patterns with 256 small random overwrites, insertions and deletions: a search for moved data finds candidates everywhere.',
  usesBaseImage: false,
  diskBytes: (c) => 4 * c.size + WORST_CASE_GROWTH,
  async prepare(ctx) {
    const pristine = join(ctx.dir, 'target.pristine');
    await patternImage(pristine, ctx.size, `${ctx.seed}/worst-case`, { editProbability: 0 });
    const source = join(ctx.dir, 'source.img');
    const plan = await editImage(pristine, source, `${ctx.seed}/worst-case/edits`);
    return {
      source,
      makeTarget: copyOf(pristine),
      targetSize: ctx.size,
      // Every byte an edit wrote, inserted or removed: at least the rewritten bytes plus the size difference.
      changedBytes: plan.overwrittenBytes + plan.insertedBytes + plan.deletedBytes,
      sparse: false,
      shifted: true,
    };
  },
};
