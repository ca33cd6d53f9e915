import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  changeBlocks,
  copyImage,
  scatterWrites,
  truncateTo,
  withTempDir,
  writeSparseImage,
  writeVmImage,
} from '../../helpers/seeded-data.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** Offsets of the `block`-sized pieces that differ between two equal-length buffers. */
function differingBlocks(a: Buffer, b: Buffer, block: number): number[] {
  const out: number[] = [];
  for (let pos = 0; pos < a.length; pos += block) {
    if (!a.subarray(pos, pos + block).equals(b.subarray(pos, pos + block))) out.push(pos);
  }
  return out;
}

describe('copyImage', () => {
  it('copies exactly and keeps holes', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      const stats = await writeVmImage(src, 8 * MIB + 100, 'copy-seed');
      const dst = join(dir, 'dst.img');
      const written = await copyImage(src, dst);
      assert.deepEqual(await readFile(dst), await readFile(src));
      assert.equal(written, 8 * MIB + 100 - stats.zeroBytes);
      assert.ok((await stat(dst)).blocks * 512 <= written + MIB);
    });
  });

  it('copies a prefix when given a length', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      await writeVmImage(src, 4 * MIB, 'prefix-seed');
      await copyImage(src, join(dir, 'p.img'), { length: 3 * MIB + 5 });
      assert.deepEqual(await readFile(join(dir, 'p.img')), (await readFile(src)).subarray(0, 3 * MIB + 5));
    });
  });
});

describe('changeBlocks', () => {
  it('rewrites exactly round(fraction * blocks) blocks, each different, deterministically', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      await writeVmImage(src, 4 * MIB + 10 * KIB, 'change-seed'); // 65 blocks of 64 KiB, the last 10 KiB
      const [a, b] = [join(dir, 'a.img'), join(dir, 'b.img')];
      await copyImage(src, a);
      await copyImage(src, b);
      const changed = await changeBlocks(a, 0.1, 64 * KIB, 'change-1');
      assert.equal(await changeBlocks(b, 0.1, 64 * KIB, 'change-1'), changed);
      const before = await readFile(src);
      const after = await readFile(a);
      assert.deepEqual(after, await readFile(b));
      const diff = differingBlocks(before, after, 64 * KIB);
      assert.equal(diff.length, 7); // round(0.1 * 65)
      assert.ok(changed === 7 * 64 * KIB || changed === 6 * 64 * KIB + 10 * KIB);
    });
  });

  it('fraction 1 changes every block', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      await writeVmImage(src, 2 * MIB, 'all-seed');
      const t = join(dir, 't.img');
      await copyImage(src, t);
      assert.equal(await changeBlocks(t, 1, 4096, 'all'), 2 * MIB);
      assert.equal(differingBlocks(await readFile(src), await readFile(t), 4096).length, 512);
    });
  });

  it('can stay within extents, such as the data of a sparse image', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 's.img');
      const layout = await writeSparseImage(path, 64 * MIB, 4 * MIB, 'sp');
      const before = await readFile(path);
      const changed = await changeBlocks(path, 0.25, 64 * KIB, 'sp-change', { within: layout.extents });
      assert.equal(changed, 16 * 64 * KIB);
      const diff = differingBlocks(before, await readFile(path), 64 * KIB);
      assert.equal(diff.length, 16);
      for (const off of diff)
        assert.ok(layout.extents.some((e) => off >= e.offset && off < e.offset + e.length));
      assert.ok((await stat(path)).blocks * 512 < 5 * MIB, 'holes stay holes');
    });
  });
});

describe('scatterWrites and truncateTo', () => {
  it('scatterWrites rewrites about the fraction in distinct 4 KiB writes', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'src.img');
      await writeVmImage(src, 8 * MIB, 'scatter-seed');
      const t = join(dir, 't.img');
      await copyImage(src, t);
      const changed = await scatterWrites(t, 0.01, 4096, 'scatter');
      assert.equal(changed, 20 * 4096); // round(0.01 * 2048)
      assert.equal(differingBlocks(await readFile(src), await readFile(t), 4096).length, 20);
      await assert.rejects(scatterWrites(t, 0.01, 1000, 'x'), RangeError);
    });
  });

  it('truncateTo shrinks and extends', async () => {
    await withTempDir(async (dir) => {
      const t = join(dir, 't.img');
      await writeVmImage(t, MIB, 'trunc');
      await truncateTo(t, 1000);
      assert.equal((await stat(t)).size, 1000);
      await truncateTo(t, 2 * MIB);
      assert.equal((await stat(t)).size, 2 * MIB);
    });
  });
});
