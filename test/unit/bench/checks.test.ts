import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateChecks } from '../../../bench/checks.js';
import { formatChecks, formatTable, machineLabel } from '../../../bench/report.js';
import type { ScenarioRecord, ToolResult } from '../../../bench/results-model.js';
import { addRatios, SSH_RATIO_BASES } from '../../../bench/tool-runner.js';

const MIB = 1024 * 1024;

function result(
  scenario: string,
  tool: string,
  seconds: number,
  extra: Partial<ToolResult> = {},
): ToolResult {
  return {
    scenario,
    tool,
    status: 'ok',
    seconds,
    cpuSeconds: seconds,
    maxRssBytes: 50 * MIB,
    bytesWritten: null,
    fsWriteBytes: null,
    ratios: { floor: null, rsync: null, cp: null },
    allocated: { source: null, result: null },
    runs: [],
    ...extra,
  };
}

function scenario(name: string, changedBytes: number, sourceSize = 0): ScenarioRecord {
  return {
    name,
    description: '',
    sourceSize,
    targetSize: 0,
    changedBytes,
    sparse: false,
    prepareSeconds: 0,
  };
}

function byId(checks: ReturnType<typeof evaluateChecks>) {
  return Object.fromEntries(checks.map((c) => [c.id, c.status]));
}

describe('evaluateChecks', () => {
  it('passes, fails and leaves not-run from one run of results', () => {
    const one = [
      result('changed-1pct', 'floor', 1),
      result('changed-1pct', 'bigsync', 1.2),
      result('changed-1pct', 'rsync', 3),
    ];
    const ident = [result('identical', 'floor', 1), result('identical', 'bigsync', 1.5)];
    const scattered = [result('scattered-4k-1pct', 'bigsync', 1, { bytesWritten: 3 * MIB })];
    const sparse = [
      result('sparse', 'bigsync', 1, { allocated: { source: 100 * MIB, result: 104 * MIB } }),
      result('sparse-empty-target', 'bigsync', 1, {
        status: 'FAILED',
        allocated: { source: 100 * MIB, result: 100 * MIB },
      }),
    ];
    for (const group of [one, ident]) addRatios(group);
    const checks = evaluateChecks(
      [...one, ...ident, ...scattered, ...sparse],
      [scenario('scattered-4k-1pct', MIB)],
    );
    assert.deepEqual(byId(checks), {
      'changed-1pct-vs-floor': 'pass', // 1.2 <= 1.3
      'changed-1pct-vs-rsync': 'fail', // 2.5x < 3x
      'identical-vs-floor': 'fail', // 1.5 > 1.2
      'changed-100pct-vs-cp': 'not-run',
      'scattered-4k-1pct-written': 'fail', // 3 MiB > 2 x 1 MiB
      'sparse-allocated': 'pass', // 4% off
      'sparse-empty-target-allocated': 'fail', // bigsync produced a wrong result there
      'shift-vs-rsync': 'not-run',
      'shift-literal': 'not-run',
      'worst-case-vs-identical': 'not-run',
      'peak-rss': 'pass',
    });
    const speedup = checks.find((c) => c.id === 'changed-1pct-vs-rsync')?.measured.speedup;
    assert.ok(speedup !== undefined && speedup !== null && Math.abs(speedup - 2.5) < 1e-9);
  });
});

