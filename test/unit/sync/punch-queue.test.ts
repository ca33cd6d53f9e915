/**
 * PunchQueue: zero runs punched off the JS thread, in chains; overlap checks; failures surface
 * through the session's Background and settle().
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { hasThreadedPunch } from '../../../src/io/hole-punch.js';
import { Background } from '../../../src/sync/background.js';
import { PunchQueue } from '../../../src/sync/punch-queue.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const skip = hasThreadedPunch() ? false : 'native addon without punchRangesAsync';
const MiB = 1024 * 1024;

describe('PunchQueue', { skip }, () => {
  const t = tmpDir();
  after(() => t.remove());

  it('punches every queued range, reports pending overlaps, and settles', async () => {
    const path = t.file('p.img');
    fs.writeFileSync(path, randomBytes(8 * MiB));
    const fd = fs.openSync(path, 'r+');
    try {
      const bg = new Background();
      const q = PunchQueue.create(fd, bg) as PunchQueue;
      q.add(1 * MiB, 64 * 1024);
      q.add(5 * MiB, MiB); // queued while the first chain runs, out of order
      q.add(3 * MiB, 4096);
      assert.equal(q.overlaps(5 * MiB + 10, 1), true);
      assert.equal(q.overlaps(1 * MiB - 1, 2), true);
      assert.equal(q.overlaps(2 * MiB, MiB), false);
      assert.equal(q.overlaps(7 * MiB, MiB), false);
      await q.settle();
      assert.equal(q.overlaps(5 * MiB, MiB), false);
      const back = fs.readFileSync(path);
      for (const [off, len] of [
        [1 * MiB, 64 * 1024],
        [5 * MiB, MiB],
        [3 * MiB, 4096],
      ] as const) {
        assert.ok(back.subarray(off, off + len).equals(Buffer.alloc(len)), `zeros at ${off}`);
      }
      assert.notEqual(back.readUInt32LE(2 * MiB), 0, 'data elsewhere kept');
      // the space is freed: 8 MiB of data less the punched ~1.07 MiB (give or take a few blocks)
      const used = fs.fstatSync(fd).blocks * 512;
      assert.ok(used <= 8 * MiB - MiB, `allocated ${used}`);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('a failing punch fails the session (Background) and settle()', async () => {
    const path = t.file('ro.img');
    fs.writeFileSync(path, randomBytes(MiB));
    const fd = fs.openSync(path, 'r'); // read-only: punching fails with EBADF
    try {
      const bg = new Background();
      const q = PunchQueue.create(fd, bg) as PunchQueue;
      q.add(0, 4096);
      await assert.rejects(bg.failed, (err: Error & { code?: string }) => err.code === 'IO_ERROR');
      await assert.rejects(q.settle(), (err: Error & { code?: string }) => err.code === 'IO_ERROR');
    } finally {
      fs.closeSync(fd);
    }
  });
});
