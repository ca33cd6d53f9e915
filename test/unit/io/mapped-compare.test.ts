import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { BigsyncError, type ErrorCode } from '../../../src/errors.js';
import { compareMappedPieces } from '../../../src/io/mapped-compare.js';
import { nativeOps, nativeStatus, type NativeOps } from '../../../src/io/native.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const ops = nativeOps();
/** Tests of the mapped path skip when it is unavailable, unless BIGSYNC_REQUIRE_NATIVE=1. */
const skipNative =
  ops?.compareMapped === undefined && process.env['BIGSYNC_REQUIRE_NATIVE'] !== '1'
    ? `mapped compare unavailable (${nativeStatus().reason}); run npm run install`
    : false;
const PAGE = 4096;
const mappedCompareUrl = new URL('../../../src/io/mapped-compare.js', import.meta.url).href;

/** mulberry32: a tiny seeded PRNG, so every failure replays from the seed in its message. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

/** The reference: which pieces of `a[offset, offset + length)` differ from `b`'s, one by one. */
function naive(a: Buffer, b: Buffer, offset: number, length: number, pieceSize: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / pieceSize));
  for (let i = 0; i < out.length; i++) {
    const start = offset + i * pieceSize;
    const end = Math.min(start + pieceSize, offset + length);
    out[i] = a.subarray(start, end).equals(b.subarray(start, end)) ? 0 : 1;
  }
  return out;
}

function isBigsync(code: ErrorCode, check: (e: BigsyncError) => void = () => {}) {
  return (e: unknown) => {
    assert.ok(e instanceof BigsyncError, String(e));
    assert.equal(e.code, code, e.message);
    check(e);
    return true;
  };
}

