import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adviseDontNeed, adviseSequential, adviseWillNeed } from '../../../src/io/fadvise.js';
import { PIPE_CAPACITY, widenPipe } from '../../../src/io/pipe-size.js';
import { pageTags } from '../../../src/io/gmac-pages.js';
import { pageHashes } from '../../../src/core/block-hash.js';
import { fastPaths, nativeOps, nativeStatus, type NativeOps } from '../../../src/io/native.js';

const ops = nativeOps();
/** Tests of the addon itself skip when it is not built, unless BIGSYNC_REQUIRE_NATIVE=1. */
const skipNative =
  ops === null && process.env['BIGSYNC_REQUIRE_NATIVE'] !== '1'
    ? `native addon unavailable (${nativeStatus().reason}); run npm run install`
    : false;
const BAD_FD = 1_000_000;
const nativeUrl = new URL('../../../src/io/native.js', import.meta.url).href;

/** Imports io/native.js in a fresh `node` with `env`, returning what it reports. */
function childStatus(env: Record<string, string>): { ops: boolean; status: unknown; paths: unknown } {
  const script = `const m = await import(${JSON.stringify(nativeUrl)});
    console.log(JSON.stringify({ ops: m.nativeOps() !== null, status: m.nativeStatus(), paths: m.fastPaths() }));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, BIGSYNC_NO_NATIVE: '', BIGSYNC_NATIVE_PATH: '', ...env },
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as { ops: boolean; status: unknown; paths: unknown };
}

/** Asserts that `fn` throws a Node-style system error with this errno name. */
function throwsErrno(fn: () => unknown, code: string, syscall: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error);
    const e = err as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
    assert.equal(e.code, code);
    assert.equal(e.syscall, syscall);
    assert.equal(e.errno, -os.constants.errno[code as keyof typeof os.constants.errno]);
    assert.match(e.message, new RegExp(`^${code}: .*, ${syscall}$`));
    return true;
  });
}

describe('native addon loading', () => {
  test('loads the built addon and names its fast paths', { skip: skipNative }, () => {
    const status = nativeStatus();
    assert.equal(status.loaded, true);
    assert.match(status.reason, /bigsync_native\.node/);
    assert.deepEqual(fastPaths(), [
      'seek-data',
      'punch-hole',
      'blkgetsize64',
      'fadvise',
      'pread-compare',
      'weak-sums',
      'threaded-compare',
      'threaded-data-map',
      'threaded-punch',
      'pipe-size',
      'gmac-pages',
      'threaded-hash',
    ]);
  });

  test('BIGSYNC_NO_NATIVE=1 disables it', () => {
    const r = childStatus({ BIGSYNC_NO_NATIVE: '1' });
    assert.equal(r.ops, false);
    assert.deepEqual(r.status, { loaded: false, reason: 'disabled by BIGSYNC_NO_NATIVE=1' });
    assert.deepEqual(r.paths, []);
  });

  test('BIGSYNC_NATIVE_PATH to a missing file falls back with a reason', () => {
    const r = childStatus({ BIGSYNC_NATIVE_PATH: '/nonexistent/bigsync_native.node' });
    assert.equal(r.ops, false);
    assert.deepEqual(r.status, {
      loaded: false,
      reason: 'native addon not built (/nonexistent/bigsync_native.node missing)',
    });
    assert.deepEqual(r.paths, []);
  });

  test('BIGSYNC_NATIVE_PATH to a file that is not an addon falls back with a reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-native-'));
    try {
      const bogus = path.join(dir, 'bogus.node');
      fs.writeFileSync(bogus, 'not an ELF file');
      const r = childStatus({ BIGSYNC_NATIVE_PATH: bogus });
      assert.equal(r.ops, false);
      const status = r.status as { loaded: boolean; reason: string };
      assert.equal(status.loaded, false);
      assert.match(status.reason, /^native addon failed to load: /);
      assert.doesNotMatch(status.reason, /\n/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('BIGSYNC_NATIVE_PATH to the built addon loads it', { skip: skipNative }, () => {
    const file = new URL('../../../../build/Release/bigsync_native.node', import.meta.url).pathname;
    const r = childStatus({ BIGSYNC_NATIVE_PATH: file });
    assert.equal(r.ops, true);
    assert.deepEqual(r.status, { loaded: true, reason: `loaded ${file}`, path: file });
  });
});

describe('native addon calls', { skip: skipNative }, () => {
  const n = ops as NativeOps;
  let dir = '';
  let file = '';
  let fd = -1;
  let rofd = -1;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-native-'));
    file = path.join(dir, 'dense');
    fs.writeFileSync(file, Buffer.alloc(10_000, 7));
    fd = fs.openSync(file, 'r+');
    rofd = fs.openSync(file, 'r');
  });
  after(() => {
    if (fd >= 0) fs.closeSync(fd);
    if (rofd >= 0) fs.closeSync(rofd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('seekData / seekHole on a dense file, and ENXIO as -1 at EOF', () => {
    assert.equal(n.seekData(fd, 0), 0);
    assert.equal(n.seekData(fd, 9_999), 9_999);
    assert.equal(n.seekHole(fd, 0), 10_000);
    assert.equal(n.seekData(fd, 10_000), -1);
    assert.equal(n.seekData(fd, 2 ** 40), -1);
    assert.equal(n.seekHole(fd, 10_000), -1);
  });

  test('syscall failures are Errors with errno name, negated errno and syscall', () => {
    throwsErrno(() => n.seekData(BAD_FD, 0), 'EBADF', 'lseek');
    throwsErrno(() => n.seekHole(BAD_FD, 0), 'EBADF', 'lseek');
    throwsErrno(() => n.punchHole(rofd, 0, 4096), 'EBADF', 'fallocate');
    throwsErrno(() => n.blkGetSize64(fd), 'ENOTTY', 'ioctl');
    throwsErrno(() => n.fadvise(BAD_FD, 0, 0, 'sequential'), 'EBADF', 'posix_fadvise');
  });

  test('bad arguments throw TypeError / RangeError before any syscall', () => {
    const bad = (fn: () => unknown, type: ErrorConstructor, code: string) =>
      assert.throws(fn, (e: unknown) => e instanceof type && (e as { code?: unknown }).code === code);
    const loose = n as unknown as Record<string, (...args: unknown[]) => unknown>;
    bad(() => loose['seekData']?.('3', 0), TypeError, 'ERR_INVALID_ARG_TYPE');
    bad(() => loose['seekData']?.(fd), TypeError, 'ERR_MISSING_ARGS');
    bad(() => n.seekData(fd, -1), RangeError, 'ERR_OUT_OF_RANGE');
    bad(() => n.seekData(fd, 1.5), RangeError, 'ERR_OUT_OF_RANGE');
    bad(() => n.seekData(fd, Number.NaN), RangeError, 'ERR_OUT_OF_RANGE');
    bad(() => n.seekData(fd, 2 ** 53 + 2), RangeError, 'ERR_OUT_OF_RANGE');
    bad(() => n.seekData(-1, 0), RangeError, 'ERR_OUT_OF_RANGE');
    bad(() => n.punchHole(fd, 0, 0), RangeError, 'ERR_OUT_OF_RANGE');
    bad(() => n.fadvise(fd, 0, 0, 'bogus' as 'sequential'), TypeError, 'ERR_INVALID_ARG_VALUE');
    bad(() => loose['fadvise']?.(fd, 0, 0, 1), TypeError, 'ERR_INVALID_ARG_VALUE');
  });

  test('fadvise accepts every advice', () => {
    for (const advice of ['sequential', 'dontneed', 'willneed'] as const) n.fadvise(fd, 0, 0, advice);
  });

  test('fadvise helpers: true with the addon, false without it or on failure, never throw', () => {
    assert.equal(adviseSequential(fd, 0, 0), true);
    assert.equal(adviseDontNeed(fd, 0, 4096), true);
    assert.equal(adviseWillNeed(fd, 0, 4096), true);
    assert.equal(adviseSequential(fd, 0, 0, null), false);
    assert.equal(adviseDontNeed(fd, 0, 0, null), false);
    assert.equal(adviseWillNeed(fd, 0, 0, null), false);
    assert.equal(adviseSequential(BAD_FD, 0, 0), false);
    assert.equal(adviseDontNeed(fd, -1, 0), false);
  });

  test('setPipeSize widens a pipe (a FIFO here) and refuses what is not one', () => {
    const fifo = path.join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const pfd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    try {
      assert.ok(n.setPipeSize !== undefined);
      assert.equal(n.setPipeSize(pfd, 256 * 1024), 256 * 1024);
      assert.equal(widenPipe(pfd), PIPE_CAPACITY);
      // the pipe really holds that much now: a 1 MiB write into the empty FIFO does not block
      assert.equal(fs.writeSync(pfd, Buffer.alloc(PIPE_CAPACITY, 1)), PIPE_CAPACITY);
      throwsErrno(() => n.setPipeSize?.(fd, 65536), 'EBADF', 'fcntl');
      throwsErrno(() => n.setPipeSize?.(BAD_FD, 65536), 'EBADF', 'fcntl');
      assert.throws(() => n.setPipeSize?.(pfd, 0), RangeError);
    } finally {
      fs.closeSync(pfd);
    }
  });

  test('widenPipe: null for a regular file, without the addon, or with an addon lacking the op', () => {
    assert.equal(widenPipe(fd), null);
    assert.equal(widenPipe(fd, PIPE_CAPACITY, null), null);
    const older: NativeOps = { ...n, setPipeSize: undefined };
    assert.equal(widenPipe(0, PIPE_CAPACITY, older), null);
  });

  test('gmacPages gives the GMAC tags of node:crypto for every page, short last page included', () => {
    assert.ok(n.gmacPages !== undefined, 'Node carries OpenSSL here');
    for (const len of [0, 1, 4095, 4096, 4097, 128 * 1024, 128 * 1024 - 100]) {
      const key = randomBytes(16);
      const data = randomBytes(len);
      const want = Buffer.concat(pageHashes(key, data, 4096));
      assert.ok(pageTags(key, data, 4096).equals(want), `length ${len}`);
      assert.ok(pageTags(key, data, 4096, null).equals(want), `length ${len}, JS`);
    }
    const out = new Uint8Array(16);
    assert.throws(() => n.gmacPages?.(randomBytes(15), Buffer.alloc(10), 4096, out), RangeError);
    assert.throws(() => n.gmacPages?.(randomBytes(16), Buffer.alloc(4097), 4096, out), RangeError);
    assert.throws(() => n.gmacPages?.(randomBytes(16), Buffer.alloc(10), 0, out), RangeError);
  });
});
