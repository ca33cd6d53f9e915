import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BlockHashState, FileDigest, gmac, pageHashes } from '../../../src/core/block-hash.js';

const key = randomBytes(16);

describe('BlockHashState', () => {
  it('hashes a block fed in pieces as GMAC of the whole block', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 70_000 })), { maxLength: 6 }),
        (parts) => {
          const h = new BlockHashState(key);
          const whole: Buffer[] = [];
          const stale = Buffer.alloc(70_000, 0xee);
          for (const [zero, n] of parts) {
            // zero pieces are passed with stale bytes: they must be taken as zeros, never read
            if (zero) h.update(stale.subarray(0, n), true);
            else {
              const b = randomBytes(n);
              h.update(b, false);
            }
            whole.push(zero ? Buffer.alloc(n) : Buffer.alloc(0));
          }
          const tag = h.finish();
          if (parts.every(([zero]) => zero)) assert.equal(tag, null);
          else assert.equal(tag?.length, 16);
        },
      ),
    );
  });

  it('equals gmac() of the concatenated bytes, zero runs included', () => {
    const a = randomBytes(5000);
    const b = randomBytes(3000);
    const h = new BlockHashState(key);
    h.update(Buffer.alloc(4096, 0x77), true);
    h.update(a, false);
    h.update(Buffer.alloc(100, 0x55), true, 100);
    h.update(b, false);
    assert.deepEqual(h.finish(), gmac(key, Buffer.concat([Buffer.alloc(4096), a, Buffer.alloc(100), b])));
  });

  it('tells different blocks apart and is keyed', () => {
    const a = randomBytes(4096);
    const b = Buffer.from(a);
    b[100] = (b[100] ?? 0) ^ 1;
    assert.notDeepEqual(gmac(key, a), gmac(key, b));
    assert.notDeepEqual(gmac(key, a), gmac(randomBytes(16), a));
  });
});

describe('pageHashes and FileDigest', () => {
  it('hashes each page, the last one short', () => {
    const block = randomBytes(4096 * 2 + 10);
    const hs = pageHashes(key, block, 4096);
    assert.equal(hs.length, 3);
    assert.deepEqual(hs[2], gmac(key, block.subarray(8192)));
  });
  it('digests block hashes in order, zero blocks as zeros', () => {
    const t = gmac(key, Buffer.from('x'));
    const d1 = new FileDigest();
    d1.add(t);
    d1.add(null);
    const d2 = new FileDigest();
    d2.add(null);
    d2.add(t);
    assert.notDeepEqual(d1.digest(), d2.digest());
  });
});
