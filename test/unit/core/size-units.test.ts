import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBlockSize } from '../../../src/core/block-size.js';
import { ExtentCursor, chunkSizeFor } from '../../../src/core/chunk-plan.js';
import { formatBytes, formatDuration, parseSize } from '../../../src/core/size-units.js';
import { isBigsyncError } from '../../../src/errors.js';

describe('parseSize', () => {
  it('reads plain numbers and binary suffixes', () => {
    assert.equal(parseSize('4096'), 4096);
    assert.equal(parseSize('64K'), 65536);
    assert.equal(parseSize('64k'), 65536);
    assert.equal(parseSize('1.5M'), 1572864);
    assert.equal(parseSize('2G'), 2 * 1024 ** 3);
    assert.equal(parseSize('1MiB'), 1024 ** 2);
    assert.equal(parseSize('10MB'), 10 * 1024 ** 2);
  });
  it('rejects what is not a size', () => {
    for (const bad of ['', 'x', '-1', '1X', '1 2', 'K']) {
      assert.throws(
        () => parseSize(bad),
        (e: unknown) => isBigsyncError(e, 'BAD_SIZE'),
        bad,
      );
    }
  });
});

describe('checkBlockSize', () => {
  it('accepts 4K..64M multiples of 512', () => {
    assert.equal(checkBlockSize(4096), 4096);
    assert.equal(checkBlockSize(64 * 1024 * 1024), 64 * 1024 * 1024);
    assert.equal(checkBlockSize(6144), 6144);
  });
  it('refuses the rest', () => {
    for (const bad of [0, 512, 4095, 64 * 1024 * 1024 + 512, 5000, 1.5, NaN]) {
      assert.throws(
        () => checkBlockSize(bad),
        (e: unknown) => isBigsyncError(e, 'BAD_BLOCK_SIZE'),
      );
    }
  });
});

describe('format helpers', () => {
  it('formats bytes and durations', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.50 KiB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.00 GiB');
    assert.equal(formatDuration(0.5), '0.50s');
    assert.equal(formatDuration(125), '2m05s');
    assert.equal(formatDuration(NaN), '--');
  });
});

describe('chunk planning', () => {
  it('sizes chunks in whole blocks', () => {
    assert.equal(chunkSizeFor(128 * 1024) % (128 * 1024), 0);
    assert.equal(chunkSizeFor(64 * 1024 * 1024), 64 * 1024 * 1024);
  });
  it('clips extents to successive ranges', () => {
    const c = new ExtentCursor([
      { offset: 10, length: 10 },
      { offset: 40, length: 30 },
    ]);
    assert.deepEqual(c.clip(0, 15), [{ offset: 10, length: 5 }]);
    assert.deepEqual(c.clip(15, 50), [
      { offset: 15, length: 5 },
      { offset: 40, length: 10 },
    ]);
    assert.deepEqual(c.clip(50, 60), [{ offset: 50, length: 10 }]);
    assert.deepEqual(c.clip(70, 100), []);
  });
});
