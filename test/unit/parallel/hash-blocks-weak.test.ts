import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { weakChecksum } from '../../../src/core/rolling-checksum.js';
import { weakOf } from '../../../src/io/weak-sums.js';
import { runHashBlocks } from '../../../src/parallel/hash-blocks-task.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('weak checksums while hashing blocks', () => {
  const t = tmpDir();
  after(() => t.remove());

  it('equal the checksum of each full block, summed piece by piece (zero pieces and holes too)', () => {
    const bs = 3 * 65536 + 4096; // pieces of 64 KiB do not divide it
    const body = Buffer.concat([
      randomBytes(bs),
      Buffer.alloc(bs),
      randomBytes(70_000),
      Buffer.alloc(bs - 70_000),
      randomBytes(1000),
    ]);
    const path = t.file('blocks');
    fs.writeFileSync(path, body);
    const fd = fs.openSync(path, 'r');
    try {
      const r = runHashBlocks({
        kind: 'hash-blocks',
        fd,
        firstBlock: 0,
        count: 4,
        blockSize: bs,
        size: body.length,
        data: null,
        key: randomBytes(16),
        weak: true,
      });
      const weak = r.weak as Uint32Array;
      assert.equal(weak[0], weakChecksum(body, 0, bs));
      assert.equal(weak[1], 0, 'an all-zero block has no weak checksum');
      assert.equal(weak[2], weakChecksum(body, 2 * bs, bs));
      assert.equal(weak[3], 0, 'a short last block has none either');
    } finally {
      fs.closeSync(fd);
    }
  });

  it('the native and the JS weak checksum of one window agree', () => {
    const buf = randomBytes(100_000);
    for (const n of [1, 4095, 65536, 100_000]) assert.equal(weakOf(buf, n), weakOf(buf, n, null));
  });
});
