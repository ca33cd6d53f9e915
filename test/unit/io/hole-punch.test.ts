import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { BigsyncError, type ErrorCode } from '../../../src/errors.js';
import { hasThreadedPunch, punchHole, zeroRangesAsync } from '../../../src/io/hole-punch.js';
import { nativeOps, nativeStatus, type NativeOps } from '../../../src/io/native.js';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const DATA_AT = 8 * MiB;
const DATA_LEN = 8 * MiB;
const FILL = 0xab;

const ops = nativeOps();
const skipNative = ops === null ? `native addon unavailable (${nativeStatus().reason})` : false;

let dir = '';
let file = '';
let fd = -1;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-punch-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Each test gets a fresh 64 MiB sparse file with 8 MiB of 0xab at 8 MiB, open read-write. */
beforeEach(() => {
  file = path.join(dir, `f${Date.now()}${Math.random()}`);
  fd = fs.openSync(file, 'w+');
  fs.ftruncateSync(fd, SIZE);
  fs.writeSync(fd, Buffer.alloc(DATA_LEN, FILL), 0, DATA_LEN, DATA_AT);
  fs.fsyncSync(fd);
});
afterEach(() => {
  fs.closeSync(fd);
  fs.rmSync(file, { force: true });
});

function read(offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  assert.equal(fs.readSync(fd, buf, 0, length, offset), length);
  return buf;
}

function assertBytes(offset: number, length: number, value: number): void {
  const buf = read(offset, length);
  const bad = buf.findIndex((b) => b !== value);
  assert.equal(bad, -1, `byte at ${offset + bad} is ${buf[bad]}, expected ${value}`);
}

