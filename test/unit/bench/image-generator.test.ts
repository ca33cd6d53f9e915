import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { patternImage, withTempDir, writeSparseImage, writeVmImage } from '../../helpers/seeded-data.js';

const KIB = 1024;
const MIB = 1024 * 1024;

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

type Kind = 'zero' | 'text' | 'random';

function classify(region: Buffer): Kind {
  if (region.every((b) => b === 0)) return 'zero';
  if (region.every((b) => b === 0x0a || (b >= 0x20 && b < 0x7f))) return 'text';
  return 'random';
}

describe('writeVmImage', () => {
  it('is deterministic: same seed same bytes, different seed different bytes', async () => {
    await withTempDir(async (dir) => {
      const [a, b, c] = ['a.img', 'b.img', 'c.img'].map((n) => join(dir, n)) as [string, string, string];
      // size deliberately not a multiple of the 64 KiB region
      await writeVmImage(a, 5 * MIB + 1234, 'vm-seed-1');
      await writeVmImage(b, 5 * MIB + 1234, 'vm-seed-1');
      await writeVmImage(c, 5 * MIB + 1234, 'vm-seed-2');
      assert.equal((await stat(a)).size, 5 * MIB + 1234);
      assert.equal(await sha256(a), await sha256(b));
      assert.notEqual(await sha256(a), await sha256(c));
    });
  });

  it('has about 1/3 zero (as holes), 1/6 text and 1/2 random 64 KiB regions', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'vm.img');
      const size = 32 * MIB; // 512 regions
      const stats = await writeVmImage(path, size, 'vm-proportions');
      const data = await readFile(path);
      const counted: Record<Kind, number> = { zero: 0, text: 0, random: 0 };
      for (let pos = 0; pos < size; pos += 64 * KIB)
        counted[classify(data.subarray(pos, pos + 64 * KIB))] += 64 * KIB;
      assert.deepEqual(counted, { zero: stats.zeroBytes, text: stats.textBytes, random: stats.randomBytes });
      assert.ok(Math.abs(stats.zeroBytes / size - 1 / 3) < 0.07, `zero fraction ${stats.zeroBytes / size}`);
      assert.ok(Math.abs(stats.textBytes / size - 1 / 6) < 0.06, `text fraction ${stats.textBytes / size}`);
      const allocated = (await stat(path)).blocks * 512;
      assert.ok(allocated <= size - stats.zeroBytes + MIB, `zero regions are holes (allocated ${allocated})`);
      assert.match(data.subarray(0, size).toString('latin1'), /\n(\w+ ){2,}\w+\n/);
    });
  });
});

describe('writeSparseImage', () => {
  it('holds exactly the data bytes in distinct aligned extents, the rest holes', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'sparse.img');
      const size = 256 * MIB;
      const dataBytes = 8 * MIB + 512 * KIB; // 9 extents, the last one half full
      const layout = await writeSparseImage(path, size, dataBytes, 'sparse-seed');
      const st = await stat(path);
      assert.equal(st.size, size);
      assert.ok(
        st.blocks * 512 >= dataBytes && st.blocks * 512 <= dataBytes + 256 * KIB,
        `allocated ${st.blocks * 512}`,
      );
      assert.equal(layout.extents.length, 9);
      assert.equal(
        layout.extents.reduce((n, e) => n + e.length, 0),
        dataBytes,
      );
      layout.extents.forEach((e, i) => {
        assert.equal(e.offset % MIB, 0);
        if (i > 0) assert.ok(e.offset > (layout.extents[i - 1]?.offset ?? -1));
      });
      const again = await writeSparseImage(join(dir, 'again.img'), size, dataBytes, 'sparse-seed');
      assert.deepEqual(again.extents, layout.extents);
    });
  });

  it('rejects data that does not fit', async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(writeSparseImage(join(dir, 'x.img'), 2 * MIB, 3 * MIB, 's'), RangeError);
    });
  });
});

describe('patternImage', () => {
  it('is deterministic and made of few distinct 4 KiB blocks', async () => {
    await withTempDir(async (dir) => {
      const a = join(dir, 'a.img');
      await patternImage(a, 4 * MIB, 'pattern-seed');
      await patternImage(join(dir, 'b.img'), 4 * MIB, 'pattern-seed');
      assert.equal(await sha256(a), await sha256(join(dir, 'b.img')));
      const data = await readFile(a);
      const distinct = new Set<string>();
      for (let pos = 0; pos < data.length; pos += 4096)
        distinct.add(data.subarray(pos, pos + 4096).toString('hex'));
      // 1024 blocks: 4 patterns plus about 1024/16 edited blocks
      assert.ok(distinct.size < 150, `distinct blocks: ${distinct.size}`);
    });
  });
});
