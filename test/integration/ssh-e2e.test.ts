/**
 * End to end over a real OpenSSH server on 127.0.0.1 (started by the test with its own keys):
 * push and pull of a seeded VM-like image through the real CLI, the bundle uploaded to a fresh
 * cache on first use, wire bytes within budget, and a killed ssh mid-transfer followed by a rerun
 * that converges.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { changeBlocks, writeVmImage } from '../../bench/image-generator.js';
import { nativeStatus } from '../../src/io/native.js';
import { finished, lastJson, runCli, startCli } from '../helpers/run-cli.js';
import { sameBytes, writeSeededFile } from '../helpers/seeded-file.js';
import { sshdSkipReason, startSshd, type SshdFixture } from '../helpers/sshd.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const skip = sshdSkipReason() ?? false;

describe('remote sync over a real sshd', { skip }, () => {
  const t = tmpDir();
  let sshd: SshdFixture;
  const env = (): Record<string, string> => ({ BIGSYNC_REMOTE_CACHE: t.file('remote-cache') });
  const cli = (args: string[]): ReturnType<typeof runCli> => runCli(['-e', sshd.rshString, ...args], env());
  const src = t.file('vm.img');

  before(async () => {
    sshd = await startSshd();
    await writeVmImage(src, 64 * MiB, 'ssh-e2e');
  });
  after(async () => {
    await sshd?.stop();
    t.remove();
  });

  it('push uploads the bundle once, then syncs only the changes', async () => {
    const dst = t.file('pushed.img');
    const first = cli(['--json', src, `127.0.0.1:${dst}`]);
    assert.equal(first.status, 0, first.stderr);
    assert.ok(sameBytes(src, dst));
    // the bundle, and beside it the native addon this side runs with (it has one when built)
    const cached = fs.readdirSync(t.file('remote-cache')).sort();
    const kinds = cached.map((f) => f.replace(/^bigsync-[^-]+-[0-9a-f]{16}\./, ''));
    assert.deepEqual(kinds, nativeStatus().loaded ? ['mjs', 'node'] : ['mjs'], cached.join(', '));
    const mtime = fs.statSync(t.file(`remote-cache/${cached[0]}`)).mtimeMs;
    const changed = await changeBlocks(dst, 0.01, 64 * 1024, 'ssh-e2e-change');
    const r = cli(['--json', src, `127.0.0.1:${dst}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(sameBytes(src, dst));
    const s = lastJson(r);
    const wire = (s['wireBytesSent'] as number) + (s['wireBytesReceived'] as number);
    assert.ok(wire <= changed + 0.002 * 64 * MiB, `wire ${wire} > changed ${changed} + 0.2%`);
    assert.equal(
      fs.statSync(t.file(`remote-cache/${cached[0]}`)).mtimeMs,
      mtime,
      'the bundle was uploaded again',
    );
  });

  it('pull into a local file', async () => {
    const dst = t.file('pulled.img');
    fs.copyFileSync(src, dst);
    await changeBlocks(dst, 0.05, 128 * 1024, 'ssh-e2e-pull');
    const r = cli(['--stats', `127.0.0.1:${src}`, dst]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /verified +yes/);
    assert.ok(sameBytes(src, dst));
  });

  it('data shifted by an insertion is moved on the remote side, not sent', () => {
    const data = fs.readFileSync(src);
    const shifted = t.file('shifted.img');
    fs.writeFileSync(
      shifted,
      Buffer.concat([data.subarray(0, 5000), Buffer.alloc(777, 0x42), data.subarray(5000)]),
    );
    for (const [from, to] of [
      [shifted, `127.0.0.1:${t.file('remote-old.img')}`],
      [`127.0.0.1:${shifted}`, t.file('local-old.img')],
    ] as const) {
      const dst = to.startsWith('127.0.0.1:') ? to.slice('127.0.0.1:'.length) : to;
      fs.copyFileSync(src, dst);
      const r = cli(['--json', from, to]);
      assert.equal(r.status, 0, r.stderr);
      const s = lastJson(r);
      assert.ok(sameBytes(shifted, dst));
      assert.equal(s['match'], 'rolling');
      assert.ok((s['movedBytes'] as number) > data.length / 2, `moved ${String(s['movedBytes'])}`);
      assert.ok((s['literalBytes'] as number) <= 64 * 1024, `literal ${String(s['literalBytes'])}`);
    }
  });

  it('ssh killed mid-transfer: exit 11; a rerun converges', async () => {
    const big = t.file('big.img');
    writeSeededFile(big, 256 * MiB, 'ssh-e2e-big');
    const dst = t.file('big-copy.img');
    writeSeededFile(dst, 256 * MiB, 'ssh-e2e-big-old');
    const child = startCli(['--json', '-e', sshd.rshString, big, `127.0.0.1:${dst}`], env());
    const done = finished(child);
    let killed = false;
    child.stdout?.on('data', (d: Buffer) => {
      if (killed || !d.toString().includes('"type":"progress"')) return;
      killed = true;
      // the ssh client is our child's child: find it by its command line
      for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          const ppid = Number(/^\d+ \(.*\) \S (\d+)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]);
          if (ppid === child.pid && cmd.startsWith('ssh')) process.kill(Number(pid), 'SIGKILL');
        } catch {
          // the process went away meanwhile
        }
      }
    });
    const r = await done;
    assert.ok(killed, 'the sync finished before ssh could be killed');
    assert.equal(r.status, 11, r.stderr);
    const again = cli([big, `127.0.0.1:${dst}`]);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(sameBytes(big, dst));
  });
});
