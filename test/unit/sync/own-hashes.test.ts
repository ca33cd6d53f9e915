/**
 * OwnHashes: the sender's block hashes, with and without a head start (hashing before the
 * session opens): the same tags either way; the head start stops when the connection is up.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { executor } from '../../../src/parallel/executor.js';
import { OwnHashes, type HashPlan } from '../../../src/sync/own-hashes.js';
import { batchBlocks } from '../../../src/sync/remote-session.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const BLOCK = 64 * 1024;

describe('OwnHashes', () => {
  const t = tmpDir();
  after(() => t.remove());
  const path = t.file('src.img');
  const size = 3 * batchBlocks(BLOCK) * BLOCK + 12345; // three batches and a short fourth
  const data = randomBytes(size);
  data.fill(0, 2 * MiB, 3 * MiB); // some all-zero blocks
  fs.writeFileSync(path, data);
  const fd = fs.openSync(path, 'r');
  after(() => fs.closeSync(fd));
  const plan: HashPlan = { exec: executor(null), window: 2, key: randomBytes(16), blockSize: BLOCK, size };
  const file = { path, fd, size, isDevice: false, data: null };

  it('hashes the same with a head start as without', async () => {
    const plain = new OwnHashes(plan, file);
    await plain.have(0, plain.total);
    const ahead = new OwnHashes(plan, file);
    let open = (): void => undefined;
    ahead.headStart(new Promise<void>((resolve) => (open = resolve)), 1);
    await ahead.bg.settle();
    await new Promise((resolve) => setImmediate(resolve));
    open();
    await ahead.have(0, ahead.total);
    assert.deepEqual(ahead.tags, plain.tags);
    assert.deepEqual(ahead.zero, plain.zero);
    assert.ok(plain.zero.includes(1) && plain.zero.includes(0));
    assert.equal(ahead.bytesRead, plain.bytesRead);
    assert.ok(ahead.digest().equals(plain.digest()));
  });

  it('stops starting batches once the session is open', async () => {
    const own = new OwnHashes(plan, file);
    own.headStart(Promise.resolve(), 1); // open at once: only the first batch had started
    await new Promise((resolve) => setImmediate(resolve));
    await own.bg.settle();
    assert.equal(own.bytesRead, batchBlocks(BLOCK) * BLOCK);
    await own.have(0, own.total); // the session then hashes the rest
    assert.equal(own.bytesRead, size);
  });
});
