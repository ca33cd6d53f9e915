import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTouchedBlocks, diffPiece, wholePiece } from '../../../src/core/block-diff.js';

const page = (fill: number, n = 4096): Buffer => Buffer.alloc(n, fill);

describe('diffPiece', () => {
  it('returns nothing for equal pieces', () => {
    const a = Buffer.concat([page(1), page(2)]);
    assert.deepEqual(diffPiece(a, Buffer.from(a), a.length), []);
  });

  it('writes only the pages that differ, coalescing neighbours', () => {
    const src = Buffer.concat([page(1), page(2), page(3), page(4)]);
    const dst = Buffer.concat([page(1), page(9), page(9), page(4)]);
    assert.deepEqual(diffPiece(src, dst, src.length), [{ kind: 'write', offset: 4096, length: 8192 }]);
  });

  it('turns differing all-zero source pages into zero actions', () => {
    const src = Buffer.concat([page(0), page(5)]);
    const dst = Buffer.concat([page(7), page(7)]);
    assert.deepEqual(diffPiece(src, dst, src.length), [
      { kind: 'zero', offset: 0, length: 4096 },
      { kind: 'write', offset: 4096, length: 4096 },
    ]);
    assert.deepEqual(diffPiece(src, dst, src.length, { zeroAsHole: false }), [
      { kind: 'write', offset: 0, length: 8192 },
    ]);
  });

  it('handles a short last page', () => {
    const src = Buffer.concat([page(1), page(2, 100)]);
    const dst = Buffer.concat([page(1), page(3, 100)]);
    assert.deepEqual(diffPiece(src, dst, src.length), [{ kind: 'write', offset: 4096, length: 100 }]);
  });

  it('compares only the first `length` bytes', () => {
    assert.deepEqual(diffPiece(page(1), page(2), 0), []);
  });
});

describe('wholePiece', () => {
  it('skips zero pages when the target reads as zeros', () => {
    const src = Buffer.concat([page(0), page(1), page(1), page(0)]);
    assert.deepEqual(wholePiece(src, src.length), [{ kind: 'write', offset: 4096, length: 8192 }]);
  });
  it('writes everything otherwise', () => {
    const src = Buffer.concat([page(0), page(1)]);
    assert.deepEqual(wholePiece(src, src.length, { zeroAsHole: false }), [
      { kind: 'write', offset: 0, length: 8192 },
    ]);
  });
});

describe('countTouchedBlocks', () => {
  it('counts each block once across actions and calls', () => {
    const acts = [
      { kind: 'write' as const, offset: 0, length: 10 },
      { kind: 'write' as const, offset: 20, length: 10 },
      { kind: 'zero' as const, offset: 100, length: 200 },
    ];
    const r = countTouchedBlocks(acts, 0, 100, -1);
    assert.deepEqual(r, { count: 3, lastBlock: 2 });
    const r2 = countTouchedBlocks([{ kind: 'write', offset: 0, length: 1 }], 250, 100, r.lastBlock);
    assert.deepEqual(r2, { count: 0, lastBlock: 2 });
    const r3 = countTouchedBlocks([{ kind: 'write', offset: 0, length: 1 }], 300, 100, r.lastBlock);
    assert.deepEqual(r3, { count: 1, lastBlock: 3 });
  });
});
