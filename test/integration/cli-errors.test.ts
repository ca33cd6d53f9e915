/**
 * Bad input through the real CLI: each case gets one clear line on stderr, its documented exit
 * code, and leaves the files as they were.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BIN, childEnv, lastJson, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';

describe('CLI: bad input', () => {
  const t = tmpDir();
  const src = t.file('src.img');
  const dst = t.file('dst.img');
  before(() => {
    fs.writeFileSync(src, Buffer.alloc(100_000, 7));
    fs.writeFileSync(dst, Buffer.alloc(50_000, 1));
  });
  after(() => t.remove());

  const oneLine = (stderr: string, re: RegExp): void => {
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got: ${stderr}`);
    assert.match(lines[0] ?? '', re);
  };

  it('missing source: exit 3', () => {
    const r = runCli([t.file('nope'), dst]);
    assert.equal(r.status, 3);
    oneLine(r.stderr, /^bigsync: source not found: .*nope$/);
    assert.equal(fs.statSync(dst).size, 50_000);
  });

  it('unreadable source: exit 3', () => {
    const locked = t.file('locked.img');
    fs.writeFileSync(locked, 'secret');
    fs.chmodSync(locked, 0o000);
    fs.chmodSync(t.dir, 0o777);
    const out = t.file('out-by-nobody.img');
    // root reads anything, so run as an unprivileged user when we are root
    const asNobody = process.getuid?.() === 0;
    const r = asNobody
      ? spawnSync(
          'setpriv',
          ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, locked, out],
          {
            env: childEnv(),
            encoding: 'utf8',
          },
        )
      : spawnSync(process.execPath, [BIN, locked, out], { env: childEnv(), encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    oneLine(r.stderr, /source not readable \(permission denied\)/);
    assert.equal(fs.existsSync(out), false);
  });

  it('source is a directory: exit 3', () => {
    const r = runCli([t.dir, dst]);
    assert.equal(r.status, 3);
    oneLine(r.stderr, /source is a directory/);
  });

  it('target is a directory: exit 4', () => {
    const r = runCli([src, t.dir]);
    assert.equal(r.status, 4);
    oneLine(r.stderr, /target is a directory/);
  });

  it('source and target are the same file (also via a hard link): exit 4', () => {
    const link = t.file('link.img');
    fs.linkSync(src, link);
    for (const other of [src, link]) {
      const r = runCli([src, other]);
      assert.equal(r.status, 4);
      oneLine(r.stderr, /source and target are the same file/);
    }
    assert.ok(fs.readFileSync(src).equals(Buffer.alloc(100_000, 7)));
  });

  it('target folder missing: exit 4', () => {
    const r = runCli([src, t.file('no/such/dir/x.img')]);
    assert.equal(r.status, 4);
    oneLine(r.stderr, /target's folder does not exist/);
  });

  it('invalid block size: exit 2', () => {
    for (const bs of ['1K', '128M', 'abc', '5000']) {
      const r = runCli(['-b', bs, src, dst]);
      assert.equal(r.status, 2, bs);
      oneLine(r.stderr, /invalid block size/);
    }
    assert.equal(fs.statSync(dst).size, 50_000);
  });

  it('invalid options and operands: exit 2', () => {
    for (const args of [
      ['--bogus', src, dst],
      [src],
      [src, dst, dst],
      ['-j', '0', src, dst],
      ['-j', 'x', src, dst],
    ]) {
      const r = runCli(args);
      assert.equal(r.status, 2, args.join(' '));
      oneLine(r.stderr, /^bigsync: /);
    }
  });

  it('--json reports an error as an object too', () => {
    const r = runCli(['--json', t.file('nope'), dst]);
    assert.equal(r.status, 3);
    const o = lastJson(r);
    assert.equal(o['type'], 'error');
    assert.equal(o['code'], 'SOURCE_NOT_FOUND');
    assert.equal(o['exitCode'], 3);
  });

  it('--help and --version', () => {
    const h = runCli(['--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /Usage: bigsync/);
    assert.match(h.stdout, /Examples:/);
    const v = runCli(['--version']);
    assert.equal(v.status, 0);
    assert.match(v.stdout, /^bigsync \d+\.\d+\.\d+ \(node v\d+.*native: /);
    const off = runCli(['--version'], { BIGSYNC_NO_NATIVE: '1' });
    assert.match(off.stdout, /native: off/);
  });
});
