import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  applyEdits,
  editedSize,
  editImage,
  insertBytes,
  seededEdits,
  type Edit,
} from '../../../bench/image-generator.js';
import { patternImage, seededBytes, withTempDir, writeVmImage } from '../../helpers/seeded-data.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** The edits applied to a buffer in memory: the reference applyEdits must match. */
function applyInMemory(src: Buffer, edits: readonly Edit[]): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (const e of edits) {
    parts.push(src.subarray(from, e.offset));
    if (e.kind !== 'delete') parts.push(e.data);
    from = e.offset + (e.kind === 'insert' ? 0 : e.kind === 'delete' ? e.length : e.data.length);
  }
  parts.push(src.subarray(from));
  return Buffer.concat(parts);
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

describe('insertBytes', () => {
  it('inserts at an unaligned offset, streaming past several 4 MiB buffers, and keeps holes', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      const stats = await writeVmImage(src, 9 * MIB + 123, 'insert-seed'); // three 4 MiB buffers
      const bytes = seededBytes('insert-bytes', KIB);
      const dst = join(dir, 'dst.img');
      assert.equal(await insertBytes(src, dst, 12388, bytes), KIB);
      const before = await readFile(src);
      const after = await readFile(dst);
      assert.equal(after.length, before.length + KIB);
      assert.deepEqual(after, Buffer.concat([before.subarray(0, 12388), bytes, before.subarray(12388)]));
      const allocated = (await stat(dst)).blocks * 512;
      assert.ok(allocated <= 9 * MIB + 123 - stats.zeroBytes + MIB, `zero regions stay holes (${allocated})`);
    });
  });

  it('inserts at the start and at the end, and refuses an offset past the end', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      await writeFile(src, 'abcdef');
      const dst = join(dir, 'dst.img');
      await insertBytes(src, dst, 0, Buffer.from('XY'));
      assert.equal(await readFile(dst, 'latin1'), 'XYabcdef');
      await insertBytes(src, dst, 6, Buffer.from('XY'));
      assert.equal(await readFile(dst, 'latin1'), 'abcdefXY');
      await assert.rejects(insertBytes(src, dst, 7, Buffer.from('XY')), RangeError);
    });
  });
});

describe('applyEdits', () => {
  it('applies overwrites, insertions and deletions, also back to back', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      await writeFile(src, '0123456789');
      const edits: Edit[] = [
        { kind: 'delete', offset: 0, length: 2 },
        { kind: 'insert', offset: 2, data: Buffer.from('ab') },
        { kind: 'overwrite', offset: 2, data: Buffer.from('XY') },
        { kind: 'insert', offset: 10, data: Buffer.from('!') },
      ];
      const dst = join(dir, 'dst.img');
      assert.equal(await applyEdits(src, dst, edits), editedSize(10, edits));
      assert.equal(await readFile(dst, 'latin1'), 'abXY456789!');
    });
  });

  it('refuses edits that overlap, go backwards or reach past the end', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      await writeFile(src, '0123456789');
      const dst = join(dir, 'dst.img');
      const bad: Edit[][] = [
        [
          { kind: 'overwrite', offset: 2, data: Buffer.from('XYZ') },
          { kind: 'delete', offset: 4, length: 1 },
        ],
        [
          { kind: 'insert', offset: 5, data: Buffer.from('a') },
          { kind: 'insert', offset: 4, data: Buffer.from('b') },
        ],
        [{ kind: 'delete', offset: 8, length: 3 }],
        [{ kind: 'insert', offset: -1, data: Buffer.from('a') }],
      ];
      for (const edits of bad) await assert.rejects(applyEdits(src, dst, edits), RangeError);
    });
  });
});

