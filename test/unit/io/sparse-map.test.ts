import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clipExtents, extentsTotal, unionExtents, type Extent } from '../../../src/core/extent.js';
import { BigsyncError } from '../../../src/errors.js';
import { nativeOps, nativeStatus, type NativeOps } from '../../../src/io/native.js';
import { dataExtents, dataExtentsAsync, dataExtentsSync } from '../../../src/io/sparse-map.js';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
/** Where the sparse test file holds data: [offset, length]. */
const WRITES: Array<[number, number]> = [
  [1 * MiB, 4096],
  [17 * MiB + 100, 5000],
  [40 * MiB, 2 * MiB],
  [SIZE - 4096, 4096],
];

const ops = nativeOps();
const skipNative = ops === null ? `native addon unavailable (${nativeStatus().reason})` : false;

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-sparse-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file of `size` bytes (sparse where not written) with 0x5a at each write; returns its path. */
function makeSparse(name: string, size: number, writes: Array<[number, number]>): string {
  const p = path.join(dir, name);
  const fd = fs.openSync(p, 'w+');
  try {
    fs.ftruncateSync(fd, size);
    for (const [off, len] of writes) fs.writeSync(fd, Buffer.alloc(len, 0x5a), 0, len, off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return p;
}

function withFd<T>(p: string, fn: (fd: number) => T): T {
  const fd = fs.openSync(p, 'r');
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Asserts sorted, non-overlapping, non-empty extents inside [0, size). */
function assertWellFormed(extents: Extent[], size: number): void {
  let prevEnd = 0;
  for (const e of extents) {
    assert.ok(e.length > 0, `empty extent ${JSON.stringify(e)}`);
    assert.ok(e.offset >= prevEnd, `unsorted or overlapping at ${e.offset}`);
    prevEnd = e.offset + e.length;
  }
  assert.ok(prevEnd <= size, `extent past ${size}`);
}

function covers(extents: Extent[], off: number, len: number): boolean {
  return extents.some((e) => e.offset <= off && off + len <= e.offset + e.length);
}

function throwingOps(code: string): NativeOps {
  const fail = (): never => {
    throw Object.assign(new Error(`${code}: simulated, lseek`), { code, errno: -1, syscall: 'lseek' });
  };
  return { seekData: fail, seekHole: fail, punchHole: fail, blkGetSize64: fail, fadvise: fail };
}

describe('dataExtents with the native addon', { skip: skipNative }, () => {
  test('a 64 MiB sparse file: extents cover every write and holes are reported', () => {
    const p = makeSparse('sparse', SIZE, WRITES);
    const holesSupported = fs.statSync(p).blocks * 512 < SIZE;
    const extents = withFd(p, (fd) => dataExtents(fd, SIZE, ops));
    assertWellFormed(extents, SIZE);
    for (const [off, len] of WRITES) assert.ok(covers(extents, off, len), `write at ${off} not covered`);
    if (!holesSupported) return; // the filesystem stores no holes: the whole file may be data
    assert.ok(extentsTotal(extents) <= 8 * MiB, `too much data: ${extentsTotal(extents)}`);
    assert.ok(!covers(extents, 0, 4096), 'the hole at 0 is reported as data');
    assert.ok(!covers(extents, 30 * MiB, 4096), 'the hole at 30 MiB is reported as data');
  });

  test('`size` clips the map', () => {
    const p = makeSparse('clip', SIZE, WRITES);
    const extents = withFd(p, (fd) => dataExtents(fd, 40 * MiB + 10, ops));
    assertWellFormed(extents, 40 * MiB + 10);
    assert.ok(covers(extents, 40 * MiB, 10));
    assert.ok(!covers(extents, SIZE - 4096, 1));
  });

  test('a dense file is one extent, an empty file none', () => {
    const dense = makeSparse('dense', 3 * MiB, [[0, 3 * MiB]]);
    assert.deepEqual(
      withFd(dense, (fd) => dataExtents(fd, 3 * MiB, ops)),
      [{ offset: 0, length: 3 * MiB }],
    );
    const empty = makeSparse('empty', 0, []);
    assert.deepEqual(
      withFd(empty, (fd) => dataExtents(fd, 0, ops)),
      [],
    );
  });

  test('an all-hole file has no data', () => {
    const p = makeSparse('holes', SIZE, []);
    if (fs.statSync(p).blocks > 0) return; // no hole support here
    assert.deepEqual(
      withFd(p, (fd) => dataExtents(fd, SIZE, ops)),
      [],
    );
  });

  test('a bad fd is an IO_ERROR', () => {
    assert.throws(
      () => dataExtents(1_000_000, SIZE, ops),
      (e: unknown) => e instanceof BigsyncError && e.code === 'IO_ERROR' && /EBADF/.test(e.message),
    );
  });
});

describe('dataExtentsAsync', () => {
  test('the same map as the synchronous walk, off the JS thread', { skip: skipNative }, async () => {
    assert.ok(ops?.dataMapAsync !== undefined, 'the built addon has dataMapAsync');
    const p = makeSparse('async', SIZE, WRITES);
    const fd = fs.openSync(p, 'r');
    try {
      for (const size of [SIZE, 40 * MiB + 10, 17 * MiB + 200, 1, 0]) {
        assert.deepEqual(await dataExtentsAsync(fd, size, ops), dataExtents(fd, size, ops), `size ${size}`);
      }
    } finally {
      fs.closeSync(fd);
    }
  });

  test('an addon without the op: the synchronous walk', async () => {
    const p = makeSparse('async-older', SIZE, WRITES);
    const older = ops === null ? null : { ...ops, dataMapAsync: undefined };
    const fd = fs.openSync(p, 'r');
    try {
      assert.deepEqual(await dataExtentsAsync(fd, SIZE, older), dataExtents(fd, SIZE, older));
      assert.deepEqual(await dataExtentsAsync(fd, SIZE, null), [{ offset: 0, length: SIZE }]);
    } finally {
      fs.closeSync(fd);
    }
  });

  const rejecting = (code: string): NativeOps => ({
    ...throwingOps(code),
    dataMapAsync: () =>
      Promise.reject(
        Object.assign(new Error(`${code}: simulated, lseek`), { code, errno: -1, syscall: 'lseek' }),
      ),
  });

  test('a filesystem refusing with EOPNOTSUPP: the whole range', async () => {
    assert.deepEqual(await dataExtentsAsync(3, 1000, rejecting('EOPNOTSUPP')), [{ offset: 0, length: 1000 }]);
  });

  test('other errors reject with IO_ERROR; a bad fd too', async () => {
    await assert.rejects(
      dataExtentsAsync(3, 1000, rejecting('EIO')),
      (e: unknown) => e instanceof BigsyncError && e.code === 'IO_ERROR',
    );
    if (ops !== null) {
      await assert.rejects(
        dataExtentsAsync(1_000_000, SIZE, ops),
        (e: unknown) => e instanceof BigsyncError && e.code === 'IO_ERROR' && /EBADF/.test(e.message),
      );
    }
  });
});

describe('dataExtents fallback', () => {
  test('dataExtentsSync is dataExtents', () => {
    assert.equal(dataExtentsSync, dataExtents);
  });

  test('without the addon: the whole range, or nothing for size 0', () => {
    const p = makeSparse('fallback', SIZE, WRITES);
    assert.deepEqual(
      withFd(p, (fd) => dataExtents(fd, SIZE, null)),
      [{ offset: 0, length: SIZE }],
    );
    assert.deepEqual(
      withFd(p, (fd) => dataExtents(fd, 0, null)),
      [],
    );
  });

  for (const code of ['EINVAL', 'EOPNOTSUPP', 'ENOSYS']) {
    test(`a filesystem refusing with ${code}: the whole range`, () => {
      assert.deepEqual(dataExtents(3, 1000, throwingOps(code)), [{ offset: 0, length: 1000 }]);
    });
  }

  test('other errors become BigsyncErrors', () => {
    assert.throws(
      () => dataExtents(3, 1000, throwingOps('EIO')),
      (e: unknown) => e instanceof BigsyncError && e.code === 'IO_ERROR',
    );
  });

  test('the seek walk, against a fake filesystem', () => {
    const data = [
      { offset: 10, length: 10 },
      { offset: 30, length: 10 },
    ];
    const eof = 50;
    const fake: NativeOps = {
      ...throwingOps('EIO'),
      seekData: (_fd, off) => {
        if (off >= eof) return -1;
        const e = data.find((x) => off < x.offset + x.length);
        return e ? Math.max(e.offset, off) : -1;
      },
      seekHole: (_fd, off) => {
        if (off >= eof) return -1;
        const e = data.find((x) => off >= x.offset && off < x.offset + x.length);
        return e ? e.offset + e.length : off;
      },
    };
    assert.deepEqual(dataExtents(3, 50, fake), data);
    assert.deepEqual(dataExtents(3, 35, fake), [
      { offset: 10, length: 10 },
      { offset: 30, length: 5 },
    ]);
    assert.deepEqual(dataExtents(3, 10, fake), []);
  });
});

describe('extent helpers', () => {
  const ex = [
    { offset: 0, length: 10 },
    { offset: 20, length: 10 },
    { offset: 100, length: 1 },
  ];
  test('clipExtents keeps absolute offsets and drops what falls outside', () => {
    assert.deepEqual(clipExtents(ex, 5, 25), [
      { offset: 5, length: 5 },
      { offset: 20, length: 5 },
    ]);
    assert.deepEqual(clipExtents(ex, 10, 20), []);
    assert.deepEqual(clipExtents(ex, 0, 1000), ex);
    assert.deepEqual(clipExtents(ex, 50, 40), []);
    assert.deepEqual(clipExtents([], 0, 10), []);
  });
  test('unionExtents merges two lists where they overlap or touch', () => {
    const other = [
      { offset: 5, length: 10 },
      { offset: 30, length: 5 },
      { offset: 101, length: 4 },
    ];
    assert.deepEqual(unionExtents(ex, other), [
      { offset: 0, length: 15 },
      { offset: 20, length: 15 },
      { offset: 100, length: 5 },
    ]);
    assert.deepEqual(unionExtents(ex, []), ex);
    assert.deepEqual(unionExtents([], ex), ex);
    assert.deepEqual(unionExtents([], []), []);
  });
  test('extentsTotal sums lengths', () => {
    assert.equal(extentsTotal(ex), 21);
    assert.equal(extentsTotal([]), 0);
  });
});
