import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefineGauge, SAMPLE_EVERY } from '../../../src/sync/refine-gauge.js';

describe('RefineGauge', () => {
  it('refines while refinement saves pages', () => {
    const g = new RefineGauge();
    for (let i = 0; i < 100; i++) {
      assert.equal(g.shouldRefine(), true);
      g.observe(32, 2);
    }
  });

  it('sends whole blocks once most pages differ, still sampling one in SAMPLE_EVERY', () => {
    const g = new RefineGauge();
    for (let i = 0; i < 40; i++) g.observe(32, 32);
    const decisions = Array.from({ length: SAMPLE_EVERY * 4 }, () => g.shouldRefine());
    assert.equal(decisions.filter((d) => d).length, 4);
  });

  it('goes back to refining when the pattern changes', () => {
    const g = new RefineGauge();
    for (let i = 0; i < 40; i++) g.observe(32, 32);
    for (let i = 0; i < 400; i++) g.observe(32, 1);
    assert.equal(g.shouldRefine(), true);
  });
});
