import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapBounded } from '../../../src/sync/bounded-map.js';

describe('mapBounded', () => {
  it('keeps at most `limit` calls pending and returns results in input order', async () => {
    let pending = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (x) => {
      pending++;
      most = Math.max(most, pending);
      await new Promise((r) => setTimeout(r, x));
      pending--;
      return x * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
    assert.equal(most, 2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await assert.rejects(
      mapBounded([0, 1, 2, 3], 1, async (x) => {
        started.push(x);
        if (x === 1) throw new Error('boom');
        return Promise.resolve(x);
      }),
      /boom/,
    );
    assert.deepEqual(started, [0, 1]);
  });
});
