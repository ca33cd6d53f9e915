import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BigsyncError } from '../../../src/errors.js';
import { deviceSize, splitDevice } from '../../../src/io/device-size.js';
import { punchHole } from '../../../src/io/hole-punch.js';
import { nativeOps, nativeStatus, type NativeOps } from '../../../src/io/native.js';

const MiB = 1024 * 1024;
const ops = nativeOps();

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-devsize-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** glibc's makedev, the inverse of splitDevice. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & 0xfffff000n) << 32n) | (mi & 0xffn) | ((mi & 0xffffff00n) << 12n);
}

function withOpen<T>(p: string, flags: string, fn: (fd: number, st: fs.Stats) => T): T {
  const fd = fs.openSync(p, flags);
  try {
    return fn(fd, fs.fstatSync(fd));
  } finally {
    fs.closeSync(fd);
  }
}

const failingOps: NativeOps = {
  seekData: () => assert.fail('unexpected'),
  seekHole: () => assert.fail('unexpected'),
  punchHole: () => assert.fail('unexpected'),
  blkGetSize64: () => {
    throw Object.assign(new Error('ENOTTY: simulated, ioctl'), {
      code: 'ENOTTY',
      errno: -25,
      syscall: 'ioctl',
    });
  },
  fadvise: () => assert.fail('unexpected'),
};

describe('splitDevice', () => {
  test('inverts glibc makedev, small and large numbers', () => {
    for (const [major, minor] of [
      [0, 0],
      [8, 1],
      [7, 255],
      [259, 65_536],
      [4095, 1 << 20],
      [4096 + 5, 300],
      [0xfffff, 0xfffff],
    ] as const) {
      assert.deepEqual(splitDevice(makedev(major, minor)), { major, minor });
      assert.deepEqual(splitDevice(Number(makedev(major, minor))), { major, minor }, 'as a number');
    }
    assert.deepEqual(splitDevice(0x801), { major: 8, minor: 1 });
  });

  test(
    'agrees with sysfs for a real block device',
    { skip: fs.existsSync('/dev/loop0') ? false : 'no /dev/loop0' },
    () => {
      const { major, minor } = splitDevice(fs.statSync('/dev/loop0').rdev);
      assert.deepEqual({ major, minor }, { major: 7, minor: 0 });
    },
  );
});

describe('deviceSize of files and other things', () => {
  test('a regular file is its stat.size, with and without the addon', () => {
    const p = path.join(dir, 'regular');
    fs.writeFileSync(p, Buffer.alloc(12_345));
    for (const o of [ops, null, failingOps]) {
      assert.equal(
        withOpen(p, 'r', (fd, st) => deviceSize(fd, st, o)),
        12_345,
      );
    }
  });

  test('a character device or directory is an IO_ERROR', () => {
    for (const o of [ops, null]) {
      assert.throws(
        () => withOpen('/dev/null', 'r', (fd, st) => deviceSize(fd, st, o)),
        (e: unknown) => e instanceof BigsyncError && e.code === 'IO_ERROR',
      );
      assert.throws(
        () => withOpen(dir, 'r', (fd, st) => deviceSize(fd, st, o)),
        (e: unknown) => e instanceof BigsyncError && e.code === 'IO_ERROR',
      );
    }
  });
});

/** Why the loop-device test cannot run here, or false when it can. */
function loopSkipReason(): string | false {
  if (process.platform !== 'linux') return 'loop devices need Linux';
  if (process.getuid?.() !== 0) return 'loop device test needs root (losetup)';
  const probe = spawnSync('losetup', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'losetup is not available';
  return false;
}

describe('deviceSize of a block device (loop device over a 32 MiB file)', { skip: loopSkipReason() }, () => {
  let loop = '';
  let setupFailure = '';

  before(() => {
    const backing = path.join(dir, 'loop-backing');
    fs.writeFileSync(backing, Buffer.alloc(0));
    fs.truncateSync(backing, 32 * MiB);
    const res = spawnSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' });
    if (res.status === 0 && res.stdout.trim().startsWith('/dev/')) loop = res.stdout.trim();
    else setupFailure = `losetup -f --show failed: ${(res.stderr || String(res.error)).trim()}`;
  });

  after(() => {
    if (loop === '') return;
    const res = spawnSync('losetup', ['-d', loop], { encoding: 'utf8' });
    assert.equal(res.status, 0, `losetup -d ${loop}: ${res.stderr}`);
  });

  test('native BLKGETSIZE64 and the sysfs fallback both say 32 MiB', (t) => {
    if (loop === '') return t.skip(setupFailure);
    withOpen(loop, 'r', (fd, st) => {
      assert.ok(st.isBlockDevice());
      assert.equal(st.size, 0);
      if (ops !== null) assert.equal(deviceSize(fd, st, ops), 32 * MiB);
      else t.diagnostic(`native path not tested: ${nativeStatus().reason}`);
      assert.equal(deviceSize(fd, st, null), 32 * MiB);
      assert.equal(deviceSize(fd, st, failingOps), 32 * MiB);
      assert.equal(deviceSize(fd, st), 32 * MiB);
    });
  });

  test('a block device is never hole-punched', (t) => {
    if (loop === '') return t.skip(setupFailure);
    withOpen(loop, 'r+', (fd) => {
      assert.equal(punchHole(fd, 0, MiB, ops), false);
    });
  });
});
