/**
 * Property: for any source A and target B (sizes 0..several blocks, odd sizes, zero runs, shared
 * runs, holes) and any block size, a sync leaves B byte-identical to A; a dry run writes nothing
 * and predicts exactly the bytes the real run then writes. fast-check, seeded per run
 * (FC_SEED / FC_RUNS env to reproduce or widen).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { syncLocalFile } from '../../src/sync/local-sync.js';
import { blockSizes, FC_SEED, fcRuns, filePair } from '../helpers/file-pairs.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const RUNS = fcRuns(60);
const SEED = FC_SEED;
const pair = filePair;
const blockSize = blockSizes;

/** Writes `buf` as a file whose all-zero 4 KiB pages are holes. */
function writeSparse(path: string, buf: Buffer): void {
  const fd = fs.openSync(path, 'w');
  try {
    fs.ftruncateSync(fd, buf.length);
    for (let p = 0; p < buf.length; p += 4096) {
      const piece = buf.subarray(p, p + 4096);
      if (piece.some((x) => x !== 0)) fs.writeSync(fd, piece, 0, piece.length, p);
    }
  } finally {
    fs.closeSync(fd);
  }
}

describe('local sync properties', () => {
  const t = tmpDir();
  after(() => t.remove());
  let n = 0;

  it('leaves the target byte-identical to the source', async () => {
    await fc.assert(
      fc.asyncProperty(
        pair,
        blockSize,
        fc.boolean(),
        fc.boolean(),
        async ([a, b], bs, sparse, targetExists) => {
          const src = t.file(`a${n}`);
          const dst = t.file(`b${n++}`);
          if (sparse) writeSparse(src, a);
          else fs.writeFileSync(src, a);
          if (targetExists) writeSparse(dst, b);
          const s = await syncLocalFile(src, dst, { blockSize: bs, jobs: 1 });
          assert.ok(fs.readFileSync(dst).equals(a), 'target differs from source');
          assert.equal(s.size, a.length);
          assert.ok(s.verified);
          fs.rmSync(src);
          fs.rmSync(dst);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('dry run writes nothing and predicts the real run', async () => {
    await fc.assert(
      fc.asyncProperty(pair, blockSize, async ([a, b], bs) => {
        const src = t.file(`a${n}`);
        const dst = t.file(`b${n++}`);
        fs.writeFileSync(src, a);
        fs.writeFileSync(dst, b);
        const dry = await syncLocalFile(src, dst, { blockSize: bs, dryRun: true, jobs: 1 });
        assert.ok(fs.readFileSync(dst).equals(b), 'dry run changed the target');
        const real = await syncLocalFile(src, dst, { blockSize: bs, jobs: 1 });
        assert.equal(dry.bytesWritten, real.bytesWritten);
        assert.equal(dry.bytesZeroed, real.bytesZeroed);
        assert.equal(dry.changedBlocks, real.changedBlocks);
        assert.ok(fs.readFileSync(dst).equals(a));
        const again = await syncLocalFile(src, dst, { blockSize: bs, jobs: 1 });
        assert.equal(again.changedBlocks, 0, 'a second sync found changes');
        assert.equal(again.bytesWritten + again.bytesZeroed, 0);
        fs.rmSync(src);
        fs.rmSync(dst);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: SEED },
    );
  });

  it('holds with worker threads on files past the inline limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 9, max: 14 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        blockSize,
        async (mib, seed, bs) => {
          const size = mib * 1024 * 1024 + (seed % 5000);
          const a = Buffer.alloc(size);
          let x = seed | 1;
          for (let i = 0; i < size; i += 4096) {
            x = (x * 1103515245 + 12345) >>> 0;
            if (x % 3 !== 0) a.fill(x & 0xff, i, Math.min(size, i + 4096));
          }
          const b = Buffer.from(a.subarray(0, size - (seed % 70_000)));
          for (let i = 0; i < b.length; i += 1_000_003) b[i] = (b[i] ?? 0) ^ 0x5a;
          const src = t.file(`a${n}`);
          const dst = t.file(`b${n++}`);
          fs.writeFileSync(src, a);
          fs.writeFileSync(dst, b);
          await syncLocalFile(src, dst, { blockSize: bs, jobs: 3 });
          assert.ok(fs.readFileSync(dst).equals(a));
          fs.rmSync(src);
          fs.rmSync(dst);
        },
      ),
      { numRuns: 6, seed: SEED },
    );
  });
});
