/**
 * The command's start: bin/bigsync.cjs runs the CommonJS bundle through a V8 code cache in dist/,
 * writing one when there is none or V8 rejected it, and runs the same without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { childEnv, PKG_ROOT } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';

// A copy of the command and its bundle, so that the package's own cache is left alone.
const t = tmpDir();
const ROOT = t.file('pkg');
const DIST = path.join(ROOT, 'dist');
fs.mkdirSync(path.join(ROOT, 'bin'), { recursive: true });
fs.mkdirSync(DIST);
fs.copyFileSync(path.join(PKG_ROOT, 'bin', 'bigsync.cjs'), path.join(ROOT, 'bin', 'bigsync.cjs'));
fs.copyFileSync(path.join(PKG_ROOT, 'dist', 'bigsync.bundle.cjs'), path.join(DIST, 'bigsync.bundle.cjs'));

function caches(): string[] {
  return fs.readdirSync(DIST).filter((f) => f.startsWith('bigsync.bundle.cjs.') && f.endsWith('.v8cache'));
}

/** `bigsync --version` with tracing: its exit code and what it said of the code cache. */
function version(): { status: number | null; cache: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bigsync.cjs'), '--version'], {
    env: childEnv({ BIGSYNC_TRACE: '1' }),
    encoding: 'utf8',
  });
  assert.match(r.stdout, /^bigsync \d+\.\d+\.\d+ /);
  const cache = /code cache (\w+)/.exec(r.stderr)?.[1] ?? 'unreported';
  return { status: r.status, cache };
}

describe('the code cache of bin/bigsync.cjs', () => {
  after(() => t.remove());
  it('is written when missing, then used; a corrupt one is rejected and replaced', () => {
    assert.deepEqual(caches(), []);
    assert.deepEqual(version(), { status: 0, cache: 'none' });
    const [made] = caches();
    assert.ok(made !== undefined, 'no cache written');
    assert.ok(!made.includes('.tmp'), made);
    assert.deepEqual(version(), { status: 0, cache: 'used' });

    const file = path.join(DIST, made);
    fs.writeFileSync(file, Buffer.alloc(64, 0x5a));
    assert.deepEqual(version(), { status: 0, cache: 'rejected' });
    assert.ok(fs.statSync(file).size > 64, 'the rejected cache was not replaced');
    assert.deepEqual(version(), { status: 0, cache: 'used' });
  });

  it('names the cache after the Node version and the build id, a hash of the bundle', () => {
    const body = fs.readFileSync(path.join(DIST, 'bigsync.bundle.cjs'));
    const id = /\/\/# bigsync-build=([0-9a-f]{16})\n$/.exec(body.toString('latin1').slice(-64))?.[1];
    assert.ok(id !== undefined, 'the bundle has no build id');
    const content = body.subarray(0, body.length - `//# bigsync-build=${id}\n`.length);
    assert.equal(createHash('sha256').update(content).digest('hex').slice(0, 16), id);
    const name = `bigsync.bundle.cjs.${process.version}-${process.arch}-${id}.v8cache`;
    version();
    assert.ok(caches().includes(name), `${caches().join(', ')} lacks ${name}`);
  });
});
