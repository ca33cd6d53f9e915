import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { BlockHashState } from '../../../src/core/block-hash.js';
import { isAllZero } from '../../../src/core/zero-detect.js';
import { moveWithin } from '../../../src/io/move-range.js';
import { runMoveRange } from '../../../src/parallel/move-task.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('moving bytes within a file', () => {
  const t = tmpDir();
  after(() => t.remove());

  it('equals copyWithin for overlapping moves both ways, with any step and block grid', () => {
    const path = t.file('move');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 700 }),
        fc.constantFrom(0, 1, 7, 64, 512, 1000),
        (size, a, b, c, step, align) => {
          const body = randomBytes(size);
          const from = a % size;
          const to = b % size;
          const length = 1 + (c % (size - Math.max(from, to)));
          fs.writeFileSync(path, body);
          const seen: [number, number][] = [];
          const fd = fs.openSync(path, 'r+');
          try {
            moveWithin(fd, from, to, length, Buffer.alloc(step), {
              align,
              onStep: (bytes, n, pos) => {
                assert.deepEqual(bytes.subarray(0, n), body.subarray(from + pos - to, from + pos - to + n));
                seen.push([pos, n]);
                // with a grid, a step never crosses a multiple of it
                const grid = align > 0 && align <= step ? step - (step % align) : 0;
                if (grid > 0) assert.ok(Math.floor(pos / grid) === Math.floor((pos + n - 1) / grid));
              },
            });
          } finally {
            fs.closeSync(fd);
          }
          const expected = Buffer.from(body);
          expected.copyWithin(to, from, from + length);
          assert.deepEqual(fs.readFileSync(path), expected);
          seen.sort((x, y) => x[0] - y[0]);
          let at = to;
          for (const [pos, n] of seen) {
            assert.equal(pos, at);
            at += n;
          }
          assert.equal(at, to + length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a move task hashes exactly the whole blocks it wrote, as read back afterwards', () => {
    const B = 64 * 1024;
    const size = 5 * 1024 * 1024 + 4000;
    const body = randomBytes(size);
    body.fill(0, 2 * B, 4 * B); // two zero blocks, hashed as zero
    const path = t.file('task');
    const key = randomBytes(16);
    for (const [from, to, length] of [
      [1000, 0, 4 * 1024 * 1024],
      [0, 3000, 4 * 1024 * 1024 + 1],
      [B, 3 * B + 17, 1500 * 1024],
    ] as const) {
      fs.writeFileSync(path, body);
      const fd = fs.openSync(path, 'r+');
      let r;
      try {
        r = runMoveRange({
          kind: 'move-range',
          fd,
          from,
          to,
          length,
          saved: null,
          savedOffset: 0,
          holes: true,
          hash: { key, blockSize: B, size },
        });
      } finally {
        fs.closeSync(fd);
      }
      const after = fs.readFileSync(path);
      const whole: number[] = [];
      for (let b = Math.ceil(to / B); (b + 1) * B <= Math.min(to + length, size); b++) whole.push(b);
      assert.deepEqual(r.blocks, whole);
      r.blocks.forEach((b, i) => {
        const block = after.subarray(b * B, (b + 1) * B);
        const h = new BlockHashState(key);
        h.update(block, isAllZero(block));
        const tag = h.finish();
        assert.equal(r.zero[i], tag === null ? 1 : 0, `block ${b}`);
        if (tag !== null) assert.deepEqual(Buffer.from(r.tags.subarray(i * 16, (i + 1) * 16)), tag);
      });
    }
  });
});
