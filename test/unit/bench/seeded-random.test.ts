import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keystream, SeededRng, selectSorted } from '../../helpers/seeded-data.js';

describe('Keystream', () => {
  // Golden vector, checked against OpenSSL:
  //   H=$(echo -n bigsync-bench-1 | sha256sum | cut -c1-64)
  //   head -c16 /dev/zero | openssl enc -aes-128-ctr -K ${H:0:32} -iv ${H:32:32} | xxd -p
  it('is AES-128-CTR keyed by SHA-256 of the seed', () => {
    assert.equal(
      new Keystream('bigsync-bench-1').next(16).toString('hex'),
      '77945d747f929496b8049b7c00850072',
    );
  });

  it('gives equal bytes for equal seeds and different bytes for different seeds', () => {
    assert.deepEqual(new Keystream('a').next(4096), new Keystream('a').next(4096));
    assert.notDeepEqual(new Keystream('a').next(4096), new Keystream('b').next(4096));
  });

  it('is one stream however it is cut into next, fill and large requests', () => {
    const whole = new Keystream('s').next(3 << 20);
    const k = new Keystream('s');
    const parts = Buffer.alloc(3 << 20);
    k.next(10).copy(parts, 0);
    k.fill(parts, 10, 2 << 20);
    k.next((3 << 20) - (2 << 20)).copy(parts, 2 << 20);
    assert.deepEqual(parts, whole);
  });

  it('xorInto with the same stream twice restores the original', () => {
    const original = new Keystream('data').next(5000);
    const buf = Buffer.from(original);
    new Keystream('mask').xorInto(buf);
    assert.notDeepEqual(buf, original);
    new Keystream('mask').xorInto(buf);
    assert.deepEqual(buf, original);
  });
});

describe('SeededRng', () => {
  // Golden vector, checked against an independent Python xoshiro128** seeded with
  // struct.unpack('<4I', sha256(b'bigsync-bench-1\x00rng').digest()[:16]).
  it('is xoshiro128** seeded by SHA-256(seed + "\\0rng")', () => {
    const r = new SeededRng('bigsync-bench-1');
    assert.deepEqual(
      [r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()],
      [1771477432, 2804354139, 1502592710, 419963017],
    );
  });

  it('below(n) stays in [0, n) and float() in [0, 1)', () => {
    const r = new SeededRng('range');
    for (let i = 0; i < 10_000; i++) {
      const v = r.below(7);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 7);
      const f = r.float();
      assert.ok(f >= 0 && f < 1);
    }
    assert.throws(() => r.below(0), RangeError);
  });
});

describe('selectSorted', () => {
  it('chooses exactly k distinct indexes in increasing order', () => {
    for (const [n, k] of [
      [0, 0],
      [10, 0],
      [10, 10],
      [1000, 37],
      [5, 1],
    ] as const) {
      const got = [...selectSorted(new SeededRng(`sel-${n}-${k}`), n, k)];
      assert.equal(got.length, k);
      got.forEach((v, i) => {
        assert.ok(v >= 0 && v < n);
        if (i > 0) assert.ok(v > (got[i - 1] ?? -1));
      });
    }
  });

  it('is deterministic and covers the whole range', () => {
    assert.deepEqual([...selectSorted(new SeededRng('x'), 20, 5)], [1, 8, 10, 15, 16]);
    const seen = new Set<number>();
    for (let s = 0; s < 200; s++) for (const v of selectSorted(new SeededRng(`c${s}`), 10, 1)) seen.add(v);
    assert.equal(seen.size, 10);
  });

  it('rejects k > n', () => {
    assert.throws(() => [...selectSorted(new SeededRng('x'), 3, 4)], RangeError);
  });
});
