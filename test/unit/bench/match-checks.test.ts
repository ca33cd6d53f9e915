import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateChecks } from '../../../bench/checks.js';
import { ALIGNED_SCENARIOS, evaluateMatchChecks } from '../../../bench/match-checks.js';
import { formatChecks, formatTable } from '../../../bench/report.js';
import type { CheckResult, ScenarioRecord, ToolResult } from '../../../bench/results-model.js';
import { addRatios } from '../../../bench/tool-runner.js';

const MIB = 1024 * 1024;

function result(
  scenario: string,
  tool: string,
  seconds: number | null,
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

const SHIFT: ScenarioRecord = {
  name: 'shift',
  description: '',
  sourceSize: 64 * MIB + 1024,
  targetSize: 64 * MIB,
  changedBytes: 1024,
  sparse: false,
  prepareSeconds: 0,
};

const changed = (name: string) => (name === 'shift' ? 1024 : null);

function byId(checks: readonly CheckResult[]): Record<string, CheckResult['status']> {
  return Object.fromEntries(checks.map((c) => [c.id, c.status]));
}

describe('moved-data checks, local', () => {
  it('holds shift to 2x faster than rsync with literal bytes reported, worst-case to 3x identical', () => {
    const results = [
      result('shift', 'bigsync', 1, { bytesWritten: 70_000, literalBytes: 66_560, movedBytes: 64 * MIB }),
      result('shift', 'rsync', 2.5, { bytesWritten: 2048 }),
      result('shift', 'rdiff', 3, { bytesWritten: 1500 }),
      result('identical', 'bigsync', 1),
      result('worst-case', 'bigsync', 3.2),
    ];
    const checks = evaluateMatchChecks(results, changed, 'local');
    assert.deepEqual(byId(checks), {
      'shift-vs-rsync': 'pass', // 2.5x
      'shift-literal': 'pass',
      'worst-case-vs-identical': 'fail', // 3.2x > 3x
    });
    const literal = checks.find((c) => c.id === 'shift-literal');
    assert.deepEqual(literal?.measured, {
      literalBytes: 66_560,
      movedBytes: 64 * MIB,
      bytesWritten: 70_000,
      changedBytes: 1024,
      rsyncLiteralBytes: 2048,
      rdiffDeltaBytes: 1500,
    });
    assert.equal(checks.find((c) => c.id === 'worst-case-vs-identical')?.measured.ratio, 3.2);
  });

  it('fails shift-literal when bigsync ran but reports no literalBytes, and a slow shift', () => {
    const results = [result('shift', 'bigsync', 2), result('shift', 'rsync', 3)];
    const checks = evaluateMatchChecks(results, changed, 'local');
    assert.equal(checks.find((c) => c.id === 'shift-vs-rsync')?.status, 'fail'); // 1.5x < 2x
    const literal = checks.find((c) => c.id === 'shift-literal');
    assert.equal(literal?.status, 'fail');
    assert.match(literal?.note ?? '', /no literalBytes/);
  });

  it('leaves every check not-run when its inputs are missing: skipped, unselected or a failed base', () => {
    const results = [
      result('shift', 'bigsync', null, { status: 'skipped', reason: 'not installed' }),
      result('shift', 'rsync', 3),
      result('worst-case', 'bigsync', 2), // identical did not run
    ];
    assert.deepEqual(byId(evaluateMatchChecks(results, changed, 'local')), {
      'shift-vs-rsync': 'not-run',
      'shift-literal': 'not-run',
      'worst-case-vs-identical': 'not-run',
    });
    const failedBase = [
      result('shift', 'bigsync', 1, { literalBytes: 1 }),
      result('shift', 'rsync', 3, { status: 'FAILED', reason: 'exit 23' }),
    ];
    assert.equal(byId(evaluateMatchChecks(failedBase, changed, 'local'))['shift-vs-rsync'], 'not-run');
    assert.deepEqual(byId(evaluateMatchChecks([], changed, 'local')), {
      'shift-vs-rsync': 'not-run',
      'shift-literal': 'not-run',
      'worst-case-vs-identical': 'not-run',
    });
  });

  it('fails the checks whose bigsync runs failed, naming the run', () => {
    const results = [
      result('shift', 'bigsync', 1, { status: 'FAILED', reason: 'wrong result: bytes differ' }),
      result('shift', 'rsync', 30),
      result('identical', 'bigsync', 1, { status: 'FAILED', reason: 'exit 1' }),
      result('worst-case', 'bigsync', 1),
    ];
    const checks = evaluateMatchChecks(results, changed, 'local');
    assert.deepEqual(byId(checks), {
      'shift-vs-rsync': 'fail',
      'shift-literal': 'fail',
      'worst-case-vs-identical': 'fail',
    });
    assert.match(checks[2]?.note ?? '', /bigsync failed in identical: exit 1/);
  });
});

describe('moved-data checks, bigsync vs bigsync-aligned', () => {
  it('compares auto with aligned (<= 1.05x) only in the scenarios where bigsync-aligned ran', () => {
    const results = [
      result('identical', 'bigsync', 1.04),
      result('identical', 'bigsync-aligned', 1),
      result('changed-1pct', 'bigsync', 1.2),
      result('changed-1pct', 'bigsync-aligned', 1),
      result('prefix-90pct', 'bigsync', 1),
      result('prefix-90pct', 'bigsync-aligned', null, { status: 'skipped', reason: 'unavailable' }),
      result('empty-target', 'bigsync-aligned', 1), // bigsync (auto) not selected
      result('shift', 'bigsync-aligned', 9), // moved data: no aligned check there
    ];
    const checks = evaluateMatchChecks(results, changed, 'local').filter((c) => c.id.endsWith('-vs-aligned'));
    assert.deepEqual(byId(checks), {
      'identical-vs-aligned': 'pass',
      'changed-1pct-vs-aligned': 'fail',
      'prefix-90pct-vs-aligned': 'not-run',
      'empty-target-vs-aligned': 'not-run',
    });
    assert.equal(checks[0]?.target, 'bigsync <= 1.05x bigsync --match=aligned');
    assert.deepEqual(checks[1]?.measured, { bigsyncSeconds: 1.2, alignedSeconds: 1, ratio: 1.2 });
  });

  it('adds no aligned checks to a run without bigsync-aligned', () => {
    const results = ALIGNED_SCENARIOS.map((s) => result(s, 'bigsync', 1));
    const ids = evaluateMatchChecks(results, changed, 'local').map((c) => c.id);
    assert.ok(!ids.some((id) => id.endsWith('-vs-aligned')), ids.join(' '));
  });

  it('fails when bigsync-aligned itself failed', () => {
    const results = [
      result('changed-10pct', 'bigsync', 1),
      result('changed-10pct', 'bigsync-aligned', 1, { status: 'FAILED', reason: "unknown option '--match'" }),
    ];
    const check = evaluateMatchChecks(results, changed, 'local').find(
      (c) => c.id === 'changed-10pct-vs-aligned',
    );
    assert.equal(check?.status, 'fail');
    assert.match(check?.note ?? '', /bigsync-aligned failed in changed-10pct: unknown option/);
  });
});

describe('moved-data checks, bigsync-rolling in worst-case', () => {
  const rolling = (checks: readonly CheckResult[]) =>
    checks.find((c) => c.id.endsWith('worst-case-rolling-vs-identical'));

  it("holds bigsync-rolling's worst-case to 3x bigsync's identical, on its own line", () => {
    const pass = [
      result('identical', 'bigsync', 1),
      result('worst-case', 'bigsync', 1.1),
      result('worst-case', 'bigsync-rolling', 2.9),
    ];
    const checks = evaluateMatchChecks(pass, changed, 'local');
    assert.equal(byId(checks)['worst-case-vs-identical'], 'pass');
    const check = rolling(checks);
    assert.equal(check?.id, 'worst-case-rolling-vs-identical');
    assert.equal(check?.status, 'pass');
    assert.equal(check?.scenario, 'worst-case');
    assert.equal(check?.target, "bigsync --match=rolling <= 3x bigsync's time in identical");
    assert.deepEqual(check?.measured, { worstCaseSeconds: 2.9, identicalSeconds: 1, ratio: 2.9 });
    const ids = checks.map((c) => c.id);
    assert.equal(ids.indexOf('worst-case-rolling-vs-identical'), ids.indexOf('worst-case-vs-identical') + 1);

    const fail = [result('identical', 'bigsync', 1), result('worst-case', 'bigsync-rolling', 3.5)];
    assert.equal(rolling(evaluateMatchChecks(fail, changed, 'local'))?.status, 'fail');
    const failedRun = [
      result('identical', 'bigsync', 1),
      result('worst-case', 'bigsync-rolling', 1, { status: 'FAILED', reason: 'wrong result: bytes differ' }),
    ];
    const failed = rolling(evaluateMatchChecks(failedRun, changed, 'local'));
    assert.equal(failed?.status, 'fail');
    assert.match(failed?.note ?? '', /bigsync-rolling failed in worst-case: wrong result/);
  });

  it('is not-run when identical or bigsync-rolling was not measured, and absent when it was not in worst-case', () => {
    const noIdentical = [result('worst-case', 'bigsync-rolling', 1)];
    assert.equal(rolling(evaluateMatchChecks(noIdentical, changed, 'local'))?.status, 'not-run');
    const skipped = [
      result('identical', 'bigsync', 1),
      result('worst-case', 'bigsync-rolling', null, { status: 'skipped', reason: 'unavailable' }),
    ];
    assert.equal(rolling(evaluateMatchChecks(skipped, changed, 'local'))?.status, 'not-run');
    const elsewhere = [result('identical', 'bigsync', 1), result('identical', 'bigsync-rolling', 1)];
    assert.equal(rolling(evaluateMatchChecks(elsewhere, changed, 'local')), undefined);
    assert.equal(rolling(evaluateMatchChecks([], changed, 'local')), undefined);
  });

  it('carries the ssh- prefix in SSH mode', () => {
    const results = [result('identical', 'bigsync', 2), result('worst-case', 'bigsync-rolling', 7)];
    const checks = evaluateChecks(results, [SHIFT], 'ssh');
    const check = rolling(checks);
    assert.equal(check?.id, 'ssh-worst-case-rolling-vs-identical');
    assert.equal(check?.status, 'fail'); // 3.5x
    assert.ok(formatChecks(checks).some((l) => /^FAIL\s+worst-case: bigsync --match=rolling <= 3x/.test(l)));
  });
});

describe('moved-data checks, SSH mode', () => {
  it('holds shift to 2x faster than rsync and to rsync wire bytes, with ssh- ids', () => {
    const results = [
      result('shift', 'bigsync', 2, { wireBytes: 300_000 }),
      result('shift', 'rsync', 5, { wireBytes: 290_000 }),
      result('identical', 'bigsync', 2),
      result('worst-case', 'bigsync', 5),
      result('identical', 'bigsync-aligned', 2.2),
    ];
    const checks = evaluateChecks(results, [SHIFT], 'ssh');
    const mine = byId(checks.filter((c) => /shift|worst|aligned/.test(c.id)));
    assert.deepEqual(mine, {
      'ssh-shift-vs-rsync': 'pass', // 2.5x
      'ssh-shift-wire-vs-rsync': 'fail', // 300 000 > 290 000
      'ssh-worst-case-vs-identical': 'pass', // 2.5x
      'ssh-identical-vs-aligned': 'pass',
    });
    assert.ok(!checks.some((c) => c.id === 'shift-literal'), 'the literal check is local only');
  });

  it('is part of the local check list before peak-rss, and prints like the other checks', () => {
    const rows = [result('shift', 'bigsync', 1, { literalBytes: 5000 }), result('shift', 'rsync', 4)];
    addRatios(rows);
    const checks = evaluateChecks(rows, [SHIFT]);
    const ids = checks.map((c) => c.id);
    assert.deepEqual(ids.slice(-4), [
      'shift-vs-rsync',
      'shift-literal',
      'worst-case-vs-identical',
      'peak-rss',
    ]);
    const lines = formatChecks(checks);
    assert.ok(
      lines.includes(
        'PASS    shift: bigsync >= 2x faster than rsync  (bigsyncSeconds=1 rsyncSeconds=4 speedup=4)',
      ),
    );
    assert.ok(lines.some((l) => /^NOT-RUN worst-case: bigsync <= 3x its own time in identical/.test(l)));
  });
});

describe('table columns for moved and literal bytes', () => {
  it('shows moved MiB and literal MiB when bigsync reported them, small counts as <0.1', () => {
    const rows = [
      result('shift', 'bigsync', 1, { movedBytes: 64 * MIB, literalBytes: 3000, match: 'rolling' }),
      result('shift', 'rsync', 4, { bytesWritten: 2048 }),
    ];
    const lines = formatTable(rows);
    assert.match(lines[0] ?? '', /reported MiB\s+moved MiB\s+literal MiB\s+x floor/);
    assert.match(lines[2] ?? '', /^shift\s+bigsync\s.*\s64\.0\s+<0\.1\s/);
    assert.match(lines[3] ?? '', /^shift\s+rsync\s.*\s-\s+-\s/);
  });

  it('keeps the table as it was when no result has them', () => {
    const lines = formatTable([result('identical', 'bigsync', 1)]);
    assert.doesNotMatch(lines[0] ?? '', /moved|literal/);
  });
});
