import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scheduleCopies, type CopySchedule } from '../../../src/core/copy-schedule.js';
import type { CopyOp } from '../../../src/core/rolling-matcher.js';
import { isBigsyncError } from '../../../src/errors.js';

const op = (to: number, from: number, length: number): CopyOp => ({ to, from, length });

/** Every op applied from a snapshot of `old`. */
function fromSnapshot(old: Buffer, ops: readonly CopyOp[]): Buffer {
  const out = Buffer.from(old);
  for (const o of ops) old.copy(out, o.to, o.from, o.from + o.length);
  return out;
}

/** The schedule applied in place on a copy of `old`, literals then taken from `expected`. */
function inPlace(old: Buffer, s: CopySchedule, expected: Buffer): Buffer {
  const buf = Buffer.from(old);
  for (const c of s.copies) buf.copy(buf, c.to, c.from, c.from + c.length); // memmove
  for (const l of s.literals) expected.copy(buf, l.offset, l.offset, l.offset + l.length);
  return buf;
}

/** The bytes of `to` ranges, as a set of offsets. */
function bytesOf(ranges: readonly { offset: number; length: number }[]): Set<number> {
  const out = new Set<number>();
  for (const r of ranges) for (let i = 0; i < r.length; i++) out.add(r.offset + i);
  return out;
}

const toRanges = (ops: readonly CopyOp[]) => ops.map((o) => ({ offset: o.to, length: o.length }));

describe('scheduleCopies', () => {
  it('runs backward copies first, ascending, and forward copies after, descending', () => {
    const s = scheduleCopies([op(30, 10, 5), op(0, 20, 5), op(40, 35, 5), op(10, 50, 5)]);
    assert.deepEqual(s.copies, [op(0, 20, 5), op(10, 50, 5), op(40, 35, 5)]);
    // op(30, 10, 5) reads [10, 15), which op(10, 50, 5) wrote before: it becomes literal
    assert.deepEqual(s.literals, [{ offset: 30, length: 5 }]);
  });

  it('turns the forward half of a swap into a literal', () => {
    // new = old[8,16) + old[0,8): the backward copy overwrites what the forward one reads
    const s = scheduleCopies([op(8, 0, 8), op(0, 8, 8)]);
    assert.deepEqual(s.copies, [op(0, 8, 8)]);
    assert.deepEqual(s.literals, [{ offset: 8, length: 8 }]);
  });

  it('splits a forward copy around the part a backward copy overwrote', () => {
    // forward op(100, 0, 30) reads [0,30); backward op(10, 200, 5) wrote [10,15)
    const s = scheduleCopies([op(100, 0, 30), op(10, 200, 5)]);
    assert.deepEqual(s.copies, [op(10, 200, 5), op(115, 15, 15), op(100, 0, 10)]);
    assert.deepEqual(s.literals, [{ offset: 110, length: 5 }]);
  });

  it('drops identity and empty copies and keeps self-overlapping ones', () => {
    const s = scheduleCopies([op(0, 0, 10), op(20, 21, 10), op(40, 39, 10), op(60, 5, 0)]);
    assert.deepEqual(s.copies, [op(20, 21, 10), op(40, 39, 10)]);
    assert.deepEqual(s.literals, []);
    assert.deepEqual(scheduleCopies([]), { copies: [], literals: [] });
  });

  it('rejects ops that overlap in `to`', () => {
    assert.throws(
      () => scheduleCopies([op(0, 100, 10), op(5, 200, 10)]),
      (e: unknown) => isBigsyncError(e, 'INTERNAL'),
    );
  });

  it('applied in place equals copying from a snapshot', () => {
    const opsIn = (n: number) =>
      fc
        .array(fc.tuple(fc.nat(300), fc.integer({ min: 1, max: 600 }), fc.nat()), { maxLength: 14 })
        .map((xs) => {
          const ops: CopyOp[] = [];
          let pos = 0;
          for (const [gap, len, r] of xs) {
            const to = pos + gap;
            const length = Math.min(len, n - to);
            if (length <= 0) break;
            // from anywhere, often near `to` (self-overlap) or equal to it (identity)
            const from =
              r % 4 === 0 ? to : r % 4 === 1 ? Math.max(0, to + ((r >> 2) % 41) - 20) : r % (n - length + 1);
            ops.push(op(to, Math.min(from, n - length), length));
            pos = to + length;
          }
          return ops;
        });
    const input = fc
      .integer({ min: 1, max: 4096 })
      .chain((n) => fc.tuple(fc.uint8Array({ minLength: n, maxLength: n }), opsIn(n), fc.boolean()));
    fc.assert(
      fc.property(input, ([bytes, ops, reverse]) => {
        const old = Buffer.from(bytes);
        const given = reverse ? [...ops].reverse() : ops;
        const s = scheduleCopies(given);
        const expected = fromSnapshot(old, ops);
        assert.ok(inPlace(old, s, expected).equals(expected), 'in place differs from snapshot');
        // literals lie inside the ops' `to` ranges; copies + literals cover exactly the non-identity ones
        const live = ops.filter((o) => o.to !== o.from);
        const want = bytesOf(toRanges(live));
        const lit = bytesOf(s.literals);
        const cop = bytesOf(toRanges(s.copies));
        for (const b of lit) assert.ok(want.has(b) && !cop.has(b));
        assert.equal(lit.size + cop.size, want.size);
        assert.equal(
          s.copies.reduce((n, c) => n + c.length, 0) + s.literals.reduce((n, l) => n + l.length, 0),
          want.size,
          'no byte twice',
        );
        // every copy is a piece of an op, with the same shift
        for (const c of s.copies) {
          assert.ok(
            live.some(
              (o) => c.to >= o.to && c.to + c.length <= o.to + o.length && c.to - c.from === o.to - o.from,
            ),
          );
        }
        for (let k = 1; k < s.literals.length; k++) {
          const p = s.literals[k - 1] as { offset: number; length: number };
          assert.ok(p.offset + p.length < (s.literals[k] as { offset: number }).offset, 'sorted, coalesced');
        }
      }),
      { numRuns: 300 },
    );
  });
});