describe('evaluateChecks in SSH mode', () => {
  const GIB = 1024 * MIB;
  const ZSTD = '-z/--compress needs zstd on both sides (Node >= 22.15)';

  it('holds bigsync to the SSH targets: time vs floor-ssh, rsync and cat-ssh; wire budgets', () => {
    const one = [
      result('changed-1pct', 'floor-ssh', 2),
      result('changed-1pct', 'bigsync', 3.9, { wireBytes: 13 * MIB }),
      result('changed-1pct', 'rsync', 12, { wireBytes: 14 * MIB }),
    ];
    const ident = [
      result('identical', 'floor-ssh', 2),
      result('identical', 'bigsync', 4.2, { wireBytes: MIB }),
    ];
    // Budget 1.5 x 10 MiB + 0.2% of 1 GiB = 15 MiB + 2.05 MiB.
    const scattered = [result('scattered-4k-1pct', 'bigsync', 1, { wireBytes: 17 * MIB })];
    const full = [
      result('changed-100pct', 'bigsync', 11.4),
      result('changed-100pct', 'cat-ssh', 10),
      result('changed-100pct', 'bigsync-z', 9.9),
    ];
    const checks = evaluateChecks(
      [...one, ...ident, ...scattered, ...full],
      [scenario('changed-1pct', 10 * MIB, GIB), scenario('scattered-4k-1pct', 10 * MIB, GIB)],
      'ssh',
    );
    assert.deepEqual(byId(checks), {
      'ssh-changed-1pct-vs-floor-ssh': 'pass', // 1.95 <= 2
      'ssh-changed-1pct-vs-rsync': 'pass', // 12 / 3.9 = 3.08 >= 3
      'ssh-changed-1pct-wire-vs-rsync': 'pass', // 13 <= 14 MiB
      'ssh-changed-1pct-wire': 'fail', // 13 MiB > 10 MiB + 0.2% of 1 GiB (2.05 MiB)
      'ssh-identical-vs-floor-ssh': 'fail', // 2.1 > 2
      'ssh-scattered-4k-1pct-wire': 'pass', // 17 <= 17.05 MiB
      'ssh-changed-100pct-vs-cat-ssh': 'pass', // 1.14 <= 1.15
      'ssh-changed-100pct-z-vs-cat-ssh': 'pass', // 9.9 < 10
      'ssh-shift-vs-rsync': 'not-run',
      'ssh-shift-wire-vs-rsync': 'not-run',
      'ssh-worst-case-vs-identical': 'not-run', // identical ran, worst-case did not
    });
  });

  it('reports an unsupported bigsync -z run as unsupported with its message, and a failed run as fail', () => {
    const full = [
      result('changed-100pct', 'cat-ssh', 10),
      result('changed-100pct', 'bigsync', 9, { status: 'FAILED', reason: 'wrong result: differs at 0' }),
      result('changed-100pct', 'bigsync-z', 0, { status: 'unsupported', reason: ZSTD, seconds: null }),
    ];
    const checks = evaluateChecks(full, [], 'ssh');
    const z = checks.find((c) => c.id === 'ssh-changed-100pct-z-vs-cat-ssh');
    assert.equal(z?.status, 'unsupported');
    assert.equal(z?.note, ZSTD);
    assert.match(
      formatChecks(checks).join('\n'),
      /^UNSUPPORTED changed-100pct: bigsync -z faster than cat-ssh .*needs zstd/m,
    );
    assert.equal(checks.find((c) => c.id === 'ssh-changed-100pct-vs-cat-ssh')?.status, 'fail');
    assert.equal(checks.find((c) => c.id === 'ssh-changed-1pct-vs-rsync')?.status, 'not-run');
  });

  it('does not compare with a base tool that failed', () => {
    const one = [
      result('changed-1pct', 'bigsync', 1, { wireBytes: MIB }),
      result('changed-1pct', 'rsync', 10, { status: 'FAILED', wireBytes: 2 * MIB }),
    ];
    const checks = evaluateChecks(one, [scenario('changed-1pct', MIB, GIB)], 'ssh');
    assert.equal(checks.find((c) => c.id === 'ssh-changed-1pct-vs-rsync')?.status, 'not-run');
    assert.equal(checks.find((c) => c.id === 'ssh-changed-1pct-wire-vs-rsync')?.status, 'not-run');
    assert.equal(checks.find((c) => c.id === 'ssh-changed-1pct-wire')?.status, 'pass');
  });

  it('prints wire MiB and ratios to floor-ssh, rsync and cat-ssh', () => {
    const rows = [
      result('changed-1pct', 'floor-ssh', 1),
      result('changed-1pct', 'bigsync', 2, { wireBytes: 3 * MIB }),
      result('changed-1pct', 'rsync', 4, { wireBytes: 5 * MIB }),
      result('changed-1pct', 'cat-ssh', 8, { wireBytes: 64 * MIB }),
      result('changed-1pct', 'bigsync-z', 0, { status: 'unsupported', reason: ZSTD, seconds: null }),
    ];
    addRatios(rows, SSH_RATIO_BASES);
    const lines = formatTable(rows, 'ssh');
    assert.match(lines[0] ?? '', /reported MiB\s+wire MiB\s+x floor\s+x rsync\s+x cat-ssh\s+ok$/);
    assert.match(lines[3] ?? '', /^changed-1pct\s+bigsync\s+2\.000 .* 3\.0\s+2\.00x\s+0\.50x\s+0\.25x\s+ok$/);
    assert.match(lines[6] ?? '', /bigsync-z .*unsupported: -z\/--compress needs zstd/);
    assert.equal(rows[1]?.ratios.catSsh, 0.25);
    assert.equal(rows[1]?.ratios.cp, null);
  });
});

describe('report formatting', () => {
  it('prints a padded table and one line per check', () => {
    const rows = [
      result('identical', 'floor', 0.5),
      result('identical', 'cp', 1, { status: 'FAILED', reason: 'wrong result' }),
    ];
    addRatios(rows);
    const lines = formatTable(rows);
    assert.match(lines[0] ?? '', /^scenario\s+tool\s+seconds\s+CPU s\s+RSS MiB/);
    assert.match(lines[3] ?? '', /identical\s+cp\s+1\.000.*2\.00x.*FAILED: wrong result/);
    const checks = formatChecks(evaluateChecks(rows, []));
    assert.ok(checks.every((l) => /^(PASS|FAIL|NOT-RUN) /.test(l)));
  });

  it('labels the machine without its host name', () => {
    const label = machineLabel({
      cpus: 8,
      cpuModel: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
      totalmem: 1,
      kernel: '',
      platform: 'linux',
    });
    assert.equal(label, '8cpu-intel-xeon-e5-2680-v4');
  });
});
