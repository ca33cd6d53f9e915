/**
 * Edits that move data: overwrites, insertions and deletions of bytes, applied while streaming an
 * image to a new file, so the source of a scenario can hold the target's data at other offsets
 * (issue 4: matching shifted data). {@link seededEdits} plans them from a seed, {@link applyEdits}
 * writes the edited copy with bounded memory (one 4 MiB buffer) whatever the image's size.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { IO_BUFFER, readFully, REGION, writeFully, writeSkippingZeros } from './file-io.js';
import { Keystream, SeededRng } from './seeded-random.js';

/**
 * One edit of an image, at `offset` in the original (before any edit): `overwrite` replaces
 * `data.length` bytes with `data`, `insert` puts `data` before the byte at `offset`, `delete`
 * drops `length` bytes.
 */
export type Edit =
  | { kind: 'overwrite'; offset: number; data: Buffer }
  | { kind: 'insert'; offset: number; data: Buffer }
  | { kind: 'delete'; offset: number; length: number };

/** Bytes of the original an edit covers: `[offset, offset + span)`; 0 for an insertion. */
function spanOf(edit: Edit): number {
  if (edit.kind === 'insert') return 0;
  return edit.kind === 'delete' ? edit.length : edit.data.length;
}

/** The size of an image of `size` bytes after `edits`. */
export function editedSize(size: number, edits: readonly Edit[]): number {
  return edits.reduce(
    (n, e) => n + (e.kind === 'insert' ? e.data.length : e.kind === 'delete' ? -e.length : 0),
    size,
  );
}

/**
 * Writes `src` with `edits` applied to `dst` (created or replaced) and returns `dst`'s size. The
 * edits must be in increasing offset order, each starting at or after the end of the one before
 * (an insertion may sit exactly where the previous edit ended) and ending within `src`. Copied
 * 64 KiB pieces that are all zero are not written (holes stay holes, as in `copyImage`).
 *
 * @throws RangeError when the edits overlap, are out of order or reach past the end of `src`.
 */
