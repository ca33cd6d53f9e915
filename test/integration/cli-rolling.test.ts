/**
 * The rolling match through the real CLI on seeded files of hundreds of MiB: bytes inserted near
 * the start (auto mode finds every later block moved), bytes deleted (a longer target whose tail
 * is a copy source, cut last), the forced modes, the dry run's report, and the same over the
 * protocol with the remote side spawned through pseudo-ssh.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lastJson, PKG_ROOT, runCli } from '../helpers/run-cli.js';
import { sameBytes, writeSeededFile } from '../helpers/seeded-file.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
const RSH = path.join(PKG_ROOT, 'test', 'fixtures', 'pseudo-ssh');

/** Writes `dst`: `src` with `bytes` inserted at `at` (in memory; the files are a few hundred MiB). */
function insertInto(src: string, dst: string, at: number, bytes: Buffer): void {
  const data = fs.readFileSync(src);
  fs.writeFileSync(dst, Buffer.concat([data.subarray(0, at), bytes, data.subarray(at)]));
}

function deleteFrom(src: string, dst: string, at: number, length: number): void {
  const data = fs.readFileSync(src);
  fs.writeFileSync(dst, Buffer.concat([data.subarray(0, at), data.subarray(at + length)]));
}

describe('rolling match via the CLI', () => {
  const t = tmpDir();
  const old = t.file('old.img');
  const shifted = t.file('shifted.img');
  const shrunk = t.file('shrunk.img');
  const env = { BIGSYNC_REMOTE_CACHE: t.file('cache') };
  before(() => {
    writeSeededFile(old, SIZE, 'cli-rolling');
    insertInto(old, shifted, 12_388, Buffer.alloc(1024, 0x5a));
    deleteFrom(old, shrunk, 5 * MiB + 777, 3 * MiB);
  });
  after(() => t.remove());

  it('1 KiB inserted near the start: auto finds the moved data and writes ~1 block of literal', () => {
    const dst = t.file('dst-insert.img');
    fs.copyFileSync(old, dst);
    const dry = runCli(['--json', '-n', shifted, dst]);
    assert.equal(dry.status, 0, dry.stderr);
    const d = lastJson(dry);
    assert.equal(d['match'], 'rolling');
    assert.ok(sameBytes(old, dst), 'the dry run wrote');
    const r = runCli(['--json', shifted, dst]);
    assert.equal(r.status, 0, r.stderr);
    const s = lastJson(r);
    assert.ok(sameBytes(shifted, dst), 'target differs from source');
    assert.equal(s['match'], 'rolling');
    assert.equal(s['verified'], true);
    assert.ok((s['movedBytes'] as number) >= SIZE - 2 * 128 * 1024, `moved only ${String(s['movedBytes'])}`);
    assert.ok((s['literalBytes'] as number) <= 2 * 128 * 1024, `literal ${String(s['literalBytes'])}`);
    assert.equal(d['movedBytes'], s['movedBytes'], 'the dry run predicted the moves');
  });

  it('--dry-run and --stats say what moved and what was literal', () => {
    const dst = t.file('dst-text.img');
    fs.copyFileSync(old, dst);
    const dry = runCli(['-n', shifted, dst]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /match +rolling/);
    assert.match(dry.stdout, /would move +[\d.]+ MiB \(\d+ bytes\) within the target/);
    assert.match(dry.stdout, /literal +[\d.]+ \w+ \(\d+ bytes\) from the source/);
    const real = runCli(['--stats', shifted, dst]);
    assert.equal(real.status, 0, real.stderr);
    assert.match(real.stdout, /moved +[\d.]+ MiB/);
    assert.ok(sameBytes(shifted, dst));
  });

  it('3 MiB deleted: the longer target is a copy source until it is cut', () => {
    const dst = t.file('dst-delete.img');
    fs.copyFileSync(old, dst);
    const r = runCli(['--json', shrunk, dst]);
    assert.equal(r.status, 0, r.stderr);
    const s = lastJson(r);
    assert.ok(sameBytes(shrunk, dst));
    assert.equal(fs.statSync(dst).size, SIZE - 3 * MiB);
    assert.ok((s['literalBytes'] as number) <= 2 * 128 * 1024, `literal ${String(s['literalBytes'])}`);
  });

  it('--match=aligned rewrites everything after the insertion; --match=rolling matches it', () => {
    const dst = t.file('dst-aligned.img');
    fs.copyFileSync(old, dst);
    const a = runCli(['--json', '-n', '--match=aligned', shifted, dst]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(lastJson(a)['match'], 'aligned');
    assert.ok((lastJson(a)['literalBytes'] as number) > SIZE / 2);
    const same = t.file('same-size.img');
    fs.copyFileSync(old, same);
    const sameSized = t.file('shifted-same-size.img');
    fs.copyFileSync(shifted, sameSized);
    fs.truncateSync(sameSized, SIZE);
    const r = runCli(['--json', '--match=rolling', sameSized, same]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(lastJson(r)['match'], 'rolling');
    assert.ok((lastJson(r)['movedBytes'] as number) > SIZE / 2);
    assert.ok(sameBytes(sameSized, same));
    const bad = runCli(['--match=sideways', shifted, dst]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^bigsync: invalid --match 'sideways'/);
  });

  it('over the protocol: push and pull of the shifted file send about 1 block of data', () => {
    for (const direction of ['push', 'pull'] as const) {
      const dst = t.file(`remote-${direction}.img`);
      fs.copyFileSync(old, dst);
      const args = direction === 'push' ? [shifted, `localhost:${dst}`] : [`localhost:${shifted}`, dst];
      const r = runCli(['--json', '-e', RSH, ...args], env);
      assert.equal(r.status, 0, r.stderr);
      const s = lastJson(r);
      assert.ok(sameBytes(shifted, dst), `${direction}: target differs`);
      assert.equal(s['match'], 'rolling');
      const wire = (s['wireBytesSent'] as number) + (s['wireBytesReceived'] as number);
      // block hashes (16 B per 128 KiB block) and weak sums both ways, plus ~1 block of literal
      assert.ok(wire < 1.5 * MiB, `${direction}: ${wire} bytes on the wire`);
    }
  });
});
