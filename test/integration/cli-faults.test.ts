/**
 * Faults through the real CLI on GiB-scale seeded files: Ctrl-C (SIGINT), kill -9, the source
 * changing mid-sync, and a full disk. Each stops with its exit code and a clear line, and a rerun
 * converges to a byte-identical target.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { finished, lastJson, runCli, startCli } from '../helpers/run-cli.js';
import { sameBytes, writeSeededFile } from '../helpers/seeded-file.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;

/** Starts a sync and calls `act` once it has started (its first JSON event) plus `delayMs`. */
async function syncWith(src: string, dst: string, delayMs: number, act: (pid: number) => void) {
  const child = startCli(['--json', '-j', '2', src, dst]);
  let fired = false;
  child.stdout?.on('data', () => {
    if (fired) return;
    fired = true;
    setTimeout(() => act(child.pid as number), delayMs);
  });
  return finished(child);
}

describe('CLI faults on a 1 GiB file', () => {
  const t = tmpDir();
  const src = t.file('src.img');
  const dst = t.file('dst.img');
  before(() => writeSeededFile(src, SIZE, 'faults-src'));
  after(() => t.remove());

  it('SIGINT stops cleanly with exit 130, and a rerun converges', async () => {
    writeSeededFile(dst, SIZE, 'faults-old-1');
    const r = await syncWith(src, dst, 60, (pid) => process.kill(pid, 'SIGINT'));
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /^bigsync: interrupted \(\d+ of \d+ bytes done\); rerun to continue\n$/);
    assert.equal(lastJson(r)['code'], 'INTERRUPTED');
    const again = runCli(['--json', src, dst]);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(sameBytes(src, dst));
    assert.ok((lastJson(again)['bytesWritten'] as number) < SIZE, 'the rerun rewrote everything');
  });

  it('kill -9 mid-sync, then a rerun converges to a byte-identical target', async () => {
    writeSeededFile(dst, SIZE, 'faults-old-2');
    const r = await syncWith(src, dst, 150, (pid) => process.kill(pid, 'SIGKILL'));
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(!sameBytes(src, dst), 'the killed sync had already finished: the test proves nothing');
    const again = runCli(['--json', src, dst]);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(sameBytes(src, dst));
  });

  it('a source modified during the sync is reported with exit 7, never as success', async () => {
    writeSeededFile(dst, SIZE, 'faults-old-3');
    const r = await syncWith(src, dst, 30, () => fs.appendFileSync(src, 'x'));
    assert.equal(r.status, 7, r.stderr);
    assert.match(
      r.stderr,
      /^bigsync: source changed during the sync \(.*size.*\): .*src\.img; the target may be inconsistent, rerun\n$/,
    );
    const again = runCli([src, dst]);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(sameBytes(src, dst));
  });
});

const canMount = process.getuid?.() === 0;

describe(
  'CLI: full disk under the target',
  { skip: canMount ? false : 'needs root to mount a small tmpfs' },
  () => {
    const t = tmpDir();
    const mnt = t.file('small');
    const src = t.file('src.img');
    before(() => {
      fs.mkdirSync(mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'bigsync-test', mnt]);
      writeSeededFile(src, 40 * MiB, 'enospc-src');
    });
    after(() => {
      try {
        execFileSync('umount', [mnt]);
      } finally {
        t.remove();
      }
    });

    it('stops with exit 5 saying how far it got; a rerun after space is freed converges', () => {
      const dst = `${mnt}/dst.img`;
      const r = runCli([src, dst]);
      assert.equal(r.status, 5, r.stderr);
      assert.match(
        r.stderr,
        /^bigsync: .*no space left on device.*\(\d+ of 41943040 bytes done; free some space and rerun to continue\)\n$/,
      );
      execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
      const again = runCli(['--json', src, dst]);
      assert.equal(again.status, 0, again.stderr);
      assert.ok(sameBytes(src, dst));
      assert.ok(
        (lastJson(again)['bytesWritten'] as number) < 40 * MiB,
        'the rerun did not keep the earlier progress',
      );
    });
  },
);