function sysError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated, fallocate`), { code, errno: -1, syscall: 'fallocate' });
}

function opsThrowing(code: string): NativeOps {
  const fail = (): never => {
    throw sysError(code);
  };
  return { seekData: fail, seekHole: fail, punchHole: fail, blkGetSize64: fail, fadvise: fail };
}

function isBigsync(code: ErrorCode) {
  return (e: unknown) => e instanceof BigsyncError && e.code === code;
}

describe('punchHole with the native addon', { skip: skipNative }, () => {
  test('an aligned punch frees blocks and reads as zeros; neighbours keep their data', () => {
    const blocksBefore = fs.statSync(file).blocks;
    assert.equal(punchHole(fd, DATA_AT + MiB, 2 * MiB, ops), true);
    fs.fsyncSync(fd);
    const blocksAfter = fs.statSync(file).blocks;
    assert.ok(blocksAfter < blocksBefore, `blocks ${blocksBefore} -> ${blocksAfter}`);
    assert.ok(blocksBefore - blocksAfter >= (2 * MiB) / 512 - 8, 'about 2 MiB freed');
    assert.equal(fs.statSync(file).size, SIZE, 'size kept');
    assertBytes(DATA_AT + MiB, 2 * MiB, 0);
    assertBytes(DATA_AT, MiB, FILL);
    assertBytes(DATA_AT + 3 * MiB, MiB, FILL);
  });

  test('an unaligned punch zeroes exactly its range', () => {
    const off = DATA_AT + 2 * MiB + 100;
    const len = 10_000;
    assert.equal(punchHole(fd, off, len, ops), true);
    assertBytes(off, len, 0);
    assertBytes(off - 4096, 4096, FILL);
    assertBytes(off + len, 4096, FILL);
  });

  test('punching past the end keeps the size', () => {
    assert.equal(punchHole(fd, SIZE - 4096, 8 * MiB, ops), true);
    assert.equal(fs.statSync(file).size, SIZE);
  });

  test('not a regular file: false, the caller writes zeros', () => {
    const nul = fs.openSync('/dev/null', 'r+');
    try {
      assert.equal(punchHole(nul, 0, 4096, ops), false);
    } finally {
      fs.closeSync(nul);
    }
  });

  test('a read-only fd is an IO_ERROR', () => {
    const ro = fs.openSync(file, 'r');
    try {
      assert.throws(() => punchHole(ro, DATA_AT, 4096, ops), isBigsync('IO_ERROR'));
    } finally {
      fs.closeSync(ro);
    }
    assertBytes(DATA_AT, 4096, FILL);
  });
});

describe('punchHole fallback', () => {
  test('without the addon: false and the file is unchanged', () => {
    assert.equal(punchHole(fd, DATA_AT, MiB, null), false);
    assertBytes(DATA_AT, MiB, FILL);
  });

  for (const code of ['EOPNOTSUPP', 'ENOSYS', 'EINVAL']) {
    test(`a filesystem refusing with ${code}: false`, () => {
      assert.equal(punchHole(fd, DATA_AT, MiB, opsThrowing(code)), false);
    });
  }

  test('ENOSPC is NO_SPACE, EIO is IO_ERROR', () => {
    assert.throws(() => punchHole(fd, DATA_AT, MiB, opsThrowing('ENOSPC')), isBigsync('NO_SPACE'));
    assert.throws(() => punchHole(fd, DATA_AT, MiB, opsThrowing('EIO')), isBigsync('IO_ERROR'));
  });

  test('length 0 is a no-op success; a bad range is INTERNAL', () => {
    assert.equal(punchHole(fd, DATA_AT, 0, opsThrowing('EIO')), true);
    for (const [off, len] of [
      [-1, 10],
      [0, -1],
      [0.5, 10],
      [2 ** 53, 1],
      [Number.NaN, 1],
    ] as const) {
      assert.throws(() => punchHole(fd, off, len, ops), isBigsync('INTERNAL'), `${off}+${len}`);
    }
  });
});

describe('zeroRangesAsync', () => {
  test(
    'punches every range off the JS thread and checks they read as zeros',
    { skip: skipNative },
    async () => {
      assert.equal(hasThreadedPunch(ops), true);
      const blocksBefore = fs.fstatSync(fd).blocks;
      const ranges = [
        { offset: DATA_AT, length: MiB },
        { offset: DATA_AT + 2 * MiB + 100, length: 5000 },
        { offset: DATA_AT + DATA_LEN - 4096, length: 4096 },
      ];
      await zeroRangesAsync(fd, ranges, ops);
      for (const r of ranges) assertBytes(r.offset, r.length, 0);
      assertBytes(DATA_AT + MiB, MiB, FILL);
      assertBytes(DATA_AT + 2 * MiB + 5100, 4096, FILL);
      assert.ok(fs.fstatSync(fd).blocks < blocksBefore, 'no blocks were freed');
    },
  );

  test('a read-only fd rejects with IO_ERROR', { skip: skipNative }, async () => {
    const ro = fs.openSync(file, 'r');
    try {
      await assert.rejects(
        zeroRangesAsync(ro, [{ offset: DATA_AT, length: 4096 }], ops) as Promise<void>,
        (e: unknown) => e instanceof BigsyncError && e.code === 'IO_ERROR' && /EBADF/.test(e.message),
      );
    } finally {
      fs.closeSync(ro);
    }
    assertBytes(DATA_AT, 4096, FILL);
  });

  test('a filesystem that cannot punch gets zeros written, then checked', async () => {
    const refusing: NativeOps = {
      ...(ops ?? fakeOps()),
      punchHole: () => {
        throw Object.assign(new Error('EOPNOTSUPP: simulated, fallocate'), { code: 'EOPNOTSUPP' });
      },
      punchRangesAsync: () =>
        Promise.reject(Object.assign(new Error('EOPNOTSUPP: simulated, fallocate'), { code: 'EOPNOTSUPP' })),
    };
    await zeroRangesAsync(fd, [{ offset: DATA_AT + 4096, length: 3 * 4096 }], refusing);
    assertBytes(DATA_AT + 4096, 3 * 4096, 0);
    assertBytes(DATA_AT, 4096, FILL);
  });

  test('a range that does not read back as zeros is VERIFY_FAILED', async () => {
    const lying: NativeOps = {
      ...(ops ?? fakeOps()),
      punchRangesAsync: () => Promise.resolve(DATA_AT + 8192),
    };
    await assert.rejects(
      zeroRangesAsync(fd, [{ offset: DATA_AT, length: MiB }], lying) as Promise<void>,
      (e: unknown) => e instanceof BigsyncError && e.code === 'VERIFY_FAILED' && /8396800/.test(e.message),
    );
  });

  test('without the op: null, the caller zeroes the ranges itself', () => {
    assert.equal(zeroRangesAsync(fd, [{ offset: 0, length: 1 }], null), null);
    assert.equal(hasThreadedPunch(null), false);
  });
});

/** Ops whose every call fails (for tests that replace the one they use). */
function fakeOps(): NativeOps {
  const fail = (): never => {
    throw Object.assign(new Error('EIO: simulated'), { code: 'EIO' });
  };
  return { seekData: fail, seekHole: fail, punchHole: fail, blkGetSize64: fail, fadvise: fail };
}