describe('seededEdits', () => {
  it('plans exactly count edits of 1..maxLength bytes, one per zone, in order, from the seed', () => {
    const size = 64 * MIB;
    const plan = seededEdits(size, 'edits-seed');
    assert.deepEqual(plan, seededEdits(size, 'edits-seed'), 'same seed, same plan');
    assert.notDeepEqual(plan.edits, seededEdits(size, 'edits-seed-2').edits);
    assert.equal(plan.edits.length, 256);
    const zone = size / 256;
    const kinds = { overwrite: 0, insert: 0, delete: 0 };
    let bytes = { overwrite: 0, insert: 0, delete: 0 };
    plan.edits.forEach((e, i) => {
      const length = e.kind === 'delete' ? e.length : e.data.length;
      assert.ok(length >= 1 && length <= 64, `edit ${i} has ${length} bytes`);
      assert.ok(e.offset >= i * zone && e.offset + length <= (i + 1) * zone, `edit ${i} stays in its zone`);
      kinds[e.kind]++;
      bytes = { ...bytes, [e.kind]: bytes[e.kind] + length };
    });
    assert.deepEqual(
      [plan.overwrittenBytes, plan.insertedBytes, plan.deletedBytes],
      [bytes.overwrite, bytes.insert, bytes.delete],
    );
    for (const n of Object.values(kinds))
      assert.ok(n > 50, `each kind about a third: ${JSON.stringify(kinds)}`);
  });

  it('takes count and maxLength, and plans fewer edits in an image too small for them', () => {
    const plan = seededEdits(MIB, 's', { count: 10, maxLength: 4 });
    assert.equal(plan.edits.length, 10);
    assert.ok(plan.edits.every((e) => (e.kind === 'delete' ? e.length : e.data.length) <= 4));
    assert.equal(seededEdits(1000, 's').edits.length, 7); // one edit per 2 x 64 bytes
    assert.deepEqual(seededEdits(100, 's').edits, []);
  });

  it('draws only the kinds asked for; all three by default, as before the option', () => {
    const size = 64 * MIB;
    assert.deepEqual(
      seededEdits(size, 'edits-seed', { kinds: ['overwrite', 'insert', 'delete'] }),
      seededEdits(size, 'edits-seed'),
      'the default is all three kinds, in that order: the same plan for the same seed',
    );
    const plan = seededEdits(size, 'edits-seed', { kinds: ['overwrite'] });
    assert.equal(plan.edits.length, 256);
    assert.ok(plan.edits.every((e) => e.kind === 'overwrite'));
    assert.deepEqual([plan.insertedBytes, plan.deletedBytes], [0, 0]);
    assert.equal(
      plan.overwrittenBytes,
      plan.edits.reduce((n, e) => n + (e.kind === 'overwrite' ? e.data.length : 0), 0),
    );
    assert.equal(editedSize(size, plan.edits), size);
    const moving = seededEdits(size, 's', { kinds: ['insert', 'delete'] });
    assert.ok(moving.edits.every((e) => e.kind !== 'overwrite'));
    assert.equal(moving.overwrittenBytes, 0);
  });

  it('rejects an empty or unknown list of kinds', () => {
    assert.throws(() => seededEdits(MIB, 's', { kinds: [] }), RangeError);
    const unknown = ['overwrite', 'swap'] as unknown as Edit['kind'][];
    assert.throws(() => seededEdits(MIB, 's', { kinds: unknown }), /bad kinds \[overwrite, swap\]/);
  });

  it('keeps the size and every unedited byte with overwrites only (editImage)', async () => {
    await withTempDir(async (dir) => {
      const size = 2 * MIB;
      const [target, source] = [join(dir, 't.img'), join(dir, 's.img')];
      await patternImage(target, size, 'ow-seed', { editProbability: 0 });
      const plan = await editImage(target, source, 'ow-edits', { kinds: ['overwrite'] });
      assert.equal(plan.size, size);
      assert.equal((await stat(source)).size, size);
      const [before, after] = [await readFile(target), await readFile(source)];
      assert.deepEqual(after, applyInMemory(before, plan.edits));
      let differing = 0;
      for (let i = 0; i < size; i++) if (before[i] !== after[i]) differing++;
      assert.ok(differing > 0 && differing <= plan.overwrittenBytes, `${differing} bytes differ`);
    });
  });
});

describe('the worst-case pair: patternImage and editImage', () => {
  it('is deterministic, streams a multi-buffer image, and equals the edits applied in memory', async () => {
    await withTempDir(async (dir) => {
      const size = 9 * MIB + 4 * KIB; // three 4 MiB buffers, whole 4 KiB blocks
      const [target, again] = [join(dir, 't.img'), join(dir, 't2.img')];
      await patternImage(target, size, 'wc-seed', { editProbability: 0 });
      await patternImage(again, size, 'wc-seed', { editProbability: 0 });
      assert.equal(await sha256(target), await sha256(again));
      const data = await readFile(target);
      assert.equal(data.length, size);
      const patterns = new Set<string>();
      for (let pos = 0; pos < size; pos += 4 * KIB)
        patterns.add(data.subarray(pos, pos + 4 * KIB).toString('hex'));
      assert.equal(patterns.size, 4, 'exactly the 4 patterns, no edits');

      const [source, source2] = [join(dir, 's.img'), join(dir, 's2.img')];
      const plan = await editImage(target, source, 'wc-edits');
      await editImage(target, source2, 'wc-edits');
      assert.equal(await sha256(source), await sha256(source2));
      assert.equal(plan.edits.length, 256);
      assert.equal(plan.size, size + plan.insertedBytes - plan.deletedBytes);
      assert.equal((await stat(source)).size, plan.size);
      assert.notEqual(plan.size, size, 'insertions and deletions change the size');
      assert.deepEqual(await readFile(source), applyInMemory(data, plan.edits));
    });
  });
});
