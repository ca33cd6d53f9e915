import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { WeakTable } from '../../../src/core/weak-table.js';
import { isBigsyncError } from '../../../src/errors.js';

const table = (weak: number[], offsets: number[], cap?: number): WeakTable =>
  new WeakTable(Uint32Array.from(weak), Float64Array.from(offsets), cap);

/** Every candidate `find` offers, in order. */
function candidates(t: WeakTable, weak: number): number[] {
  const seen: number[] = [];
  t.find(weak, (off) => {
    seen.push(off);
    return false;
  });
  return seen;
}

describe('WeakTable', () => {
  it('answers has and find', () => {
    const t = table([5, 7, 5, 9], [0, 10, 20, 30]);
    assert.equal(t.size, 4);
    assert.equal(t.has(5), true);
    assert.equal(t.has(7), true);
    assert.equal(t.has(9), true);
    assert.equal(t.has(6), false);
    assert.equal(t.has(0), false);
    assert.deepEqual(candidates(t, 5), [0, 20]);
    assert.equal(
      t.find(5, (off) => off === 20),
      20,
    );
    assert.equal(
      t.find(9, () => true),
      30,
    );
    assert.equal(
      t.find(5, () => false),
      -1,
    );
    let called = false;
    assert.equal(
      t.find(6, () => (called = true)),
      -1,
    );
    assert.equal(called, false);
  });

  it('stops at the first candidate fn accepts', () => {
    const t = table([1, 1, 1], [100, 200, 300]);
    const seen: number[] = [];
    const got = t.find(1, (off) => {
      seen.push(off);
      return off >= 200;
    });
    assert.equal(got, 200);
    assert.deepEqual(seen, [100, 200]);
  });

  it('keeps at most maxPerWeak entries per weak value, the first ones', () => {
    const weak = [3, 3, 3, 3, 3, 3, 4, 3];
    const offs = [0, 1, 2, 3, 4, 5, 6, 7];
    const t = table(weak, offs);
    assert.equal(t.size, 5);
    assert.deepEqual(candidates(t, 3), [0, 1, 2, 3]);
    assert.deepEqual(candidates(t, 4), [6]);
    const one = table(weak, offs, 1);
    assert.equal(one.size, 2);
    assert.deepEqual(candidates(one, 3), [0]);
    const all = table(weak, offs, 100);
    assert.deepEqual(candidates(all, 3), [0, 1, 2, 3, 4, 5, 7]);
  });

  it('handles 0, the top of the range and colliding hashes', () => {
    // multiples of 2^20 agree in their low bits; probing must still tell them apart
    const weak = [0, 0xffffffff, 0x80000000, ...Array.from({ length: 50 }, (_, k) => (k * 2 ** 20) >>> 0)];
    const offs = weak.map((_, i) => i * 8);
    const t = table(weak, offs, 100);
    assert.equal(t.size, weak.length);
    for (let i = 0; i < weak.length; i++) {
      const w = weak[i] as number;
      assert.equal(t.has(w), true, `has ${w}`);
      assert.equal(
        t.find(w, (off) => off === offs[i]),
        offs[i],
      );
    }
    assert.equal(t.has(1), false);
    assert.equal(t.has(0xfffffffe), false);
    assert.equal(t.has(51 * 2 ** 20), false);
    // a weak is a 32-bit value: its int32 alias names the same entry
    assert.equal(t.has(-1), true);
  });

  it('is empty when built from nothing', () => {
    const t = table([], []);
    assert.equal(t.size, 0);
    assert.equal(t.has(0), false);
    assert.equal(
      t.find(0, () => true),
      -1,
    );
  });

  it('rejects 1e6 random absent values and finds every present one', () => {
    let seed = 12345;
    const next = (): number => {
      // xorshift32, deterministic
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const present = new Set<number>();
    while (present.size < 8000) present.add(next());
    const weak = [...present];
    const t = table(
      weak,
      weak.map((_, i) => i * 131072),
    );
    for (const w of weak) assert.equal(t.has(w), true);
    let rejected = 0;
    let asked = 0;
    while (asked < 1_000_000) {
      const w = next();
      if (present.has(w)) continue;
      asked++;
      if (!t.has(w)) rejected++;
    }
    assert.equal(rejected, asked);
  });

  it('agrees with a simple model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.nat()), { maxLength: 300 }),
        fc.integer({ min: 1, max: 6 }),
        (entries, cap) => {
          // small weak values on purpose: many duplicates, many probes
          const weak = entries.map(([w]) => (w * 0x01000193) >>> 0);
          const offs = entries.map(([, o]) => o);
          const t = table(weak, offs, cap);
          const model = new Map<number, number[]>();
          weak.forEach((w, i) => {
            const list = model.get(w) ?? [];
            if (list.length < cap) list.push(offs[i] as number);
            model.set(w, list);
          });
          let kept = 0;
          for (const [w, list] of model) {
            kept += list.length;
            assert.equal(t.has(w), true);
            assert.deepEqual(candidates(t, w), list);
          }
          assert.equal(t.size, kept);
          for (let k = 0; k <= 41; k++) {
            const w = (k * 0x01000193) >>> 0;
            assert.equal(t.has(w), model.has(w));
          }
        },
      ),
    );
  });

  it('rejects malformed input', () => {
    const bad = (e: unknown): boolean => isBigsyncError(e, 'INTERNAL');
    assert.throws(() => table([1, 2], [0]), bad);
    assert.throws(() => table([1], [0], 0), bad);
    assert.throws(() => table([1], [0], 1.5), bad);
  });
});
