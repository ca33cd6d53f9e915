import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseBenchArgs, runBench } from '../../../bench/harness.js';
import type { BenchReport } from '../../../bench/results-model.js';
import { sshdSkipReason } from '../../../bench/sshd-fixture.js';
import type { Tool } from '../../../bench/tools.js';
import { isBigsyncError } from '../../../src/errors.js';
import { withTempDir } from '../../helpers/seeded-data.js';

const MIB = 1024 * 1024;
const skip = sshdSkipReason() ?? false;

/** A fast wrong answer: exits 0 without touching the target. */
const lazyTool: Tool = {
  name: 'lazy',
  writesTarget: true,
  unavailable: () => Promise.resolve(null),
  command: () => ({ argv: ['true'] }),
};

/** Our children whose command is sshd (the fixture's server, while it runs). */
async function sshdChildren(): Promise<string[]> {
  const text = await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
  const pids = text.trim().split(/\s+/).filter(Boolean);
  const comms = await Promise.all(
    pids.map((p) =>
      readFile(`/proc/${p}/comm`, 'utf8').then(
        (c) => c.trim(),
        () => '',
      ),
    ),
  );
  return pids.filter((_, i) => comms[i] === 'sshd');
}

describe('runBench --ssh', () => {
  it('refuses a work dir bigsync cannot use for its remote cache, before starting sshd', async () => {
    await withTempDir(async (dir) => {
      const err = await runBench({
        ssh: true,
        size: MIB,
        scenarios: ['identical'],
        workDir: join(dir, 'a b'),
      }).catch((e: unknown) => e);
      assert.ok(isBigsyncError(err, 'USAGE') || isBigsyncError(err, 'SSH_FAILED'), String(err));
      if (skip === false) assert.match(String(err), /\[A-Za-z0-9_.\/-\]/);
      assert.deepEqual(await sshdChildren(), []);
    });
  });

  it(
    'runs --quick on one scenario over a real sshd: every tool, wire bytes, checks, sshd stopped',
    { skip },
    async () => {
      await withTempDir(async (dir) => {
        const opts = parseBenchArgs(['--ssh', '--quick', '--scenario', 'changed-1pct']);
        const lines: string[] = [];
        const jsonOut = join(dir, 'r.json');
        const report = await runBench(
          {
            ...opts,
            workDir: dir,
            jsonOut,
            tools: [...(opts.tools ?? ['floor-ssh', 'bigsync', 'bigsync-z', 'rsync', 'cat-ssh']), lazyTool],
          },
          (l) => lines.push(l),
        );
        const status = Object.fromEntries(report.results.map((r) => [r.tool, r.status]));
        assert.deepEqual(Object.keys(status), [
          'floor-ssh',
          'bigsync',
          'bigsync-z',
          'rsync',
          'cat-ssh',
          'lazy',
        ]);
        for (const t of ['floor-ssh', 'bigsync', 'rsync', 'cat-ssh'])
          assert.equal(status[t], 'ok', lines.join('\n'));
        // Node 20 has no zstd: bigsync -z refuses, and that is reported as unsupported, not as a failure.
        assert.ok(status['bigsync-z'] === 'ok' || status['bigsync-z'] === 'unsupported');
        assert.equal(status.lazy, 'FAILED', 'a fast wrong answer fails over ssh too');
        assert.equal(report.ok, false);

        const by = (t: string) => report.results.find((r) => r.tool === t);
        const changed = report.scenarios[0]?.changedBytes ?? 0;
        assert.equal(by('cat-ssh')?.wireBytes, 64 * MIB);
        assert.ok((by('rsync')?.wireBytes ?? 0) > 0);
        const wire = by('bigsync')?.wireBytes ?? 0;
        assert.ok(wire > 0 && wire < 64 * MIB, `bigsync sent ${wire} bytes`);
        assert.ok(changed > 0);
        assert.equal(
          typeof by('bigsync')?.runs[0]?.remote?.cpuSeconds,
          'number',
          'the remote side is measured',
        );

        assert.equal(report.mode, 'ssh');
        assert.equal(report.checks.length, 11); // 8 + shift vs rsync (time, wire) + worst-case
        assert.ok(report.checks.every((c) => c.id.startsWith('ssh-')));
        assert.ok(
          lines.some((l) => /^scenario\s+tool\s.*wire MiB\s+x floor\s+x rsync\s+x cat-ssh\s+ok$/.test(l)),
        );
        assert.ok(lines.some((l) => l.includes('warm-up push')));
        const saved = JSON.parse(await readFile(jsonOut, 'utf8')) as BenchReport;
        assert.equal(saved.mode, 'ssh');
        assert.deepEqual(await readdir(dir), ['r.json'], 'work files are deleted');
        assert.deepEqual(await sshdChildren(), [], 'sshd is stopped');
      });
    },
  );
});
