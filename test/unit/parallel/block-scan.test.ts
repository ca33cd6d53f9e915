import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { dataExtents } from '../../../src/io/sparse-map.js';
import { scanBlocks } from '../../../src/parallel/block-scan.js';
import { seededBytes } from '../../helpers/seeded-data.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const PAGE = 4096;

/** Writes `pages` pages: 'h' a hole, 'z' written zeros, 'a'/'b' two different data pages. */
function pageFile(path: string, pages: string, seed: string): Buffer {
  const body = Buffer.alloc(pages.length * PAGE);
  const fd = fs.openSync(path, 'w');
  try {
    fs.ftruncateSync(fd, body.length);
    for (let i = 0; i < pages.length; i++) {
      const c = pages[i] as string;
      if (c === 'h') continue;
      const page = c === 'z' ? Buffer.alloc(PAGE) : seededBytes(`${seed}-${c}-${i}`, PAGE);
      page.copy(body, i * PAGE);
      fs.writeSync(fd, page, 0, PAGE, i * PAGE);
    }
  } finally {
    fs.closeSync(fd);
  }
  return body;
}

describe('the first pass of the rolling match (scanBlocks)', () => {
  const t = tmpDir();
  after(() => t.remove());

  it('lists exactly the differing blocks when holes and data follow pages, not blocks', () => {
    // 3 pages a block (smaller than a 64 KiB piece) and 16: data runs start and end inside blocks
    for (const blockSize of [3 * PAGE, 16 * PAGE]) scanCases(blockSize);
  });

  function scanCases(blockSize: number): void {
    const cases: [string, string][] = [
      ['aaaaaaaaaaaahhhaaaaaa', 'aaaaaaaaaaaahhhaaaaaa'],
      ['aaahaaahaaabhaaa', 'aaahaaahaaaahaaa'],
      ['hhaaaaaaaaaaaaaaaaaaaaaaab', 'hhaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['zaaaaaaaaaaaaaaaaaaaaaaahaaaaaaaaaaaaaaaaaab', 'haaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['abaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabb', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaaaaaaaaaaaaaaaahhhhhaaaaaaaaaaaaaaaaaaaaaa'],
    ];
    for (const [srcPages, dstPages] of cases) {
      const src = pageFile(t.file('src'), srcPages, 'scan');
      const dst = pageFile(t.file('dst'), dstPages, 'scan');
      const expected: number[] = [];
      for (let b = 0; b * blockSize < src.length; b++) {
        const s = src.subarray(b * blockSize, (b + 1) * blockSize);
        if (!s.equals(dst.subarray(b * blockSize, (b + 1) * blockSize))) expected.push(b);
      }
      const srcFd = fs.openSync(t.file('src'), 'r');
      const dstFd = fs.openSync(t.file('dst'), 'r');
      try {
        const r = scanBlocks({
          kind: 'local-chunk',
          srcFd,
          dstFd,
          offset: 0,
          length: src.length,
          blockSize,
          srcData: dataExtents(srcFd, src.length),
          dstData: dataExtents(dstFd, dst.length),
          mode: 'compare',
          dryRun: true,
          holes: false,
          verify: false,
          collect: true,
        });
        assert.deepEqual(r.changed, expected, `${srcPages} vs ${dstPages}, blocks of ${blockSize}`);
        assert.equal(r.changedBlocks, expected.length);
      } finally {
        fs.closeSync(srcFd);
        fs.closeSync(dstFd);
      }
    }
  }
});
