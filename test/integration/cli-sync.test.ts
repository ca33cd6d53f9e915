/**
 * The CLI doing real syncs: the --json summary, --dry-run, --stats, progress lines, -W, and both
 * native and pure-JS (BIGSYNC_NO_NATIVE=1) paths on sparse data.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { changeBlocks, writeVmImage } from '../../bench/image-generator.js';
import { lastJson, runCli } from '../helpers/run-cli.js';
import { allocated, tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const SUMMARY_FIELDS = [
  'size',
  'blockSize',
  'blocks',
  'changedBlocks',
  'bytesRead',
  'bytesWritten',
  'holeBytes',
  'seconds',
  'verified',
  'wireBytesSent',
  'wireBytesReceived',
];

function same(a: string, b: string): boolean {
  return fs.readFileSync(a).equals(fs.readFileSync(b));
}

for (const native of [true, false]) {
  describe(`CLI sync (${native ? 'native addon' : 'pure-JS fallback'})`, () => {
    const t = tmpDir();
    const src = t.file('vm.img');
    const env: Record<string, string> = native ? {} : { BIGSYNC_NO_NATIVE: '1' };
    before(async () => {
      await writeVmImage(src, 48 * MiB, 'cli-sync-test');
    });
    after(() => t.remove());

    it('copies to a new target, keeps holes, and reports a JSON summary', () => {
      const dst = t.file('new.img');
      const r = runCli(['--json', src, dst], env);
      assert.equal(r.status, 0, r.stderr);
      const s = lastJson(r);
      assert.equal(s['type'], 'summary');
      for (const f of SUMMARY_FIELDS) assert.ok(f in s, `summary lacks ${f}`);
      assert.equal(s['size'], 48 * MiB);
      assert.equal(s['verified'], true);
      assert.ok(same(src, dst));
      // zero blocks became holes: the copy takes no more room than the source (+ slack)
      assert.ok(
        allocated(dst) <= allocated(src) * 1.05 + 64 * 1024,
        `${allocated(dst)} vs ${allocated(src)}`,
      );
      const events = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string });
      assert.equal(events[0]?.type, 'start');
    });

    it('dry run reports similarity and writes nothing; the real run writes the changed pages', async () => {
      const dst = t.file('old.img');
      fs.copyFileSync(src, dst);
      const changed = await changeBlocks(dst, 0.02, 64 * 1024, 'cli-sync-change');
      const before = fs.readFileSync(dst);
      const dry = runCli(['-n', src, dst], env);
      assert.equal(dry.status, 0, dry.stderr);
      assert.match(dry.stdout, /identical +\d+ blocks \(9\d\.\d+%\)/);
      assert.match(dry.stdout, /would write/);
      assert.ok(fs.readFileSync(dst).equals(before), 'dry run wrote');
      const r = runCli(['--json', src, dst], env);
      const s = lastJson(r);
      assert.ok(same(src, dst));
      const moved = (s['bytesWritten'] as number) + (s['bytesZeroed'] as number);
      assert.ok(moved <= changed, `moved ${moved} > changed ${changed}`);
      assert.ok(moved > 0);
    });

    it('--stats prints a summary; -P prints plain progress lines when stderr is not a terminal', () => {
      const dst = t.file('stats.img');
      const r = runCli(['-P', '--stats', src, dst], env);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /synced .* in /);
      assert.match(r.stdout, /verified +yes/);
      assert.match(r.stderr, /48\.0 MiB \/ 48\.0 MiB +100%/);
    });

    it('-W copies everything without comparing, still sparse', () => {
      const dst = t.file('whole.img');
      fs.writeFileSync(dst, Buffer.alloc(60 * MiB, 0x55));
      const r = runCli(['-W', '--json', src, dst], env);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(same(src, dst));
      assert.equal(lastJson(r)['mode'], 'whole');
      if (native) assert.ok(allocated(dst) <= allocated(src) * 1.05 + 64 * 1024);
    });

    it('shrinks a longer target and extends a shorter one', () => {
      const long = t.file('long.img');
      fs.writeFileSync(long, Buffer.alloc(50 * MiB, 3));
      assert.equal(runCli([src, long], env).status, 0);
      assert.ok(same(src, long));
      const short = t.file('short.img');
      fs.writeFileSync(short, fs.readFileSync(src).subarray(0, 10 * MiB + 77));
      assert.equal(runCli([src, short], env).status, 0);
      assert.ok(same(src, short));
    });

    it('punches holes where the source has zeros and the target has data', () => {
      const sparse = t.file('sparse-src.img');
      const fd = fs.openSync(sparse, 'w');
      fs.ftruncateSync(fd, 32 * MiB);
      fs.writeSync(fd, Buffer.alloc(MiB, 9), 0, MiB, 5 * MiB);
      fs.closeSync(fd);
      const dst = t.file('full.img');
      fs.writeFileSync(dst, Buffer.alloc(32 * MiB, 1));
      const r = runCli(['--json', sparse, dst], env);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(same(sparse, dst));
      assert.equal(lastJson(r)['bytesZeroed'], 31 * MiB);
      if (native) assert.ok(allocated(dst) <= 2 * MiB, `allocated ${allocated(dst)}`);
    });
  });
}
