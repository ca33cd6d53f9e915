/**
 * The chunk task of a local sync with equal ranges known in advance (the main thread's threaded
 * compare): the runs it hands to that compare, the work left after it, and that a chunk run with
 * them does what a chunk run without them does.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import type { Extent } from '../../../src/core/extent.js';
import { nativeOps } from '../../../src/io/native.js';
import { compareRunsAsync } from '../../../src/io/piece-compare.js';
import { dataExtents } from '../../../src/io/sparse-map.js';
import {
  compareRunsOf,
  PIECE,
  residualBytes,
  runLocalChunk,
  type LocalChunkTask,
} from '../../../src/parallel/local-chunk-task.js';
import { seededBytes } from '../../helpers/seeded-data.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const PAGE = 4096;
const P = PIECE;

function task(offset: number, length: number, srcData: Extent[], dstData: Extent[]): LocalChunkTask {
  return {
    kind: 'local-chunk',
    srcFd: 0,
    dstFd: 0,
    offset,
    length,
    blockSize: 2 * P,
    srcData,
    dstData,
    mode: 'compare',
    dryRun: true,
    holes: true,
    verify: true,
  };
}

describe('compareRunsOf and residualBytes', () => {
  it('runs cover the whole pieces where either file holds data', () => {
    const t = task(
      16 * P,
      10 * P,
      [{ offset: 16 * P, length: 3.5 * P }],
      [{ offset: 16.5 * P, length: 4 * P }],
    );
    assert.deepEqual(compareRunsOf(t), [{ offset: 16 * P, length: 4 * P }]);
    // the partial piece after the run (data on one side, holes on both past it) is left to JS
    assert.equal(residualBytes(t, [{ offset: 16 * P, length: 4 * P }]), P / 2);
    assert.equal(residualBytes(t, []), 4.5 * P);
    const apart = task(0, 8 * P, [{ offset: 100, length: 2 * P }], [{ offset: 5 * P, length: 2 * P + 7 }]);
    assert.deepEqual(compareRunsOf(apart), [
      { offset: P, length: P },
      { offset: 5 * P, length: 2 * P },
    ]);
  });

  it('a run reaching the chunk end keeps its short last piece; none fits in a small extent', () => {
    const end = 5 * P + 100;
    const t = task(0, end, [{ offset: 0, length: end }], [{ offset: 0, length: end }]);
    assert.deepEqual(compareRunsOf(t), [{ offset: 0, length: end }]);
    assert.equal(residualBytes(t, [{ offset: 0, length: end }]), 0);
    const small = task(0, 4 * P, [{ offset: 100, length: P }], [{ offset: 100, length: P }]);
    assert.deepEqual(compareRunsOf(small), []);
  });

  it('holes facing holes are no work; data on one side is compared with zeros', () => {
    const t = task(0, 8 * P, [{ offset: 6 * P, length: P }], []);
    assert.deepEqual(compareRunsOf(t), [{ offset: 6 * P, length: P }]);
    assert.equal(residualBytes(t, []), P);
    assert.equal(residualBytes(t, [{ offset: 6 * P, length: P }]), 0);
  });
});

/** Writes pages: 'h' a hole, 'z' written zeros, 'a'/'b' two different data pages. */
function pageFile(path: string, pages: string, seed: string): void {
  const fd = fs.openSync(path, 'w');
  try {
    fs.ftruncateSync(fd, pages.length * PAGE);
    for (let i = 0; i < pages.length; i++) {
      const c = pages[i] as string;
      if (c === 'h') continue;
      const page = c === 'z' ? Buffer.alloc(PAGE) : seededBytes(`${seed}-${c}-${i}`, PAGE);
      fs.writeSync(fd, page, 0, PAGE, i * PAGE);
    }
  } finally {
    fs.closeSync(fd);
  }
}

describe(
  'a chunk run with its equal ranges known',
  { skip: nativeOps()?.compareRunsAsync === undefined },
  () => {
    const t = tmpDir();
    after(() => t.remove());
    const perPiece = P / PAGE;
    const rep = (c: string, pieces: number): string => c.repeat(pieces * perPiece);
    const cases: [string, string][] = [
      [rep('a', 6), rep('a', 6)],
      [rep('a', 2) + 'b' + rep('a', 3 * perPiece - 1), rep('a', 5)],
      ['hh' + rep('a', 4) + 'hhz', 'h' + rep('a', 4) + 'aaa' + 'h'],
      [rep('h', 2) + rep('a', 3), rep('a', 3) + rep('h', 2)],
      [rep('a', 3) + 'ab', rep('a', 3) + 'aa'],
    ];

    for (const [srcPages, dstPages] of cases) {
      it(`${srcPages.length} source pages over ${dstPages.length}`, async () => {
        pageFile(t.file('src'), srcPages, 'chunk');
        pageFile(t.file('dst'), dstPages, 'chunk');
        const size = srcPages.length * PAGE;
        fs.truncateSync(t.file('dst'), size);
        const srcFd = fs.openSync(t.file('src'), 'r');
        const dstFd = fs.openSync(t.file('dst'), 'r+');
        try {
          const base: LocalChunkTask = {
            ...task(0, size, dataExtents(srcFd, size), dataExtents(dstFd, size)),
            srcFd,
            dstFd,
          };
          const runs = compareRunsOf(base);
          const flags = new Uint8Array(runs.reduce((a, r) => a + Math.ceil(r.length / P), 0));
          await compareRunsAsync(srcFd, dstFd, runs, P, flags);
          const equal: Extent[] = [];
          let k = 0;
          for (const r of runs) {
            for (let at = r.offset; at < r.offset + r.length; at += P, k++) {
              if (flags[k] === 0) equal.push({ offset: at, length: Math.min(P, r.offset + r.length - at) });
            }
          }
          const plain = runLocalChunk(base);
          const known = runLocalChunk({ ...base, equal });
          for (const f of ['changedBlocks', 'bytesWritten', 'bytesZeroed'] as const)
            assert.equal(known[f], plain[f], f);
          if (residualBytes(base, equal) === 0) assert.equal(plain.bytesWritten + plain.bytesZeroed, 0);
          runLocalChunk({ ...base, dryRun: false, equal });
          assert.ok(fs.readFileSync(t.file('dst')).equals(fs.readFileSync(t.file('src'))), 'target differs');
        } finally {
          fs.closeSync(srcFd);
          fs.closeSync(dstFd);
        }
      });
    }
  },
);
