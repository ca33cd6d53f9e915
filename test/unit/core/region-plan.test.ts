import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  regionsOf,
  searchPlan,
  SEARCH_CHUNK,
  tableBlocksOf,
  unionExtents,
} from '../../../src/core/region-plan.js';

describe('region plan', () => {
  it('turns runs of differing blocks into regions, clipped to the common part', () => {
    assert.deepEqual(regionsOf([1, 2, 3, 7], 100, 750, 750), [
      { offset: 100, length: 300 },
      { offset: 700, length: 50 },
    ]);
    assert.deepEqual(regionsOf([], 100, 750, 750), []);
  });

  it('joins the source past the target end to a run that reaches it, or adds it', () => {
    assert.deepEqual(regionsOf([6, 7], 100, 750, 1000), [{ offset: 600, length: 400 }]);
    assert.deepEqual(regionsOf([2], 100, 750, 1000), [
      { offset: 200, length: 100 },
      { offset: 750, length: 250 },
    ]);
  });

  it('picks full target blocks of the runs, and every full block past the source end', () => {
    assert.deepEqual(tableBlocksOf([1, 2, 7], 100, 750, 750), [1, 2]);
    assert.deepEqual(tableBlocksOf([1, 5], 100, 550, 1000), [1, 5, 6, 7, 8, 9]);
    assert.deepEqual(tableBlocksOf([], 100, 1000, 550), []);
  });

  it('cuts a region into search chunks of at most SEARCH_CHUNK start positions', () => {
    const r = { offset: 10, length: 2 * SEARCH_CHUNK + 5 };
    const chunks = searchPlan(r, 4096);
    assert.equal(chunks.length, 3);
    assert.deepEqual(chunks[2], { offset: 10 + 2 * SEARCH_CHUNK, length: 5 });
    assert.equal(
      chunks.reduce((a, c) => a + c.length, 0),
      r.length,
    );
  });

  it('unions overlapping and touching extents', () => {
    assert.deepEqual(
      unionExtents([
        { offset: 50, length: 10 },
        { offset: 0, length: 10 },
        { offset: 10, length: 5 },
        { offset: 55, length: 20 },
        { offset: 90, length: 0 },
      ]),
      [
        { offset: 0, length: 15 },
        { offset: 50, length: 25 },
      ],
    );
  });
});
