import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_SAVED, planMove, type MoveSegment } from '../../../src/core/move-plan.js';

/** Bytes of [a, a+al) ∩ [b, b+bl). */
const overlap = (a: number, al: number, b: number, bl: number): number =>
  Math.max(0, Math.min(a + al, b + bl) - Math.max(a, b));

/** Runs the plan on `buf` as threads would: saves first, then each wave's segments in `order`. */
function execute(buf: Buffer, waves: MoveSegment[][], pick: (n: number) => number): void {
  for (const wave of waves) {
    const saved = wave.map((s) =>
      s.save === null ? null : Buffer.from(buf.subarray(s.save.offset, s.save.offset + s.save.length)),
    );
    const left = wave.map((_, i) => i);
    while (left.length > 0) {
      const i = left.splice(pick(left.length), 1)[0] as number;
      const s = wave[i] as MoveSegment;
      const input = Buffer.from(buf.subarray(s.from, s.from + s.length));
      const sv = saved[i];
      if (s.save !== null && sv !== undefined && sv !== null) sv.copy(input, s.save.offset - s.from);
      input.copy(buf, s.to);
    }
  }
}

describe('move plan', () => {
  it('segments of one wave never write where another reads, outside what it saved', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 16, max: 4096 }),
        fc.integer({ min: 1, max: 4 }),
        (from, to, length, segment, jobs) => {
          for (const wave of planMove(from, to, length, segment, jobs)) {
            for (const w of wave) {
              for (const r of wave) {
                if (w === r) continue;
                const hit = overlap(w.to, w.length, r.from, r.length);
                const covered = r.save === null ? 0 : overlap(w.to, w.length, r.save.offset, r.save.length);
                assert.equal(hit, covered, 'a write lands in a read range that was not saved');
              }
            }
          }
        },
      ),
    );
  });

  it('run in any order within waves, it equals a memmove', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 6000 }),
        fc.integer({ min: 16, max: 2048 }),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        (from, to, length, segment, picks) => {
          const orig = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) & 0xff));
          const want = Buffer.from(orig);
          orig.copy(want, to, from, from + length);
          const got = Buffer.from(orig);
          let k = 0;
          execute(
            got,
            planMove(from, to, length, segment, 2),
            (n) => (picks[k++ % picks.length] as number) % n,
          );
          assert.ok(got.equals(want));
        },
      ),
    );
  });

  it('a long distance is cut into waves of segments at most d / jobs long; a short one saves', () => {
    const far = planMove(0, 64 * 1024 * 1024, 256 * 1024 * 1024, 32 * 1024 * 1024, 2);
    assert.ok(far.length > 1 && far.every((w) => w.every((s) => s.save === null)));
    const near = planMove(0, 1024, 100 * 1024 * 1024, 32 * 1024 * 1024, 2);
    assert.equal(near.length, 1);
    assert.equal(near[0]?.filter((s) => s.save !== null).length, 3);
    assert.ok((near[0] ?? []).every((s) => s.save === null || s.save.length === 1024));
    assert.ok(MAX_SAVED >= 1024);
  });
});