function sysError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated, mmap`), { code, errno: -1, syscall: 'mmap' });
}

/** Required ops that must not be called, plus the given compareMapped (or none). */
function fakeOps(compareMapped?: NativeOps['compareMapped']): NativeOps {
  const unexpected = (): never => assert.fail('unexpected op');
  const base: NativeOps = {
    seekData: unexpected,
    seekHole: unexpected,
    punchHole: unexpected,
    blkGetSize64: unexpected,
    fadvise: unexpected,
  };
  return compareMapped === undefined ? base : { ...base, compareMapped };
}

describe('compareMappedPieces on real files', { skip: skipNative }, () => {
  const tmp = tmpDir('bigsync-mapcmp-');
  after(() => tmp.remove());

  /** Writes `a` and `b` and runs `fn` with both open for reading. */
  function withFiles<T>(a: Buffer, b: Buffer, fn: (fdA: number, fdB: number) => T): T {
    fs.writeFileSync(tmp.file('a'), a);
    fs.writeFileSync(tmp.file('b'), b);
    const fdA = fs.openSync(tmp.file('a'), 'r');
    const fdB = fs.openSync(tmp.file('b'), 'r');
    try {
      return fn(fdA, fdB);
    } finally {
      fs.closeSync(fdA);
      fs.closeSync(fdB);
    }
  }

  test('matches a naive comparison: random files, random differing pieces, short last pieces', () => {
    const cases = [
      { size: 1 << 20, pieceSize: 65536 },
      { size: (1 << 20) + 12345, pieceSize: 65536 },
      { size: 3 * 65536 + 1, pieceSize: 65536 },
      { size: 200_001, pieceSize: 4096 },
      { size: 100_000, pieceSize: 1000 },
      { size: 70_000, pieceSize: 7 },
      { size: 5000, pieceSize: 1 << 20 },
      { size: 1, pieceSize: 65536 },
    ];
    for (const [k, c] of cases.entries()) {
      for (const seed of [k * 100 + 1, k * 100 + 2, k * 100 + 3]) {
        const r = rng(seed);
        const a = Buffer.alloc(c.size);
        for (let i = 0; i < a.length; i++) a[i] = r(256);
        const b = Buffer.from(a);
        // Flip bytes in about a third of the pieces: first, last or any byte of the piece.
        for (let p = 0; p * c.pieceSize < c.size; p++) {
          if (r(3) !== 0) continue;
          const start = p * c.pieceSize;
          const len = Math.min(c.pieceSize, c.size - start);
          const at = [start, start + len - 1, start + r(len)][r(3)] as number;
          b[at] = (b[at] as number) ^ (1 + r(255));
        }
        withFiles(a, b, (fdA, fdB) => {
          const offsets = [0, PAGE, 3 * PAGE, 17, PAGE + 1].filter((o) => o < c.size);
          for (const offset of offsets) {
            const length = c.size - offset - r(Math.min(c.pieceSize, c.size - offset));
            const want = naive(a, b, offset, length, c.pieceSize);
            const out = new Uint8Array(want.length + 2).fill(9);
            const n = compareMappedPieces(fdA, fdB, offset, length, c.pieceSize, out);
            const msg = `seed ${seed} size ${c.size} piece ${c.pieceSize} offset ${offset} length ${length}`;
            assert.deepEqual(out.subarray(0, want.length), want, msg);
            assert.deepEqual([...out.subarray(want.length)], [9, 9], `${msg}: wrote past the pieces`);
            assert.equal(
              n,
              want.reduce((s, d) => s + d, 0),
              msg,
            );
          }
        });
      }
    }
  });

  test('identical files: no differing piece; length 0: nothing compared', () => {
    const data = Buffer.alloc(300_000, 0xab);
    withFiles(data, data, (fdA, fdB) => {
      const out = new Uint8Array(5).fill(9);
      assert.equal(compareMappedPieces(fdA, fdB, 0, data.length, 65536, out), 0);
      assert.deepEqual([...out], [0, 0, 0, 0, 0]);
      const none = new Uint8Array(0);
      assert.equal(compareMappedPieces(fdA, fdB, PAGE, 0, 65536, none), 0);
    });
  });

  test('a file truncated before the call throws SOURCE_CHANGED naming it, not a SIGBUS', () => {
    const data = Buffer.alloc(1 << 20, 1);
    withFiles(data, data, (fdA, fdB) => {
      const out = new Uint8Array(16);
      fs.truncateSync(tmp.file('b'), 100_000); // the caller contract is broken on purpose
      const named = (fd: number) => (e: BigsyncError) => assert.equal(e.details['fd'], fd);
      assert.throws(
        () => compareMappedPieces(fdA, fdB, 0, data.length, 65536, out),
        isBigsync('SOURCE_CHANGED', named(fdB)),
      );
      fs.truncateSync(tmp.file('a'), 0);
      assert.throws(
        () => compareMappedPieces(fdA, fdB, PAGE, 8 * PAGE, 65536, out),
        isBigsync('SOURCE_CHANGED', named(fdA)),
      );
      // Still armed afterwards, and the part before the new end still compares.
      assert.equal(compareMappedPieces(fdB, fdB, 0, 100_000, 65536, out), 0);
    });
  });

  test('a truncation inside the last page (zeros, no SIGBUS) is caught too', () => {
    const data = Buffer.alloc(4 * PAGE, 1);
    withFiles(data, data, (fdA, fdB) => {
      fs.truncateSync(tmp.file('b'), 3 * PAGE + 100);
      const out = new Uint8Array(4);
      assert.throws(() => compareMappedPieces(fdA, fdB, 0, 4 * PAGE, PAGE, out), isBigsync('SOURCE_CHANGED'));
    });
  });

  test('a truncation seen in a worker thread is caught there too', async () => {
    const data = Buffer.alloc(1 << 20, 1);
    fs.writeFileSync(tmp.file('w'), data);
    fs.writeFileSync(tmp.file('wt'), data);
    fs.truncateSync(tmp.file('wt'), PAGE);
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      const fs = require('node:fs');
      import(workerData.url).then(({ compareMappedPieces }) => {
        const a = fs.openSync(workerData.a, 'r'), b = fs.openSync(workerData.b, 'r');
        try { compareMappedPieces(a, b, 0, workerData.length, 65536, new Uint8Array(16)); parentPort.postMessage('returned'); }
        catch (e) { parentPort.postMessage(e.code); }
      });`;
    const worker = new Worker(script, {
      eval: true,
      workerData: { url: mappedCompareUrl, a: tmp.file('w'), b: tmp.file('wt'), length: data.length },
    });
    const [message] = (await Promise.race([
      new Promise((resolve) => worker.once('message', (m) => resolve([m]))),
      new Promise((_, reject) => worker.once('error', reject)),
    ])) as [unknown];
    await worker.terminate();
    assert.equal(message, 'SOURCE_CHANGED');
  });

  test('a SIGBUS that is not ours still kills the process as before', () => {
    const script = `const { compareMappedPieces } = await import(${JSON.stringify(mappedCompareUrl)});
      const fs = await import('node:fs');
      const fd = fs.openSync(${JSON.stringify(process.execPath)}, 'r');
      console.log(compareMappedPieces(fd, fd, 0, 4096, 4096, new Uint8Array(1)));
      process.kill(process.pid, 'SIGBUS');
      setTimeout(() => console.log('survived'), 500);`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(res.stdout, '0\n', res.stderr);
    assert.equal(res.signal, 'SIGBUS');
  });

  test('a file that cannot be mapped gives null; a bad fd gives IO_ERROR', () => {
    const devNull = fs.openSync('/dev/null', 'r');
    const fd = fs.openSync(process.execPath, 'r');
    try {
      const out = new Uint8Array(1).fill(9);
      assert.equal(compareMappedPieces(devNull, fd, 0, PAGE, PAGE, out), null);
      assert.deepEqual([...out], [9]);
      assert.throws(() => compareMappedPieces(fd, 1_000_000, 0, PAGE, PAGE, out), isBigsync('IO_ERROR'));
    } finally {
      fs.closeSync(devNull);
      fs.closeSync(fd);
    }
  });
});

