import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { weakChecksum } from '../../../src/core/rolling-checksum.js';
import { nativeOps } from '../../../src/io/native.js';
import { weakSumsOf } from '../../../src/io/weak-sums.js';

describe('weak sums of whole blocks', () => {
  const buf = Buffer.concat([
    randomBytes(3 * 131072 + 100),
    Buffer.alloc(131072),
    Buffer.alloc(131072, 0xff),
  ]);

  it('the JS fallback gives the core checksum of every whole block', () => {
    const sums = weakSumsOf(buf, 131072, null);
    assert.equal(sums.length, 5);
    sums.forEach((w, k) => assert.equal(w, weakChecksum(buf, k * 131072, 131072)));
  });

  it('the native addon gives the same numbers (when loaded)', (t) => {
    const ops = nativeOps();
    if (ops?.weakSums === undefined) {
      t.skip('native addon not loaded');
      return;
    }
    for (const bs of [4096, 6144, 131072, 1 << 20]) {
      const big = randomBytes(3 * bs + 17);
      assert.deepEqual([...weakSumsOf(big, bs, ops)], [...weakSumsOf(big, bs, null)], `block size ${bs}`);
    }
    assert.deepEqual([...weakSumsOf(buf, 131072, ops)], [...weakSumsOf(buf, 131072, null)]);
  });
});
