import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { copiedBytes } from '../../../src/core/copy-ops.js';
import { weakChecksum } from '../../../src/core/rolling-checksum.js';
import { findMatches, type CopyOp, type MatchRequest } from '../../../src/core/rolling-matcher.js';
import { WeakTable } from '../../../src/core/weak-table.js';
import { isBigsyncError } from '../../../src/errors.js';
import { blockTable, byteVerifier, rebuild } from '../../helpers/naive-matcher.js';
import { seededBytes } from '../../helpers/seeded-data.js';

/** Checks the MatchResult contract on ops and that each op really copies equal bytes. */
function checkOps(ops: readonly CopyOp[], old: Uint8Array, neu: Uint8Array, bs: number): void {
  let end = -Infinity;
  for (const op of ops) {
    assert.ok(op.to >= end, 'sorted, non-overlapping');
    assert.ok(op.length > 0 && op.length % bs === 0, 'whole blocks');
    const a = Buffer.from(neu.subarray(op.to, op.to + op.length));
    assert.ok(a.equals(old.subarray(op.from, op.from + op.length)), `op at ${op.to} copies other bytes`);
    end = op.to + op.length;
  }
  for (let k = 1; k < ops.length; k++) {
    const p = ops[k - 1] as CopyOp;
    const c = ops[k] as CopyOp;
    assert.ok(!(p.to + p.length === c.to && p.from + p.length === c.from), 'contiguous ops coalesced');
  }
}

/** Matches all of `neu` against `old`'s blocks; checks the result rebuilds `neu`. */
function match(old: Uint8Array, neu: Uint8Array, bs: number, extra: Partial<MatchRequest> = {}) {
  const v = byteVerifier(old, bs);
  const r = findMatches({
    src: neu,
    srcBase: 0,
    start: 0,
    end: neu.length,
    blockSize: bs,
    table: blockTable(old, bs),
    verify: v.verify,
    ...extra,
  });
  checkOps(r.ops, old, neu, bs);
  assert.ok(rebuild(old, neu, r.ops).equals(neu));
  assert.equal(r.verifies, v.calls());
  return { ...r, literal: neu.length - copiedBytes(r.ops) };
}

const bs = 1024;
const A = seededBytes('rolling-matcher A', 64 * bs);
const cat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

