/**
 * Remote sync through the real CLI, the remote side spawned through `-e` as ssh would spawn it
 * (test/fixtures/pseudo-ssh runs the remote command on this machine; the real-sshd tests are in
 * ssh-e2e.test.ts). Push, pull, dry run, the wire budget, and the faults: remote errors, a
 * dropped connection, a full remote disk, a source changing during a pull.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { changeBlocks, writeVmImage } from '../../bench/image-generator.js';
import { BIN, finished, lastJson, PKG_ROOT, runCli, startCli } from '../helpers/run-cli.js';
import { sameBytes, writeSeededFile } from '../helpers/seeded-file.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const RSH = path.join(PKG_ROOT, 'test', 'fixtures', 'pseudo-ssh');

describe('remote sync via the CLI (pseudo-ssh)', () => {
  const t = tmpDir();
  const env = { BIGSYNC_REMOTE_CACHE: t.file('cache') };
  const remote = (args: string[]): ReturnType<typeof runCli> => runCli(['-e', RSH, ...args], env);
  const src = t.file('vm.img');
  before(async () => {
    await writeVmImage(src, 48 * MiB, 'remote-cli');
  });
  after(() => t.remove());

  it('push: creates, then updates only what changed within the wire budget', async () => {
    const dst = t.file('push.img');
    const first = remote(['--json', src, `localhost:${dst}`]);
    assert.equal(first.status, 0, first.stderr);
    assert.ok(sameBytes(src, dst));
    const changed = await changeBlocks(dst, 0.02, 64 * 1024, 'remote-cli-push');
    const r = remote(['--json', src, `localhost:${dst}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(sameBytes(src, dst));
    const s = lastJson(r);
    assert.equal(s['verified'], true);
    const wire = (s['wireBytesSent'] as number) + (s['wireBytesReceived'] as number);
    assert.ok(wire <= changed + 0.002 * 48 * MiB, `wire ${wire} > changed ${changed} + 0.2%`);
    assert.equal(s['target'], `localhost:${dst}`);
  });

  it('push and pull on the pure-JS paths (BIGSYNC_NO_NATIVE=1 on both ends)', async () => {
    const js = { ...env, BIGSYNC_NO_NATIVE: '1' };
    for (const direction of ['push', 'pull'] as const) {
      const dst = t.file(`js-${direction}.img`);
      fs.copyFileSync(src, dst);
      await changeBlocks(dst, 0.03, 64 * 1024, `remote-cli-js-${direction}`);
      const args = direction === 'push' ? [src, `localhost:${dst}`] : [`localhost:${src}`, dst];
      const r = runCli(['-e', RSH, '--json', ...args], js);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(sameBytes(src, dst), direction);
      assert.equal(lastJson(r)['verified'], true);
    }
  });

  it('pull: the local target ends byte-identical', async () => {
    const dst = t.file('pull.img');
    fs.copyFileSync(src, dst);
    await changeBlocks(dst, 0.05, 128 * 1024, 'remote-cli-pull');
    const r = remote(['--json', `localhost:${src}`, dst]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(sameBytes(src, dst));
    assert.equal(lastJson(r)['source'], `localhost:${src}`);
  });

  it('dry run: reports, writes nothing', async () => {
    const dst = t.file('dry.img');
    fs.copyFileSync(src, dst);
    await changeBlocks(dst, 0.1, 128 * 1024, 'remote-cli-dry');
    const before = fs.readFileSync(dst);
    const r = remote(['-n', src, `localhost:${dst}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /would write/);
    assert.ok(fs.readFileSync(dst).equals(before));
  });

  it('remote errors keep their code: a directory target (4), a missing source (3)', () => {
    const d = remote([src, `localhost:${t.dir}`]);
    assert.equal(d.status, 4, d.stderr);
    assert.match(d.stderr, /^bigsync: remote: target is a directory/);
    const m = remote([`localhost:${t.file('missing')}`, t.file('x')]);
    assert.equal(m.status, 3, m.stderr);
    assert.match(m.stderr, /^bigsync: remote: source not found/);
  });

  it(
    '-z without zstd in this Node is refused before connecting (exit 2)',
    { skip: 'zstdCompressSync' in zlib ? 'this Node has zstd' : false },
    () => {
      const r = runCli(['-z', '-e', '/nonexistent/ssh', src, `localhost:${t.file('z.img')}`], env);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^bigsync: -z\/--compress needs zstd/);
    },
  );

  it('a host starting with "-" is refused (exit 2) before anything runs', () => {
    const r = remote(['--', src, '-oProxyCommand=touch_pwned:/x']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad location/);
  });

  it('--bwlimit paces what we send', () => {
    const small = t.file('small.img');
    writeSeededFile(small, 3 * MiB, 'bwlimit');
    const started = Date.now();
    const r = remote(['--bwlimit', '1M', small, `localhost:${t.file('paced.img')}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(
      Date.now() - started >= 1500,
      `3 MiB at 1 MiB/s (1 MiB burst) took only ${Date.now() - started} ms`,
    );
    assert.ok(sameBytes(small, t.file('paced.img')));
  });
});

describe('remote faults (pseudo-ssh)', () => {
  const t = tmpDir();
  const pidfile = t.file('server.pid');
  const env = { BIGSYNC_REMOTE_CACHE: t.file('cache'), BIGSYNC_TEST_PIDFILE: pidfile, BIGSYNC_TEST_BIN: BIN };
  const serverArgs = [
    '-e',
    RSH,
    '--remote-path',
    path.join(PKG_ROOT, 'test', 'fixtures', 'server-with-pidfile'),
  ];
  const src = t.file('src.img');
  before(() => writeSeededFile(src, 512 * MiB, 'remote-faults'));
  after(() => t.remove());

  it('the connection dropped mid-transfer: exit 11, and a rerun converges', async () => {
    const dst = t.file('dst.img');
    writeSeededFile(dst, 512 * MiB, 'remote-faults-old');
    const child = startCli(['--json', ...serverArgs, src, `localhost:${dst}`], env);
    const done = finished(child);
    let killed = false;
    child.stdout?.on('data', (d: Buffer) => {
      if (killed || !d.toString().includes('"type":"progress"')) return;
      killed = true;
      process.kill(Number(fs.readFileSync(pidfile, 'utf8')), 'SIGKILL');
    });
    const r = await done;
    assert.ok(killed, 'the sync ended before it could be interrupted');
    assert.equal(r.status, 11, r.stderr);
    assert.match(r.stderr, /^bigsync: the remote side closed the connection/);
    const again = runCli(['--json', ...serverArgs, src, `localhost:${dst}`], env);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(sameBytes(src, dst));
  });

  it('Ctrl-C during a push: exit 130, and a rerun converges', async () => {
    const dst = t.file('int.img');
    writeSeededFile(dst, 512 * MiB, 'remote-faults-int');
    const child = startCli(['--json', ...serverArgs, src, `localhost:${dst}`], env);
    const done = finished(child);
    let sent = false;
    child.stdout?.on('data', (d: Buffer) => {
      if (sent || !d.toString().includes('"type":"progress"')) return;
      sent = true;
      child.kill('SIGINT');
    });
    const r = await done;
    assert.ok(sent, 'the sync ended before it could be interrupted');
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /^bigsync: interrupted/);
    const again = runCli([...serverArgs, src, `localhost:${dst}`], env);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(sameBytes(src, dst));
  });

  it('a source that changes during a pull: exit 7', async () => {
    const dst = t.file('pulled.img');
    const child = startCli(['--json', ...serverArgs, `localhost:${src}`, dst], env);
    const done = finished(child);
    let touched = false;
    child.stdout?.on('data', () => {
      if (touched) return;
      touched = true;
      fs.appendFileSync(src, 'x');
    });
    const r = await done;
    assert.equal(r.status, 7, r.stderr);
    assert.match(r.stderr, /^bigsync: remote: source changed during the sync/);
    fs.truncateSync(src, 512 * MiB);
  });

  it(
    'a full disk on the remote side: exit 5; a rerun after space is freed converges',
    { skip: process.getuid?.() === 0 ? false : 'needs root to mount tmpfs' },
    () => {
      const mnt = t.file('small');
      fs.mkdirSync(mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'bigsync-test', mnt]);
      try {
        const small = t.file('forty.img');
        writeSeededFile(small, 40 * MiB, 'remote-enospc');
        const r = runCli([...serverArgs, small, `localhost:${mnt}/x.img`], env);
        assert.equal(r.status, 5, r.stderr);
        assert.match(r.stderr, /no space left on device/);
        execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
        const again = runCli([...serverArgs, small, `localhost:${mnt}/x.img`], env);
        assert.equal(again.status, 0, again.stderr);
        assert.ok(sameBytes(small, `${mnt}/x.img`));
      } finally {
        execFileSync('umount', [mnt]);
      }
    },
  );
});