describe('compareMappedPieces fallbacks and errors', () => {
  const out = new Uint8Array(4);

  test('null without the addon, or with an addon that lacks compareMapped', () => {
    assert.equal(compareMappedPieces(3, 4, 0, 4096, 4096, out, null), null);
    assert.equal(compareMappedPieces(3, 4, 0, 4096, 4096, out, fakeOps()), null);
  });

  test('errno names that mean "cannot map here" give null; others throw', () => {
    for (const code of ['ENODEV', 'EINVAL', 'EOPNOTSUPP', 'ENOSYS', 'ENOMEM']) {
      const fake = fakeOps(() => {
        throw sysError(code);
      });
      assert.equal(compareMappedPieces(3, 4, 0, 4096, 4096, out, fake), null, code);
    }
    const eio = fakeOps(() => {
      throw sysError('EIO');
    });
    assert.throws(() => compareMappedPieces(3, 4, 0, 4096, 4096, out, eio), isBigsync('IO_ERROR'));
    const bus = fakeOps(() => {
      throw Object.assign(new Error('file truncated while being compared'), { code: 'ESIGBUS', fd: 4 });
    });
    assert.throws(
      () => compareMappedPieces(3, 4, 0, 4096, 4096, out, bus),
      isBigsync('SOURCE_CHANGED', (e) => {
        assert.equal(e.details['fd'], 4);
        assert.equal((e.cause as { code?: unknown }).code, 'ESIGBUS');
      }),
    );
  });

  test('passes its arguments through and returns the count', () => {
    const seen: unknown[] = [];
    const fake = fakeOps((...args) => {
      seen.push(...args);
      return 2;
    });
    assert.equal(compareMappedPieces(3, 4, 8192, 10_000, 4096, out, fake), 2);
    assert.deepEqual(seen, [3, 4, 8192, 10_000, 4096, out]);
  });

  test('bad arguments are INTERNAL errors, checked before anything else', () => {
    const bad = (offset: number, length: number, pieceSize: number, o: Uint8Array = out) =>
      assert.throws(
        () => compareMappedPieces(3, 4, offset, length, pieceSize, o, null),
        isBigsync('INTERNAL'),
      );
    bad(-1, 10, 1);
    bad(0, 1.5, 1);
    bad(2 ** 53, 1, 1);
    bad(0, 10, 0);
    bad(0, 10, Number.NaN);
    bad(0, 5 * 4096, 4096); // out holds 4 pieces, the range has 5
    bad(0, 1, 1, new Uint8Array(0));
  });
});

