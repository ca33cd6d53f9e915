/**
 * The native comparisons: comparePieces (synchronous) and compareRunsAsync (libuv pool thread)
 * flag exactly the pieces whose bytes differ, read past a file's end as zeros, fail cleanly, and
 * step aside (null) when the addon lacks them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';
import type { Extent } from '../../../src/core/extent.js';
import { BigsyncError } from '../../../src/errors.js';
import { nativeOps, nativeStatus } from '../../../src/io/native.js';
import { comparePieces, compareRunsAsync, hasThreadedCompare } from '../../../src/io/piece-compare.js';
import { seededBytes } from '../../helpers/seeded-data.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const ops = nativeOps();
const skipNative = ops === null ? `native addon unavailable (${nativeStatus().reason})` : false;
const PIECE = 4096;

/** The expected flags of `runs` over buffers a and b (bytes past an end read as zero). */
function expectedFlags(a: Buffer, b: Buffer, runs: Extent[], piece: number): number[] {
  const at = (buf: Buffer, i: number): number => (i < buf.length ? (buf[i] as number) : 0);
  const flags: number[] = [];
  for (const r of runs) {
    for (let p = r.offset; p < r.offset + r.length; p += piece) {
      let differs = 0;
      for (let i = p; i < Math.min(p + piece, r.offset + r.length); i++) {
        if (at(a, i) !== at(b, i)) differs = 1;
      }
      flags.push(differs);
    }
  }
  return flags;
}

describe('compareRunsAsync', { skip: skipNative }, () => {
  const t = tmpDir();
  after(() => t.remove());
  const a = seededBytes('piece-compare-a', 40 * PIECE + 123);
  const b = Buffer.from(a.subarray(0, 37 * PIECE)); // shorter: its tail reads as zeros
  for (const at of [5, 6 * PIECE + 7, 20 * PIECE, 30 * PIECE - 1]) b[at] = (b[at] as number) ^ 0xff;
  const pa = t.file('a');
  const pb = t.file('b');
  fs.writeFileSync(pa, a);
  fs.writeFileSync(pb, b);

  test('flags exactly the differing pieces of every run, in order', async () => {
    const runs: Extent[] = [
      { offset: 0, length: 8 * PIECE },
      { offset: 12 * PIECE, length: 10 * PIECE + 100 },
      { offset: 29 * PIECE, length: a.length - 29 * PIECE + 50 }, // past both ends
    ];
    const want = expectedFlags(a, b, runs, PIECE);
    const fa = fs.openSync(pa, 'r');
    const fb = fs.openSync(pb, 'r');
    try {
      const out = new Uint8Array(want.length);
      const n = await compareRunsAsync(fa, fb, runs, PIECE, out);
      assert.deepEqual([...out], want);
      assert.equal(n, want.filter((x) => x === 1).length);
      assert.ok(n > 0 && n < want.length);
      // the synchronous op agrees run by run
      let k = 0;
      for (const r of runs) {
        const one = new Uint8Array(Math.ceil(r.length / PIECE));
        comparePieces(fa, fb, r.offset, r.length, PIECE, one);
        assert.deepEqual([...one], want.slice(k, k + one.length));
        k += one.length;
      }
    } finally {
      fs.closeSync(fa);
      fs.closeSync(fb);
    }
  });

  test('no runs: nothing to compare', async () => {
    const fa = fs.openSync(pa, 'r');
    try {
      assert.equal(await compareRunsAsync(fa, fa, [], PIECE, new Uint8Array(0)), 0);
    } finally {
      fs.closeSync(fa);
    }
  });

  test('a failing read rejects with IO_ERROR naming the offset', async () => {
    await assert.rejects(
      compareRunsAsync(
        1_000_000,
        1_000_001,
        [{ offset: 8192, length: PIECE }],
        PIECE,
        new Uint8Array(1),
      ) as Promise<number>,
      (e: unknown) =>
        e instanceof BigsyncError &&
        e.code === 'IO_ERROR' &&
        /EBADF/.test(e.message) &&
        /8192/.test(e.message),
    );
  });

  test('bad arguments throw before any work is queued', () => {
    const op = ops?.compareRunsAsync?.bind(ops);
    assert.ok(op !== undefined);
    assert.throws(() => op(3, 3, new Float64Array([0]), PIECE, new Uint8Array(1)), RangeError);
    assert.throws(() => op(3, 3, new Float64Array([0, 2 * PIECE]), PIECE, new Uint8Array(1)), RangeError);
    assert.throws(() => op(3, 3, new Float64Array([0.5, 1]), PIECE, new Uint8Array(1)), RangeError);
    assert.throws(() => op(3, 3, new Float64Array([-1, 1]), PIECE, new Uint8Array(1)), RangeError);
    assert.throws(() => op(3, 3, [0, 1] as unknown as Float64Array, PIECE, new Uint8Array(1)), TypeError);
    assert.throws(() => op(3, 3, new Float64Array([0, 1]), 0, new Uint8Array(1)), RangeError);
  });
});

describe('compareRunsAsync without the op', () => {
  test('null, so the caller compares another way', () => {
    assert.equal(compareRunsAsync(0, 0, [{ offset: 0, length: 1 }], PIECE, new Uint8Array(1), null), null);
    assert.equal(hasThreadedCompare(null), false);
    const older = { ...(ops ?? {}), compareRunsAsync: undefined } as unknown as Parameters<
      typeof hasThreadedCompare
    >[0];
    assert.equal(hasThreadedCompare(older), false);
    assert.equal(compareRunsAsync(0, 0, [], PIECE, new Uint8Array(0), older), null);
  });
});
