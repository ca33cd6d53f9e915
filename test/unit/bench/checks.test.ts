import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateChecks } from '../../../bench/checks.js';
import { formatChecks, formatTable, machineLabel } from '../../../bench/report.js';
import type { ScenarioRecord, ToolResult } from '../../../bench/results-model.js';
import { addRatios } from '../../../bench/tool-runner.js';

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

function scenario(name: string, changedBytes: number): ScenarioRecord {
  return {
    name,
    description: '',
    sourceSize: 0,
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
      'peak-rss': 'pass',
    });
    const speedup = checks.find((c) => c.id === 'changed-1pct-vs-rsync')?.measured.speedup;
    assert.ok(speedup !== undefined && speedup !== null && Math.abs(speedup - 2.5) < 1e-9);
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
