/**
 * The addon's block hashing (hashBlocksAsync) against the JS task it stands in for
 * (runHashBlocks): the same tags, zero flags and bytes read, over data, holes, zero runs and a
 * short last block, with and without the data extents.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { clipExtents } from '../../../src/core/extent.js';
import { hashBlocksNative, hasNativeHashing } from '../../../src/io/hash-blocks-native.js';
import { nativeOps } from '../../../src/io/native.js';
import { dataExtents } from '../../../src/io/sparse-map.js';
import { runHashBlocks } from '../../../src/parallel/hash-blocks-task.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const skip = hasNativeHashing() ? false : 'addon without hashBlocksAsync (no OpenSSL found in Node)';
const KiB = 1024;

describe('hashBlocksAsync', { skip }, () => {
  const t = tmpDir();
  after(() => t.remove());
  const path = t.file('mixed.img');
  const size = 5 * 1024 * KiB + 12_345; // a short last block at every block size below
  const fd = fs.openSync(path, 'w+');
  after(() => fs.closeSync(fd));
  fs.ftruncateSync(fd, size);
  // data, then a hole, then written zeros, then data across block edges, then data to the end
  fs.writeSync(fd, randomBytes(300 * KiB), 0, 300 * KiB, 0);
  fs.writeSync(fd, Buffer.alloc(512 * KiB), 0, 512 * KiB, 1024 * KiB);
  fs.writeSync(fd, randomBytes(700 * KiB + 7), 0, 700 * KiB + 7, 2048 * KiB - 100);
  fs.writeSync(fd, randomBytes(100), 0, 100, 3500 * KiB);
  fs.writeSync(fd, randomBytes(size - 4096 * KiB), 0, size - 4096 * KiB, 4096 * KiB);
  const extents = dataExtents(fd, size);
  const key = randomBytes(16);

  for (const blockSize of [4 * KiB, 64 * KiB, 128 * KiB, 1024 * KiB]) {
    it(`gives runHashBlocks's tags, zero flags and bytes read (block ${blockSize / KiB} KiB)`, async () => {
      const total = Math.ceil(size / blockSize);
      for (const [first, count] of [
        [0, total],
        [1, Math.max(1, total - 2)],
        [total - 1, 1],
      ] as const) {
        const start = first * blockSize;
        const end = Math.min(size, (first + count) * blockSize);
        for (const data of [null, clipExtents(extents, start, end)]) {
          const job = { fd, firstBlock: first, count, blockSize, size, data, key };
          const js = runHashBlocks({ kind: 'hash-blocks', ...job });
          const native = await hashBlocksNative(job);
          assert.ok(native !== null);
          assert.deepEqual(native.zero, js.zero, `zero flags ${first}+${count}`);
          assert.deepEqual(native.tags, js.tags, `tags ${first}+${count}`);
          assert.equal(native.bytesRead, js.bytesRead);
        }
      }
    });
  }

  it('refuses bad arguments and rejects a failing read with IO_ERROR', async () => {
    const n = nativeOps();
    const call = (data: Float64Array | null, k = key): unknown =>
      n?.hashBlocksAsync?.(fd, 0, 1, 4096, size, data, k, new Uint8Array(16), new Uint8Array(1));
    assert.throws(() => call(null, randomBytes(15)), RangeError);
    assert.throws(() => call(new Float64Array([8192, 10, 0, 10])), RangeError); // not sorted
    assert.throws(() => call(new Float64Array([0])), RangeError);
    const dir = fs.openSync(t.dir, 'r');
    try {
      const p = hashBlocksNative({
        fd: dir,
        firstBlock: 0,
        count: 1,
        blockSize: 4096,
        size: 4096,
        data: null,
        key,
      });
      await assert.rejects(
        p as Promise<unknown>,
        (err: Error & { code?: string }) => err.code === 'IO_ERROR',
      );
    } finally {
      fs.closeSync(dir);
    }
  });
});