export async function applyEdits(src: string, dst: string, edits: readonly Edit[]): Promise<number> {
  const size = (await stat(src)).size;
  checkEdits(size, edits);
  const dstSize = editedSize(size, edits);
  const input = await open(src, 'r');
  try {
    const output = await open(dst, 'w');
    try {
      await output.truncate(dstSize);
      const copy = new RangeCopier(input, output);
      let from = 0; // next byte of src to copy
      for (const edit of edits) {
        await copy.range(from, edit.offset);
        if (edit.kind !== 'delete') await copy.insert(edit.data);
        from = edit.offset + spanOf(edit);
      }
      await copy.range(from, size);
      return dstSize;
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

function checkEdits(size: number, edits: readonly Edit[]): void {
  let end = 0;
  for (const [i, e] of edits.entries()) {
    if (!Number.isSafeInteger(e.offset) || e.offset < end)
      throw new RangeError(
        `edit ${i} at ${e.offset} overlaps or precedes the edit before it (ends at ${end})`,
      );
    end = e.offset + spanOf(e);
    if (end > size) throw new RangeError(`edit ${i} ends at ${end}, past the end of the image (${size})`);
  }
}

/** Copies ranges of the input and appends new bytes, writing the output sequentially. */
class RangeCopier {
  readonly #buf = Buffer.alloc(IO_BUFFER);
  #at = 0; // next byte of the output

  constructor(
    readonly input: FileHandle,
    readonly output: FileHandle,
  ) {}

  /**
   * Appends input `[from, to)`. Pieces are read on the input's 64 KiB region boundaries (a short
   * first piece up to the next one), so zero regions of the input are seen whole and left as holes.
   */
  async range(from: number, to: number): Promise<void> {
    for (let pos = from, want = 0; pos < to; pos += want) {
      want = Math.min(pos % REGION === 0 ? this.#buf.length : REGION - (pos % REGION), to - pos);
      const got = await readFully(this.input, this.#buf, want, pos);
      if (got !== want) throw new Error(`short read at ${pos + got}: the image changed size while editing`);
      await writeSkippingZeros(this.output, this.#buf, want, this.#at);
      this.#at += want;
    }
  }

  /** Appends `data`. */
  async insert(data: Buffer): Promise<void> {
    await writeFully(this.output, data, this.#at);
    this.#at += data.length;
  }
}

/** Options of {@link seededEdits}. */
export interface SeededEditsOptions {
  /** How many edits; default 256 (fewer when the image is smaller than count x 2 x maxLength bytes). */
  count?: number;
  /** Longest edit in bytes; default 64. Every edit is 1..maxLength bytes. */
  maxLength?: number;
  /**
   * The kinds of edit drawn, each with the same chance; default all three (overwrite, insert,
   * delete). `['overwrite']` keeps the size and every byte's offset: nothing moves.
   */
  kinds?: readonly Edit['kind'][];
}

/** The kinds {@link seededEdits} draws by default, in the order its seeded choice indexes them. */
const ALL_KINDS: readonly Edit['kind'][] = ['overwrite', 'insert', 'delete'];

/** The edits {@link seededEdits} planned, and the bytes of each kind. */
export interface EditPlan {
  edits: Edit[];
  overwrittenBytes: number;
  insertedBytes: number;
  deletedBytes: number;
}

/**
 * Plans random small edits of an image of `size` bytes: the image is cut into `count` equal zones
 * and each zone gets one edit at a seeded offset inside it, a seeded choice among `kinds`
 * (overwrite, insertion or deletion, each 1/3 by default) of 1..maxLength bytes, so edits never
 * overlap and spread over the whole image. New bytes (overwrites, insertions) are random.
 *
 * @param seed the seed string; choices use SeededRng(seed), new bytes Keystream(seed).
 * @throws RangeError for a bad maxLength or an empty or unknown list of kinds.
 */
export function seededEdits(size: number, seed: string, opts: SeededEditsOptions = {}): EditPlan {
  const maxLength = opts.maxLength ?? 64;
  if (!(Number.isSafeInteger(maxLength) && maxLength >= 1))
    throw new RangeError(`bad maxLength ${maxLength}`);
  const kinds = opts.kinds ?? ALL_KINDS;
  if (kinds.length === 0 || kinds.some((k) => !ALL_KINDS.includes(k)))
    throw new RangeError(`bad kinds [${kinds.join(', ')}]: expected some of ${ALL_KINDS.join(', ')}`);
  const count = Math.min(opts.count ?? 256, Math.floor(size / (2 * maxLength)));
  const zone = count > 0 ? Math.floor(size / count) : 0;
  const rng = new SeededRng(seed);
  const keys = new Keystream(seed);
  const plan: EditPlan = { edits: [], overwrittenBytes: 0, insertedBytes: 0, deletedBytes: 0 };
  for (let i = 0; i < count; i++) {
    const kind = kinds[rng.below(kinds.length)] ?? 'overwrite';
    const length = 1 + rng.below(maxLength);
    const offset = i * zone + rng.below(zone - maxLength + 1);
    if (kind === 'delete') {
      plan.edits.push({ kind, offset, length });
      plan.deletedBytes += length;
    } else {
      plan.edits.push({ kind, offset, data: keys.next(length) });
      if (kind === 'insert') plan.insertedBytes += length;
      else plan.overwrittenBytes += length;
    }
  }
  return plan;
}

/**
 * Writes `src` with {@link seededEdits} applied to `dst` and returns the plan with `dst`'s size.
 * @param seed the seed of the edits (see seededEdits).
 */
export async function editImage(
  src: string,
  dst: string,
  seed: string,
  opts: SeededEditsOptions = {},
): Promise<EditPlan & { size: number }> {
  const plan = seededEdits((await stat(src)).size, seed, opts);
  return { ...plan, size: await applyEdits(src, dst, plan.edits) };
}
