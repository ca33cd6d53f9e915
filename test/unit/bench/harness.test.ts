import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBench } from '../../../bench/harness.js';
import type { BenchReport } from '../../../bench/results-model.js';
import { exitsZero } from '../../../bench/measure.js';
import { zstdUnsupported } from '../../../bench/ssh-tools.js';
import type { Tool } from '../../../bench/tools.js';
import { withTempDir } from '../../helpers/seeded-data.js';

const MIB = 1024 * 1024;

/** A fast wrong answer: exits 0 without touching the target. */
const lazyTool: Tool = {
  name: 'lazy',
  writesTarget: true,
  unavailable: () => Promise.resolve(null),
  command: () => ({ argv: ['true'] }),
};

/** Refuses like bigsync -z without zstd: exit 2, a USAGE error line; reads that as unsupported. */
const refusingTool: Tool = {
  name: 'refuses',
  writesTarget: true,
  unavailable: () => Promise.resolve(null),
  command: () => ({
    argv: ['bash', '-c', `echo '{"type":"error","code":"USAGE","message":"needs zstd"}'; exit 2`],
  }),
  unsupported: zstdUnsupported,
};

describe('runBench (smoke, small sizes)', () => {
  it('runs one scenario with the floor and cp, checks results and writes the JSON report', async () => {
    await withTempDir(async (dir) => {
      const lines: string[] = [];
      const jsonOut = join(dir, 'results', 'r.json');
      const report = await runBench(
        {
          size: 4 * MIB,
          scenarios: ['changed-1pct'],
          tools: ['floor', 'cp'],
          workDir: dir,
          jsonOut,
          seed: 'smoke',
        },
        (l) => lines.push(l),
      );
      assert.equal(report.ok, true);
      assert.deepEqual(
        report.results.map((r) => [r.scenario, r.tool, r.status]),
        [
          ['changed-1pct', 'floor', 'ok'],
          ['changed-1pct', 'cp', 'ok'],
        ],
      );
      assert.equal(report.scenarios[0]?.changedBytes, MIB); // 1% of 4 blocks of 1 MiB: at least one block
      assert.ok(lines.some((l) => /^changed-1pct\s+cp\s+[\d.]+/.test(l)));
      assert.ok(lines.some((l) => l.startsWith('NOT-RUN changed-1pct: bigsync <= 1.3x floor')));
      const saved = JSON.parse(await readFile(jsonOut, 'utf8')) as BenchReport;
      assert.equal(saved.size, 4 * MIB);
      assert.equal(saved.machine.cpus > 0, true);
      assert.equal(typeof saved.node, 'string');
      assert.equal(saved.results.length, 2);
      assert.deepEqual(await readdir(dir), ['results'], 'work files are deleted');
    });
  });

  it('reports the median of repeated runs and keeps files when asked', async () => {
    await withTempDir(async (dir) => {
      const lines: string[] = [];
      const report = await runBench(
        { size: MIB, scenarios: ['identical'], tools: ['floor'], repeat: 3, keep: true, workDir: dir },
        (l) => lines.push(l),
      );
      const floor = report.results[0];
      assert.equal(floor?.runs.length, 3);
      const sorted = (floor?.runs ?? []).map((r) => r.seconds).sort((a, b) => a - b);
      assert.equal(floor?.seconds, sorted[1]);
      const kept = (await readdir(dir)).filter((n) => n.startsWith('bigsync-bench-'));
      assert.equal(kept.length, 1);
      assert.ok(lines.some((l) => l.startsWith('# files kept in ')));
    });
  });

  it('marks a fast wrong answer FAILED and the report not ok', async () => {
    await withTempDir(async (dir) => {
      const lines: string[] = [];
      const report = await runBench(
        {
          size: 2 * MIB,
          scenarios: ['identical', 'empty-target'],
          tools: ['floor', lazyTool],
          workDir: dir,
          changeBlockSize: 256 * 1024,
        },
        (l) => lines.push(l),
      );
      assert.equal(report.ok, false);
      const lazy = report.results.filter((r) => r.tool === 'lazy');
      assert.deepEqual(
        lazy.map((r) => r.status),
        ['ok', 'FAILED'],
      ); // identical: the untouched copy is right
      assert.match(lazy[1]?.reason ?? '', /does not exist/);
      assert.ok(lines.some((l) => l.startsWith('FAILED: at least one tool')));
    });
  });

  it('reports a run the tool refused as unsupported: shown with its message, not a failure', async () => {
    await withTempDir(async (dir) => {
      const lines: string[] = [];
      const report = await runBench(
        { size: MIB, scenarios: ['changed-1pct'], tools: ['floor', refusingTool], repeat: 3, workDir: dir },
        (l) => lines.push(l),
      );
      assert.equal(report.ok, true);
      const r = report.results.find((x) => x.tool === 'refuses');
      assert.equal(r?.status, 'unsupported');
      assert.equal(r?.reason, 'needs zstd');
      assert.equal(r?.seconds, null);
      assert.equal(r?.runs.length, 1, 'not repeated');
      assert.ok(lines.some((l) => /^changed-1pct\s+refuses\s.*unsupported: needs zstd$/.test(l)));
    });
  });

  it('runs shift and worst-case with rsync and rdiff, which sits out identical', async (t) => {
    const missing = [];
    for (const tool of ['rsync', 'rdiff']) if (!(await exitsZero([tool, '--version']))) missing.push(tool);
    if (missing.length > 0) return t.skip(`not installed: ${missing.join(', ')}`);
    await withTempDir(async (dir) => {
      const lines: string[] = [];
      const report = await runBench(
        {
          size: 2 * MIB,
          scenarios: ['identical', 'shift', 'worst-case'],
          tools: ['floor', 'rsync', 'rdiff'],
          workDir: dir,
          seed: 'moved',
        },
        (l) => lines.push(l),
      );
      assert.equal(report.ok, true, lines.join('\n'));
      assert.deepEqual(
        report.results.map((r) => `${r.scenario}/${r.tool}:${r.status}`),
        [
          'identical/floor:ok',
          'identical/rsync:ok',
          'identical/rdiff:skipped',
          'shift/floor:ok',
          'shift/rsync:ok',
          'shift/rdiff:ok',
          'worst-case/floor:ok',
          'worst-case/rsync:ok',
          'worst-case/rdiff:ok',
        ],
      );
      const shift = report.scenarios.find((s) => s.name === 'shift');
      assert.deepEqual(
        [shift?.changedBytes, shift?.sourceSize, shift?.targetSize],
        [1024, 2 * MIB + 1024, 2 * MIB],
      );
      const worst = report.scenarios.find((s) => s.name === 'worst-case');
      assert.deepEqual([worst?.targetSize, worst?.sourceSize], [2 * MIB, 2 * MIB], 'overwrites only');
      assert.ok((worst?.changedBytes ?? 0) > 256 && (worst?.changedBytes ?? 0) <= 256 * 64);
      const rdiff = report.results.find((r) => r.scenario === 'shift' && r.tool === 'rdiff');
      assert.ok((rdiff?.bytesWritten ?? 0) > 1024 && (rdiff?.bytesWritten ?? 0) < 256 * 1024);
      assert.ok(report.notes.some((n) => n.startsWith('rdiff runs signature, delta and patch')));
      assert.ok(lines.some((l) => l.startsWith('NOT-RUN shift: bigsync >= 2x faster than rsync')));
      assert.deepEqual(await readdir(dir), [], 'work files, rdiff scratch files included, are deleted');
    });
  });
});
