import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { isBigsyncError } from '../../../src/errors.js';
import {
  checkBootstrapParams,
  classifySessionExit,
  READY_LINE,
  sessionCommand,
  sshFailure,
  uploadCommand,
  type BootstrapParams,
} from '../../../src/transport/remote-bootstrap.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const tmp = tmpDir('bigsync-bootstrap-');
after(() => tmp.remove());
const HASH = '0123456789abcdef';
let n = 0;

/** A fresh dir for PATH holding `sh` plus the given executables (name -> script text or symlink target). */
function binDir(tools: Record<string, string>): string {
  const dir = tmp.file(`bin${n++}`);
  fs.mkdirSync(dir);
  fs.symlinkSync('/bin/sh', path.join(dir, 'sh'));
  for (const [name, body] of Object.entries(tools)) {
    const file = path.join(dir, name);
    if (body.startsWith('/')) fs.symlinkSync(body, file);
    else fs.writeFileSync(file, body, { mode: 0o755 });
  }
  return dir;
}

/** Runs a remote command line as a login shell would, with `PATH`. */
function runRemote(command: string, pathDirs: string, input?: Buffer) {
  const r = spawnSync('/bin/sh', ['-c', command], {
    env: { PATH: pathDirs, HOME: tmp.dir },
    input,
    encoding: 'utf8',
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function params(extra: Partial<BootstrapParams> = {}): BootstrapParams {
  return { version: '0.2.0', bundleHash: HASH, cacheDir: tmp.file(`cache${n++}`), ...extra };
}

const ECHO_BUNDLE = 'process.stdout.write("served " + process.argv.slice(2).join(" ") + "\\n");\n';

describe('remote bootstrap scripts', () => {
  it('are one line of fixed text without quotes, backslashes or "!"', () => {
    for (const cmd of [sessionCommand(params({ remotePath: '/x y' })), uploadCommand(params(), 10)]) {
      const script = /^sh -c '([^']*)' bigsync-bootstrap /.exec(cmd)?.[1];
      assert.ok(script !== undefined, cmd);
      assert.doesNotMatch(script, /['\\!\n\r]/);
    }
  });

  it('refuses unsafe parameters', () => {
    const bad: Partial<BootstrapParams>[] = [
      { version: "0'1" },
      { version: '' },
      { bundleHash: 'ABC' },
      { cacheDir: 'relative/dir' },
      { cacheDir: '/with space' },
      { cacheDir: '/with$dollar' },
      { remotePath: "/it's" },
      { remotePath: '/a\nb' },
      { remotePath: '-x' },
      { remotePath: '' },
    ];
    for (const b of bad) {
      assert.throws(
        () => checkBootstrapParams(params(b)),
        (e: unknown) => isBigsyncError(e, 'BAD_LOCATION'),
        JSON.stringify(b),
      );
    }
  });

  it('reports a missing node (127)', () => {
    const exit = runRemote(sessionCommand(params()), binDir({}));
    assert.equal(exit.code, 127);
    const err = classifySessionExit(exit, 'box');
    assert.ok(isBigsyncError(err, 'REMOTE_NODE_MISSING'));
    assert.equal(err.message, 'node not found on box');
  });

  it('reports an old node (126)', () => {
    const exit = runRemote(sessionCommand(params()), binDir({ node: '#!/bin/sh\necho v18.19.0\n' }));
    assert.equal(exit.code, 126);
    const err = classifySessionExit(exit, 'box');
    assert.ok(isBigsyncError(err, 'REMOTE_NODE_MISSING'));
    assert.equal(err.message, 'node v18.19.0 on box is older than 20');
  });

  it('asks for the bundle (93), then runs the cached one', () => {
    const bin = binDir({ node: process.execPath });
    const p = params();
    const first = runRemote(sessionCommand(p), bin);
    assert.equal(first.code, 93);
    assert.equal(classifySessionExit(first, 'box'), 'need-bundle');
    const cached = path.join(p.cacheDir ?? '', `bigsync-0.2.0-${HASH}.mjs`);
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    fs.writeFileSync(cached, ECHO_BUNDLE);
    const second = runRemote(sessionCommand(p), bin);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `${READY_LINE}\nserved --server\n`);
  });

  it('runs the cached bundle with the addon uploaded beside it, when there is one', () => {
    const bin = binDir({ node: process.execPath });
    const p = params();
    const dir = p.cacheDir ?? '';
    const up = runRemote(uploadCommand(p, 5, 'node'), `${bin}:/usr/bin:/bin`, Buffer.from('addon'));
    assert.equal(up.code, 0, up.stderr);
    const addon = path.join(dir, `bigsync-0.2.0-${HASH}.node`);
    assert.equal(fs.readFileSync(addon, 'utf8'), 'addon');
    fs.writeFileSync(
      path.join(dir, `bigsync-0.2.0-${HASH}.mjs`),
      'process.stdout.write("native " + process.env.BIGSYNC_NATIVE_PATH + "\\n");\n',
    );
    const r = runRemote(sessionCommand(p), bin);
    assert.equal(r.stdout, `${READY_LINE}\nnative ${addon}\n`, r.stderr);
  });

  it('prefers bigsync on PATH over the cache', () => {
    const bin = binDir({ node: process.execPath, bigsync: '#!/bin/sh\necho "on path $*"\n' });
    const r = runRemote(sessionCommand(params()), bin);
    assert.equal(r.stdout, `${READY_LINE}\non path --server\n`);
  });

  it('runs the remote path literally, never through a shell', () => {
    const dir = tmp.file(`odd${n++}`);
    fs.mkdirSync(dir);
    const script = path.join(dir, 'my $(touch pwned) `touch pwned2` "x" server');
    fs.writeFileSync(script, '#!/bin/sh\necho "remote $*"\n', { mode: 0o755 });
    const bin = binDir({ node: process.execPath });
    const r = runRemote(sessionCommand(params({ remotePath: script })), bin);
    assert.equal(r.stdout, `${READY_LINE}\nremote --server\n`, r.stderr);
    assert.deepEqual(fs.readdirSync(dir).length, 1);
    assert.equal(fs.existsSync(path.join(tmp.dir, 'pwned')), false);
  });

  it('reports a remote path that is not a command (94)', () => {
    const r = runRemote(
      sessionCommand(params({ remotePath: '/no/such/bigsync' })),
      binDir({ node: process.execPath }),
    );
    assert.equal(r.code, 94);
    const err = classifySessionExit(r, 'box');
    assert.ok(isBigsyncError(err, 'REMOTE_FAILED'));
  });

  it('uploads atomically with mode 0600, and refuses a short upload', () => {
    const p = params();
    const body = Buffer.from(ECHO_BUNDLE);
    const env = `${binDir({})}:/usr/bin:/bin`;
    const ok = runRemote(uploadCommand(p, body.length), env, body);
    assert.equal(ok.code, 0, ok.stderr);
    const file = path.join(p.cacheDir ?? '', `bigsync-0.2.0-${HASH}.mjs`);
    assert.deepEqual(fs.readFileSync(file), body);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(p.cacheDir ?? ''), [path.basename(file)]);
    const q = params();
    const short = runRemote(uploadCommand(q, body.length + 1), env, body);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /short-upload/);
    assert.deepEqual(fs.readdirSync(q.cacheDir ?? ''), []);
  });

  it('reads ssh failures and other exits', () => {
    const denied = { code: 255, signal: null, stderr: 'warning\nroot@h: Permission denied (publickey).\n' };
    const ssh = sshFailure(denied, 'h', null);
    assert.ok(isBigsyncError(ssh, 'SSH_FAILED'));
    assert.equal(ssh.message, 'ssh to h failed: root@h: Permission denied (publickey).');
    assert.equal(sshFailure({ code: 1, signal: null, stderr: '' }, 'h', null), null);
    const other = classifySessionExit({ code: 127, signal: null, stderr: 'sh: 1: frob: not found\n' }, 'h');
    assert.ok(isBigsyncError(other, 'REMOTE_FAILED'));
    assert.match(other.message, /status 127 before bigsync started: sh: 1: frob: not found$/);
  });
});