describe('an older addon without compareMapped', () => {
  test('loads with its other ops; only mmap-compare is missing', () => {
    const tmp = tmpDir('bigsync-mapcmp-old-');
    try {
      // BIGSYNC_NATIVE_PATH goes through require(), so a CommonJS file can stand in for an old build.
      const fake = tmp.file('old-addon.cjs');
      const names = ['seekData', 'seekHole', 'punchHole', 'blkGetSize64', 'fadvise'];
      fs.writeFileSync(fake, names.map((n) => `exports.${n} = () => 0;`).join('\n'));
      const nativeUrl = new URL('../../../src/io/native.js', import.meta.url).href;
      const script = `const m = await import(${JSON.stringify(nativeUrl)});
        const c = await import(${JSON.stringify(mappedCompareUrl)});
        console.log(JSON.stringify({ status: m.nativeStatus(), paths: m.fastPaths(),
          seek: m.nativeOps().seekData(0, 0), mapped: c.compareMappedPieces(0, 0, 0, 1, 1, new Uint8Array(1)) }));`;
      const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, BIGSYNC_NO_NATIVE: '', BIGSYNC_NATIVE_PATH: fake },
        encoding: 'utf8',
      });
      assert.equal(res.status, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), {
        status: { loaded: true, reason: `loaded ${fake} (older build, lacks compareMapped)` },
        paths: ['seek-data', 'punch-hole', 'blkgetsize64', 'fadvise'],
        seek: 0,
        mapped: null,
      });
    } finally {
      tmp.remove();
    }
  });
});

describe('the native op itself', { skip: skipNative }, () => {
  const tmp = tmpDir('bigsync-mapcmp-native-');
  let fd = -1;
  before(() => {
    fs.writeFileSync(tmp.file('f'), Buffer.alloc(2 * PAGE, 3));
    fd = fs.openSync(tmp.file('f'), 'r');
  });
  after(() => {
    fs.closeSync(fd);
    tmp.remove();
  });

  test('checks its arguments: out type and size, piece size, ranges', () => {
    const loose = ops as unknown as { compareMapped: (...args: unknown[]) => number };
    const compare = (...args: unknown[]) => loose.compareMapped(...args);
    const rejects = (args: unknown[], type: ErrorConstructor, code: string) =>
      assert.throws(
        () => compare(...args),
        (e: unknown) => e instanceof type && (e as { code?: unknown }).code === code,
      );
    rejects([fd, fd, 0, PAGE, PAGE, [0]], TypeError, 'ERR_INVALID_ARG_TYPE');
    rejects([fd, fd, 0, PAGE, PAGE, new Uint16Array(1)], TypeError, 'ERR_INVALID_ARG_TYPE');
    rejects([fd, fd, 0, PAGE + 1, PAGE, new Uint8Array(1)], RangeError, 'ERR_OUT_OF_RANGE');
    rejects([fd, fd, 0, PAGE, 0, new Uint8Array(1)], RangeError, 'ERR_OUT_OF_RANGE');
    rejects([fd, fd, 2 ** 53, 1, 1, new Uint8Array(1)], RangeError, 'ERR_OUT_OF_RANGE');
    rejects([fd, fd, 0, PAGE], TypeError, 'ERR_MISSING_ARGS');
    assert.equal(compare(fd, fd, PAGE, PAGE, PAGE, Buffer.alloc(1)), 0); // a Buffer is a Uint8Array
  });

  test('writes through a Uint8Array view at its byte offset', () => {
    const backing = new Uint8Array(8).fill(9);
    assert.equal((ops as NativeOps).compareMapped?.(fd, fd, 0, 2 * PAGE, PAGE, backing.subarray(3, 5)), 0);
    assert.deepEqual([...backing], [9, 9, 9, 0, 0, 9, 9, 9]);
  });
});