describe('findMatches', () => {
  it('copies an identical file whole, checking each block once', () => {
    const r = match(A, A, bs);
    assert.deepEqual(r.ops, [{ to: 0, from: 0, length: 64 * bs }]);
    assert.equal(r.positionsRolled, 1);
    assert.equal(r.verifies, 64);
    assert.equal(r.failedVerifies, 0);
  });

  it('finds every later block after a 1-byte insert near the start', () => {
    const B = cat(A.subarray(0, 100), Uint8Array.of(0x55), A.subarray(100));
    const r = match(A, B, bs);
    assert.deepEqual(r.ops, [{ to: bs + 1, from: bs, length: 63 * bs }]);
    assert.equal(r.literal, bs + 1);
    assert.equal(r.positionsRolled, bs + 2);
  });

  it('finds the blocks after a deletion', () => {
    const B = cat(A.subarray(0, 5 * bs + 100), A.subarray(5 * bs + 110));
    const r = match(A, B, bs);
    assert.deepEqual(r.ops, [
      { to: 0, from: 0, length: 5 * bs },
      { to: 6 * bs - 10, from: 6 * bs, length: 58 * bs },
    ]);
    assert.equal(r.literal, bs - 10);
  });

  it('finds a block moved far away', () => {
    const B = cat(A.subarray(0, 3 * bs), A.subarray(4 * bs), A.subarray(3 * bs, 4 * bs));
    const r = match(A, B, bs);
    assert.deepEqual(r.ops, [
      { to: 0, from: 0, length: 3 * bs },
      { to: 3 * bs, from: 4 * bs, length: 60 * bs },
      { to: 63 * bs, from: 3 * bs, length: bs },
    ]);
    assert.equal(r.literal, 0);
  });

  it('copies all-zero data through the per-weak cap', () => {
    const zeros = new Uint8Array(64 * bs);
    const r = match(zeros, new Uint8Array(64 * bs + 5), bs);
    assert.deepEqual(r.ops, [{ to: 0, from: 0, length: 64 * bs }]);
    assert.equal(r.verifies, 64);
    assert.equal(blockTable(zeros, bs).size, 4);
  });

  it('matches periodic data shifted by a byte', () => {
    const period = Uint8Array.of(1, 2, 3);
    const P = Buffer.alloc(64 * bs + 1);
    for (let i = 0; i < P.length; i++) P[i] = period[i % 3] as number;
    const r = match(P.subarray(0, 64 * bs), P.subarray(1), bs);
    assert.ok(r.literal <= bs, `literal ${r.literal}`);
    assert.equal(r.failedVerifies, 0);
  });

  it('bounds the work on repetitive data whose weak hits never verify', () => {
    const bsz = 4096;
    const region = 200 * 1024;
    const src = new Uint8Array(region);
    const w = weakChecksum(src, 0, bsz);
    const n = 1000;
    const table = new WeakTable(
      new Uint32Array(n).fill(w),
      Float64Array.from({ length: n }, (_, k) => k * bsz),
    );
    let calls = 0;
    const req = {
      src,
      srcBase: 0,
      start: 0,
      end: region,
      blockSize: bsz,
      table,
      verify: () => (calls++, false),
    };
    const r = findMatches(req);
    const maxFailed = 4 * Math.ceil(region / bsz) + 16;
    assert.equal(r.ops.length, 0);
    assert.equal(calls, r.verifies);
    assert.ok(r.failedVerifies <= maxFailed);
    assert.ok(r.verifies <= maxFailed);
    assert.ok(r.positionsRolled <= region);
    // without the failure cap, the per-weak cap alone bounds each position to 4 checks
    const all = findMatches({ ...req, maxFailedVerifies: Infinity });
    assert.equal(all.positionsRolled, region - bsz + 1);
    assert.equal(all.verifies, 4 * all.positionsRolled);
    const few = findMatches({ ...req, maxFailedVerifies: 10 });
    assert.equal(few.failedVerifies, 10);
    assert.ok(few.positionsRolled <= 3);
  });

  it('probes a region of new data at doubling strides', () => {
    const bsz = 4096;
    const pw = 4096;
    const R = 4 * 1024 * 1024;
    const old = A.subarray(0, 16 * bsz);
    const fresh = seededBytes('rolling-matcher new data', R);
    const r = match(old, fresh, bsz, { probeWindow: pw });
    assert.ok(r.positionsRolled > 0);
    assert.ok(r.positionsRolled <= pw * (Math.log2(R / pw) + 1) + bsz, `rolled ${r.positionsRolled}`);
    assert.equal(r.literal, R);
    // a probe that lands in old data finds it and follows the chain to its end:
    // probes roll [0,1), [2,3), [5,6), [10,11), [19,20) (in probe windows); old data starts at 16
    const B = cat(fresh.subarray(0, 16 * pw), old, fresh.subarray(0, 10 * pw));
    const m = match(old, B, bsz, { probeWindow: pw });
    assert.deepEqual(m.ops, [{ to: 19 * pw, from: 3 * bsz, length: 13 * bsz }]);
  });

  it('starts matches only in [start, end) and reads only src', () => {
    const bsz = 512;
    const old = A.subarray(0, 32 * bsz);
    const B = cat(seededBytes('prefix', 100), old, seededBytes('suffix', 3000));
    fc.assert(
      fc.property(fc.nat(B.length), fc.nat(B.length), fc.nat(6000), fc.nat(B.length), (x, y, span, cut) => {
        const srcBase = Math.min(x, y);
        const start = Math.max(x, y);
        const end = start + span;
        const srcEnd = Math.max(start, Math.min(B.length, end - 1 + bsz, cut >= start ? cut : B.length));
        const src = B.subarray(srcBase, srcEnd);
        const v = byteVerifier(old, bsz);
        const r = findMatches({
          src,
          srcBase,
          start,
          end,
          blockSize: bsz,
          table: blockTable(old, bsz),
          verify: v.verify,
        });
        checkOps(r.ops, old, B, bsz);
        for (const op of r.ops) {
          assert.ok(op.to >= start && op.to + op.length - bsz < end, 'every block starts in [start, end)');
          assert.ok(op.to + op.length <= srcEnd, 'within src');
        }
      }),
    );
  });

  it('copies everything a clean shift allows inside one window', () => {
    const bsz = 512;
    const old = A.subarray(0, 32 * bsz);
    const B = cat(seededBytes('prefix', 100), old);
    const r = findMatches({
      src: B.subarray(1000, 1000 + 8 * bsz),
      srcBase: 1000,
      start: 1000,
      end: 1000 + 4 * bsz,
      blockSize: bsz,
      table: blockTable(old, bsz),
      verify: byteVerifier(old, bsz).verify,
    });
    // first block start at or after 1000 that is a block of old: 100 + 2 * 512 = 1124
    assert.deepEqual(r.ops, [{ to: 1124, from: 2 * bsz, length: 4 * bsz }]);
  });

  it('returns nothing for an empty or too short region', () => {
    const table = blockTable(A, bs);
    const verify = byteVerifier(A, bs).verify;
    const base = { srcBase: 0, blockSize: bs, table, verify };
    for (const [src, start, end] of [
      [A, 10, 10],
      [A, 10, 5],
      [A.subarray(0, bs - 1), 0, bs],
      [new Uint8Array(0), 0, 1],
    ] as const) {
      const r = findMatches({ ...base, src, start, end });
      assert.deepEqual(r, { ops: [], positionsRolled: 0, verifies: 0, failedVerifies: 0, resyncs: 0 });
    }
  });

  it('rejects a malformed request', () => {
    const table = blockTable(A, bs);
    const base = { src: A, srcBase: 0, start: 0, end: A.length, blockSize: bs, table, verify: () => false };
    const bad = (e: unknown): boolean => isBigsyncError(e, 'INTERNAL');
    assert.throws(() => findMatches({ ...base, blockSize: 0 }), bad);
    assert.throws(() => findMatches({ ...base, blockSize: 1.5 }), bad);
    assert.throws(() => findMatches({ ...base, srcBase: 1 }), bad);
    assert.throws(() => findMatches({ ...base, probeWindow: 0 }), bad);
  });
});
