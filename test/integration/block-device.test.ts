/**
 * Block devices as source and target, on real loop devices (root only). Every device attached
 * here is detached in `after`, also when a test fails.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { lastJson, runCli } from '../helpers/run-cli.js';
import { writeSeededFile } from '../helpers/seeded-file.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;

function canUseLoop(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for losetup';
  try {
    execFileSync('losetup', ['--version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'losetup not available';
  }
}

const skip = canUseLoop();

describe('block devices', { skip }, () => {
  const t = tmpDir();
  const attached: string[] = [];
  const attach = (file: string): string => {
    const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
    attached.push(dev);
    return dev;
  };
  let devA = '';
  let devSmall = '';
  const src = t.file('src.img');

  before(() => {
    writeSeededFile(src, 24 * MiB, 'blockdev-src');
    writeSeededFile(t.file('backing-a'), 32 * MiB, 'blockdev-old');
    writeSeededFile(t.file('backing-small'), 8 * MiB, 'blockdev-small');
    devA = attach(t.file('backing-a'));
    devSmall = attach(t.file('backing-small'));
  });
  after(() => {
    for (const dev of attached) {
      try {
        execFileSync('losetup', ['-d', dev]);
      } catch {
        // already gone
      }
    }
    t.remove();
  });

  for (const native of [true, false]) {
    const env: Record<string, string> = native ? {} : { BIGSYNC_NO_NATIVE: '1' };
    const label = native ? 'native' : 'pure-JS';

    it(`file -> device: only the source's size is written, the device keeps its size (${label})`, () => {
      const r = runCli(['--json', src, devA], env);
      assert.equal(r.status, 0, r.stderr);
      const s = lastJson(r);
      assert.equal(s['size'], 24 * MiB);
      const head = Buffer.alloc(24 * MiB);
      const fd = fs.openSync(devA, 'r');
      fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      assert.ok(head.equals(fs.readFileSync(src)));
      const again = runCli(['--json', src, devA], env);
      assert.equal(lastJson(again)['changedBlocks'], 0);
    });

    it(`device -> file: the size is read from the device (${label})`, () => {
      const out = t.file(`from-dev-${label}.img`);
      const r = runCli(['--json', devA, out], env);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(lastJson(r)['size'], 32 * MiB);
      assert.equal(fs.statSync(out).size, 32 * MiB);
      assert.ok(fs.readFileSync(devA).equals(fs.readFileSync(out)));
    });
  }

  it('a device smaller than the source is refused with exit 4 and left untouched', () => {
    const before = fs.readFileSync(t.file('backing-small'));
    const r = runCli([src, devSmall]);
    assert.equal(r.status, 4);
    assert.match(r.stderr, /^bigsync: target device .* holds 8388608 bytes, source needs 25165824\n$/);
    assert.ok(fs.readFileSync(t.file('backing-small')).equals(before));
  });
});
