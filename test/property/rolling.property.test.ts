/**
 * Properties of the rolling match (core/rolling-matcher.ts with core/weak-table.ts, copy-ops.ts and
 * copy-schedule.ts): for an old file A and a new file B made from A by random insertions,
 * deletions, moves and duplications, with any block size,
 *
 * - the ops plus B's literal gaps rebuild B (copying from A), also when the region is searched in
 *   chunks and merged, and with probing;
 * - applying the ops in place on A through scheduleCopies, then the literals, gives B;
 * - the matcher leaves at most a block per edit more literal than a naive matcher that checks every
 *   block at every position.
 *
 * fast-check, seeded per run (FC_SEED / FC_RUNS env to reproduce or widen).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { copiedBytes, literalGaps, mergeOps } from '../../src/core/copy-ops.js';
import { scheduleCopies } from '../../src/core/copy-schedule.js';
import { findMatches, type CopyOp, type MatchResult } from '../../src/core/rolling-matcher.js';
import { FC_SEED, fcRuns } from '../helpers/file-pairs.js';
import { blockTable, byteVerifier, naiveMatches, rebuild } from '../helpers/naive-matcher.js';

const RUNS = fcRuns(150);

/** A piece of the old file: random bytes, a fill run, or a short pattern repeated. */
const segment = fc.oneof(
  fc.uint8Array({ maxLength: 1500 }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.nat(800)).map(([b, n]) => new Uint8Array(n).fill(b)),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 7 }), fc.nat(800))
    .map(([p, n]) => Uint8Array.from({ length: n }, (_, i) => p[i % p.length] as number)),
);
const oldFile = fc.array(segment, { maxLength: 6 }).map((parts) => Buffer.concat(parts));

/** One edit of the old file into the new; positions are taken modulo the current length. */
const edit = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 700 }) }),
  fc.record({
    kind: fc.constant('move' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 1500 }),
    to: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('dup' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 1500 }),
    to: fc.nat(),
    times: fc.integer({ min: 1, max: 4 }),
  }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

/** Applies one edit to `b`. */
function apply(b: Buffer, e: Edit): Buffer {
  const at = b.length === 0 ? 0 : e.at % (b.length + 1);
  switch (e.kind) {
    case 'insert':
      return Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
    case 'move': {
      const piece = Buffer.from(b.subarray(at, at + e.len));
      const rest = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
      const to = e.to % (rest.length + 1);
      return Buffer.concat([rest.subarray(0, to), piece, rest.subarray(to)]);
    }
    case 'dup': {
      const piece = b.subarray(at, at + e.len);
      const to = e.to % (b.length + 1);
      const copies = Array.from({ length: e.times }, () => piece);
      return Buffer.concat([b.subarray(0, to), ...copies, b.subarray(to)]);
    }
  }
}

const scenario = fc
  .tuple(oldFile, fc.array(edit, { maxLength: 5 }), fc.integer({ min: 16, max: 512 }))
  .map(([a, edits, bs]) => ({ a, b: edits.reduce(apply, a), edits: edits.length, bs }));

/** findMatches over all of `b` (or [start, end) of it, reading only what a chunk task would). */
function search(
  a: Buffer,
  b: Buffer,
  bs: number,
  start = 0,
  end = b.length,
  probeWindow?: number,
): MatchResult {
  const src = b.subarray(start, Math.min(b.length, end - 1 + bs));
  return findMatches({
    src,
    srcBase: start,
    start,
    end,
    blockSize: bs,
    table: blockTable(a, bs),
    verify: byteVerifier(a, bs).verify,
    ...(probeWindow === undefined ? {} : { probeWindow }),
  });
}

/** A copies ops in place through scheduleCopies, then writes every literal from b. */
function applyInPlace(a: Buffer, b: Buffer, ops: readonly CopyOp[]): Buffer {
  const t = Buffer.alloc(Math.max(a.length, b.length));
  a.copy(t);
  const s = scheduleCopies(ops);
  for (const c of s.copies) t.copy(t, c.to, c.from, c.from + c.length);
  for (const l of [...s.literals, ...literalGaps(0, b.length, ops)])
    b.copy(t, l.offset, l.offset, l.offset + l.length);
  return t.subarray(0, b.length);
}

describe('rolling match properties', () => {
  it('rebuilds the new file from ops and literal gaps, also in place', () => {
    fc.assert(
      fc.property(scenario, ({ a, b, bs }) => {
        const r = search(a, b, bs);
        assert.ok(rebuild(a, b, r.ops).equals(b), 'rebuild from a snapshot differs');
        assert.ok(applyInPlace(a, b, r.ops).equals(b), 'rebuild in place differs');
        for (const op of r.ops) assert.equal(op.length % bs, 0);
      }),
      { numRuns: RUNS, seed: FC_SEED },
    );
  });

  // A block per edit where the greedy choices differ, and a block per resync (it looks near the
  // predicted continuation first and may jump over a match; the sync extends matches into the gap).
  it('leaves at most a block per edit and per resync more literal than the naive matcher', () => {
    fc.assert(
      fc.property(scenario, ({ a, b, bs, edits }) => {
        const r = search(a, b, bs);
        const fast = b.length - copiedBytes(r.ops);
        const naive = b.length - copiedBytes(naiveMatches(b, a, bs));
        const bound = naive + bs * (edits + 1 + r.resyncs);
        assert.ok(fast <= bound, `literal ${fast} vs naive ${naive}, block ${bs}, ${r.resyncs} resyncs`);
      }),
      { numRuns: RUNS, seed: FC_SEED },
    );
  });

  it('rebuilds the new file when searched in chunks and merged, with or without probing', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 6 }),
        fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
        ({ a, b, bs }, cuts, probe) => {
          const chunks: CopyOp[][] = [];
          let start = 0;
          for (let k = 0; start < b.length; k++) {
            const end = Math.min(b.length, start + (cuts[k % cuts.length] as number));
            chunks.push(search(a, b, bs, start, end, probe).ops);
            start = end;
          }
          const ops = mergeOps(chunks);
          assert.ok(rebuild(a, b, ops).equals(b), 'merged rebuild differs');
          assert.ok(applyInPlace(a, b, ops).equals(b), 'merged in-place rebuild differs');
        },
      ),
      { numRuns: RUNS, seed: FC_SEED },
    );
  });
});
