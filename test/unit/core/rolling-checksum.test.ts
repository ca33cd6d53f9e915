import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { rollWeak, weakChecksum } from '../../../src/core/rolling-checksum.js';
import { isBigsyncError } from '../../../src/errors.js';

/** (b << 16 | a) >>> 0 for given halves. */
const weak = (a: number, b: number): number => ((b << 16) | a) >>> 0;

/**
 * The definition, evaluated directly: b = Σ (L - i)·x_i, summed exactly in Numbers per 64 KiB
 * (each partial sum stays below 2^53 for windows up to 64 MiB) and reduced mod 2^16 between parts.
 */
function reference(buf: Uint8Array, start: number, length: number): number {
  let a = 0;
  let b = 0;
  for (let p = 0; p < length; p += 65536) {
    let pa = 0;
    let pb = 0;
    for (let i = p; i < Math.min(length, p + 65536); i++) {
      const x = buf[start + i] as number;
      pa += x;
      pb += (length - i) * x;
    }
    a = (a + (pa % 65536)) % 65536;
    b = (b + (pb % 65536)) % 65536;
  }
  return weak(a, b);
}

describe('weakChecksum', () => {
  it('matches hand-computed values', () => {
    // a = 1+2+3+4 = 10; b = 4·1 + 3·2 + 2·3 + 1·4 = 20
    assert.equal(weakChecksum(Uint8Array.of(1, 2, 3, 4), 0, 4), weak(10, 20));
    assert.equal(weakChecksum(Uint8Array.of(1, 2, 3, 4), 0, 4), 1310730);
    // a = 3·255 = 765; b = (3+2+1)·255 = 1530
    assert.equal(weakChecksum(Uint8Array.of(255, 255, 255), 0, 3), weak(765, 1530));
    // position matters for b only: a = 7 both; b = 1·7 vs 4·7
    assert.equal(weakChecksum(Uint8Array.of(0, 0, 0, 7), 0, 4), weak(7, 7));
    assert.equal(weakChecksum(Uint8Array.of(7, 0, 0, 0), 0, 4), weak(7, 28));
    // both halves wrap: a = 300·255 = 76500 ≡ 10964; b = 255·(300·301/2) = 11513250 ≡ 44450 (mod 65536)
    assert.equal(weakChecksum(new Uint8Array(300).fill(255), 0, 300), weak(10964, 44450));
    assert.equal(weakChecksum(new Uint8Array(300).fill(255), 0, 300), 2913086164);
  });

  it('reads only the window', () => {
    assert.equal(weakChecksum(Uint8Array.of(9, 1, 2, 3, 4, 9), 1, 4), weak(10, 20));
    assert.equal(weakChecksum(Uint8Array.of(9, 9), 1, 0), 0);
    assert.equal(weakChecksum(new Uint8Array(0), 0, 0), 0);
  });

  it('agrees with the definition on random windows', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.nat(), (buf, s, l) => {
        const start = buf.length === 0 ? 0 : s % buf.length;
        const length = l % (buf.length - start + 1);
        assert.equal(weakChecksum(buf, start, length), reference(buf, start, length));
      }),
    );
  });

  it('rejects windows outside the buffer', () => {
    const buf = new Uint8Array(10);
    for (const [s, l] of [
      [0, 11],
      [5, 6],
      [-1, 2],
      [0, 1.5],
    ] as const) {
      assert.throws(
        () => weakChecksum(buf, s, l),
        (e: unknown) => isBigsyncError(e, 'INTERNAL'),
      );
    }
  });

  it('loses no precision on windows up to 64 MiB', () => {
    const big = randomBytes(64 * 1024 * 1024 + 1000);
    const length = 64 * 1024 * 1024;
    const w = weakChecksum(big, 0, length);
    assert.equal(w, reference(big, 0, length));
    // a constant window has closed forms: a = c·L, b = c·L(L+1)/2 (BigInt, then mod 2^16)
    const L = 64 * 1024 * 1024 - 12345;
    const c = 251n;
    const fill = new Uint8Array(L).fill(Number(c));
    const a = Number((c * BigInt(L)) % 65536n);
    const b = Number(((c * BigInt(L) * BigInt(L + 1)) / 2n) % 65536n);
    assert.equal(weakChecksum(fill, 0, L), weak(a, b));
    // and rolling a 64 MiB window stays exact
    let r = w;
    for (let i = 0; i < 1000; i++) r = rollWeak(r, big[i] as number, big[i + length] as number, length);
    assert.equal(r, reference(big, 1000, length));
  });
});

describe('rollWeak', () => {
  it('equals weakChecksum of the slid window', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 2000 }), fc.nat(), fc.nat(), (buf, s, l) => {
        const length = 1 + (l % (buf.length - 1));
        const start = s % (buf.length - length);
        const w = weakChecksum(buf, start, length);
        const rolled = rollWeak(w, buf[start] as number, buf[start + length] as number, length);
        assert.equal(rolled, weakChecksum(buf, start + 1, length));
      }),
    );
  });

  it('rolls across a whole buffer without drift', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 4000 }),
        fc.integer({ min: 1, max: 600 }),
        (buf, l) => {
          const length = Math.min(l, buf.length);
          let w = weakChecksum(buf, 0, length);
          for (let p = 1; p + length <= buf.length; p++) {
            w = rollWeak(w, buf[p - 1] as number, buf[p - 1 + length] as number, length);
            assert.equal(w, weakChecksum(buf, p, length));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('matches a hand-computed slide', () => {
    // [1,2,3,4] -> [2,3,4,5]: a = 14, b = 20 - 4·1 + 14 = 30
    assert.equal(rollWeak(weak(10, 20), 1, 5, 4), weak(14, 30));
    assert.equal(rollWeak(weakChecksum(Uint8Array.of(1, 2, 3, 4), 0, 4), 1, 5, 4), 1966094);
  });
});
