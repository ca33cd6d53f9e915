import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { copiedBytes, literalGaps, mergeOps } from '../../../src/core/copy-ops.js';
import type { CopyOp } from '../../../src/core/rolling-matcher.js';

const op = (to: number, from: number, length: number): CopyOp => ({ to, from, length });

describe('mergeOps', () => {
  it('concatenates chunks that do not overlap', () => {
    assert.deepEqual(mergeOps([[op(0, 50, 10)], [op(20, 0, 10), op(40, 90, 5)]]), [
      op(0, 50, 10),
      op(20, 0, 10),
      op(40, 90, 5),
    ]);
  });

  it('trims the front of a later op that overlaps what earlier ops cover', () => {
    // [0,100) covered; the later op [80,180) loses 20 bytes at its front
    assert.deepEqual(mergeOps([[op(0, 1000, 100)], [op(80, 500, 100)]]), [
      op(0, 1000, 100),
      op(100, 520, 80),
    ]);
  });

  it('drops a later op covered entirely', () => {
    assert.deepEqual(mergeOps([[op(0, 1000, 100)], [op(10, 5, 50), op(100, 7, 10)]]), [
      op(0, 1000, 100),
      op(100, 7, 10),
    ]);
  });

  it('coalesces ops that continue each other across chunks, also after a trim', () => {
    assert.deepEqual(mergeOps([[op(0, 100, 64)], [op(64, 164, 64)]]), [op(0, 100, 128)]);
    // the overlap of the same shifted copy found by both chunks joins into one op
    assert.deepEqual(mergeOps([[op(0, 100, 64)], [op(32, 132, 64)]]), [op(0, 100, 96)]);
    // touching in `to` but not in `from`: kept apart
    assert.deepEqual(mergeOps([[op(0, 100, 64)], [op(64, 0, 64)]]), [op(0, 100, 64), op(64, 0, 64)]);
  });

  it('handles empty chunks and zero-length ops', () => {
    assert.deepEqual(mergeOps([]), []);
    assert.deepEqual(mergeOps([[], [op(5, 0, 0)], [op(5, 0, 3)], []]), [op(5, 0, 3)]);
  });

  it('gives sorted, non-overlapping ops whose bytes are a subset of the input copies', () => {
    const chunk = fc
      .array(fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 60 }), fc.nat(500)), { maxLength: 6 })
      .map((xs) => {
        // one chunk's ops: sorted and non-overlapping
        const out: CopyOp[] = [];
        let pos = 0;
        for (const [gap, length, from] of xs) {
          out.push(op(pos + gap, from, length));
          pos += gap + length;
        }
        return out;
      });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(300), chunk), { maxLength: 5 }), (raw) => {
        // chunk k's ops start in [start_k, start_k+1), as findMatches' do; they may reach past it
        let start = 0;
        const chunks = raw.map(([step, ops]) => {
          const s = start;
          const placed = ops.map((o) => op(o.to + s, o.from, o.length));
          start = Math.max(s, ...placed.map((o) => o.to + 1)) + step;
          return placed;
        });
        const merged = mergeOps(chunks);
        const source = new Map<number, number>(); // to byte -> from byte, first chunk wins
        for (const c of chunks)
          for (const o of c) for (let i = 0; i < o.length; i++) source.set(o.to + i, o.from + i);
        let end = -Infinity;
        let covered = 0;
        for (const m of merged) {
          assert.ok(m.length > 0 && m.to >= end);
          for (let i = 0; i < m.length; i++) assert.ok(source.has(m.to + i));
          end = m.to + m.length;
          covered += m.length;
        }
        const union = new Set<number>();
        for (const c of chunks) for (const o of c) for (let i = 0; i < o.length; i++) union.add(o.to + i);
        assert.equal(covered, union.size, 'nothing lost but overlaps');
        assert.equal(copiedBytes(merged), covered);
      }),
    );
  });
});

describe('literalGaps', () => {
  it('lists the uncovered parts in order', () => {
    const ops = [op(10, 0, 10), op(30, 0, 5), op(35, 99, 5)];
    assert.deepEqual(literalGaps(0, 50, ops), [
      { offset: 0, length: 10 },
      { offset: 20, length: 10 },
      { offset: 40, length: 10 },
    ]);
    assert.deepEqual(literalGaps(10, 40, ops), [{ offset: 20, length: 10 }]);
    assert.deepEqual(literalGaps(12, 18, ops), []);
  });

  it('clips ops reaching outside the range', () => {
    const ops = [op(0, 0, 15), op(45, 0, 100)];
    assert.deepEqual(literalGaps(10, 50, ops), [{ offset: 15, length: 30 }]);
    assert.deepEqual(literalGaps(20, 30, [op(25, 0, 100)]), [{ offset: 20, length: 5 }]);
    assert.deepEqual(literalGaps(20, 30, [op(35, 0, 1)]), [{ offset: 20, length: 10 }]);
  });

  it('covers the whole range with no ops, and nothing for an empty range', () => {
    assert.deepEqual(literalGaps(5, 9, []), [{ offset: 5, length: 4 }]);
    assert.deepEqual(literalGaps(5, 5, []), []);
    assert.deepEqual(literalGaps(9, 5, []), []);
  });

  it('is the complement of the ops within the range', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(30), fc.nat(30)), { maxLength: 8 }),
        fc.nat(300),
        fc.nat(300),
        (xs, x, y) => {
          const ops: CopyOp[] = [];
          let pos = 0;
          for (const [gap, length] of xs) {
            ops.push(op(pos + gap, 0, length));
            pos += gap + length;
          }
          const start = Math.min(x, y);
          const end = Math.max(x, y);
          const gaps = literalGaps(start, end, ops);
          for (let i = start; i < end; i++) {
            const inOp = ops.some((o) => i >= o.to && i < o.to + o.length);
            const inGap = gaps.some((g) => i >= g.offset && i < g.offset + g.length);
            assert.notEqual(inOp, inGap, `byte ${i}`);
          }
          for (let k = 1; k < gaps.length; k++) {
            const p = gaps[k - 1] as { offset: number; length: number };
            assert.ok(p.length > 0 && p.offset + p.length < (gaps[k] as { offset: number }).offset);
          }
        },
      ),
    );
  });
});

describe('copiedBytes', () => {
  it('sums the lengths', () => {
    assert.equal(copiedBytes([]), 0);
    assert.equal(copiedBytes([op(0, 5, 10), op(20, 0, 7)]), 17);
  });
});
