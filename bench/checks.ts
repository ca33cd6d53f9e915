/**
 * The targets bigsync is held to, evaluated on one run's results. Ratios compare tools measured in
 * the same run on the same files; a check whose inputs were not measured is "not-run". A failing
 * check is reported, but only a wrong result makes the benchmark exit non-zero. SSH mode
 * (`bench --ssh`) has its own targets: {@link evaluateSshChecks}. Both modes add the targets for
 * data that moved (match-checks.ts).
 */
import { evaluateMatchChecks } from './match-checks.js';
import type { BenchMode, CheckResult, ScenarioRecord, ToolResult } from './results-model.js';

const MIB = 1024 * 1024;

type Lookup = (scenario: string, tool: string) => ToolResult | undefined;

/** Evaluates every check of `mode` (default local) against `results`. */
export function evaluateChecks(
  results: readonly ToolResult[],
  scenarios: readonly ScenarioRecord[],
  mode: BenchMode = 'local',
): CheckResult[] {
  if (mode === 'ssh') return evaluateSshChecks(results, scenarios);
  const find: Lookup = (s, t) =>
    results.find((r) => r.scenario === s && r.tool === t && r.status !== 'skipped');
  return [
    ratioCheck(find, 'changed-1pct', 'floor', 1.3),
    speedupCheck(find, 'changed-1pct', 'rsync', 3),
    ratioCheck(find, 'identical', 'floor', 1.2),
    ratioCheck(find, 'changed-100pct', 'cp', 1.3),
    writtenCheck(
      find,
      scenarios.find((s) => s.name === 'scattered-4k-1pct'),
      2,
    ),
    allocatedCheck(find, 'sparse', 0.05),
    allocatedCheck(find, 'sparse-empty-target', 0.05),
    ...evaluateMatchChecks(results, changedOf(scenarios), 'local'),
    rssCheck(results, 200),
  ];
}

/** The changed bytes of a scenario of the run, or null when it did not run. */
function changedOf(scenarios: readonly ScenarioRecord[]): (name: string) => number | null {
  return (name) => scenarios.find((s) => s.name === name)?.changedBytes ?? null;
}

function status(pass: boolean | null): CheckResult['status'] {
  return pass === null ? 'not-run' : pass ? 'pass' : 'fail';
}

/** A failed bigsync run fails its check; a missing one leaves it not-run. */
function bigsyncOf(find: Lookup, scenario: string): { r: ToolResult | undefined; failed: boolean } {
  const r = find(scenario, 'bigsync');
  return { r, failed: r?.status === 'FAILED' };
}

function ratioCheck(find: Lookup, scenario: string, base: 'floor' | 'cp', limit: number): CheckResult {
  const { r, failed } = bigsyncOf(find, scenario);
  const ratio = r?.ratios[base] ?? null;
  const pass = failed ? false : ratio === null ? null : ratio <= limit;
  const measured = {
    bigsyncSeconds: r?.seconds ?? null,
    [`${base}Seconds`]: find(scenario, base)?.seconds ?? null,
    ratio,
  };
  return {
    id: `${scenario}-vs-${base}`,
    scenario,
    target: `bigsync <= ${limit}x ${base}`,
    status: status(pass),
    measured,
  };
}

function speedupCheck(find: Lookup, scenario: string, other: 'rsync', factor: number): CheckResult {
  const { r, failed } = bigsyncOf(find, scenario);
  const ratio = r?.ratios[other] ?? null;
  const speedup = ratio === null || ratio === 0 ? null : 1 / ratio;
  const pass = failed ? false : speedup === null ? null : speedup >= factor;
  const measured = {
    bigsyncSeconds: r?.seconds ?? null,
    [`${other}Seconds`]: find(scenario, other)?.seconds ?? null,
    speedup,
  };
  return {
    id: `${scenario}-vs-${other}`,
    scenario,
    target: `bigsync >= ${factor}x faster than ${other}`,
    status: status(pass),
    measured,
  };
}

function writtenCheck(find: Lookup, scenario: ScenarioRecord | undefined, factor: number): CheckResult {
  const name = 'scattered-4k-1pct';
  const { r, failed } = bigsyncOf(find, name);
  const written = r?.bytesWritten ?? null;
  const changed = scenario?.changedBytes ?? null;
  const pass = failed ? false : written === null || changed === null ? null : written <= factor * changed;
  return {
    id: `${name}-written`,
    scenario: name,
    target: `bigsync bytes written <= ${factor}x changed bytes`,
    status: status(pass),
    measured: {
      bytesWritten: written,
      changedBytes: changed,
      ratio: written !== null && changed ? written / changed : null,
    },
  };
}

function allocatedCheck(find: Lookup, scenario: string, tolerance: number): CheckResult {
  const { r, failed } = bigsyncOf(find, scenario);
  const source = r?.allocated.source ?? null;
  const result = r?.allocated.result ?? null;
  const within = source === null || result === null ? null : Math.abs(result - source) <= tolerance * source;
  return {
    id: `${scenario}-allocated`,
    scenario,
    target: `result allocated within ${tolerance * 100}% of the source's`,
    status: status(failed ? false : within),
    measured: { sourceAllocated: source, resultAllocated: result },
  };
}

function rssCheck(results: readonly ToolResult[], limitMiB: number): CheckResult {
  const rss = results
    .filter((r) => r.tool === 'bigsync' && r.maxRssBytes !== null)
    .map((r) => r.maxRssBytes ?? 0);
  const peak = rss.length === 0 ? null : Math.max(...rss);
  return {
    id: 'peak-rss',
    scenario: '*',
    target: `bigsync peak RSS < ${limitMiB} MiB in every scenario`,
    status: status(peak === null ? null : peak < limitMiB * MIB),
    measured: { peakRssMiB: peak === null ? null : peak / MIB },
  };
}

/**
 * The SSH-mode targets. Times compare with floor-ssh (reading both files once plus one
 * `ssh HOST true`), rsync over the same sshd and the `cat | ssh` copy; wire budgets allow the
 * changed bytes (times `factor`) plus 0.2% of the file size for hashes and framing.
 */
export function evaluateSshChecks(
  results: readonly ToolResult[],
  scenarios: readonly ScenarioRecord[],
): CheckResult[] {
  const find: Lookup = (s, t) =>
    results.find((r) => r.scenario === s && r.tool === t && r.status !== 'skipped');
  const scenario = (name: string) => scenarios.find((s) => s.name === name);
  return [
    sshTimeCheck(find, 'changed-1pct', 'bigsync', 'floor-ssh', 2),
    sshSpeedupCheck(find, 'changed-1pct', 3),
    sshWireVsRsyncCheck(find, 'changed-1pct'),
    sshWireBudgetCheck(find, scenario('changed-1pct'), 'changed-1pct', 1),
    sshTimeCheck(find, 'identical', 'bigsync', 'floor-ssh', 2),
    sshWireBudgetCheck(find, scenario('scattered-4k-1pct'), 'scattered-4k-1pct', 1.5),
    sshTimeCheck(find, 'changed-100pct', 'bigsync', 'cat-ssh', 1.15),
    sshTimeCheck(find, 'changed-100pct', 'bigsync-z', 'cat-ssh', 1, { strict: true }),
    ...evaluateMatchChecks(results, changedOf(scenarios), 'ssh'),
  ];
}

const WIRE_SLACK = 0.002;

/** A check's status from the bigsync run it needs: FAILED fails it, unsupported makes it unsupported. */
function sshStatus(tool: ToolResult | undefined, pass: boolean | null): Pick<CheckResult, 'status' | 'note'> {
  if (tool?.status === 'FAILED') return { status: 'fail', note: `${tool.tool} failed: ${tool.reason ?? ''}` };
  if (tool?.status === 'unsupported') return { status: 'unsupported', note: tool.reason ?? '' };
  return { status: status(pass) };
}

/** A base that did not succeed gives no number to compare with. */
function okSeconds(r: ToolResult | undefined): number | null {
  return r?.status === 'ok' ? r.seconds : null;
}

function label(tool: string): string {
  return tool === 'bigsync-z' ? 'bigsync -z' : tool;
}

/** `tool` <= `limit` x `base` in time; with `strict`, `tool` < `limit` x `base` ("faster than"). */
function sshTimeCheck(
  find: Lookup,
  scenario: string,
  tool: 'bigsync' | 'bigsync-z',
  base: 'floor-ssh' | 'cat-ssh',
  limit: number,
  opts: { strict?: boolean } = {},
): CheckResult {
  const r = find(scenario, tool);
  const mine = okSeconds(r);
  const theirs = okSeconds(find(scenario, base));
  const ratio = mine === null || theirs === null || theirs === 0 ? null : mine / theirs;
  const pass = ratio === null ? null : opts.strict === true ? ratio < limit : ratio <= limit;
  const suffix = tool === 'bigsync-z' ? '-z' : '';
  return {
    id: `ssh-${scenario}${suffix}-vs-${base}`,
    scenario,
    target:
      opts.strict === true && limit === 1
        ? `${label(tool)} faster than ${base}`
        : `${label(tool)} <= ${limit}x ${base}`,
    ...sshStatus(r, pass),
    measured: { [`${tool}Seconds`]: mine, [`${base}Seconds`]: theirs, ratio },
  };
}

function sshSpeedupCheck(find: Lookup, scenario: string, factor: number): CheckResult {
  const r = find(scenario, 'bigsync');
  const mine = okSeconds(r);
  const rsync = okSeconds(find(scenario, 'rsync'));
  const speedup = mine === null || rsync === null || mine === 0 ? null : rsync / mine;
  return {
    id: `ssh-${scenario}-vs-rsync`,
    scenario,
    target: `bigsync >= ${factor}x faster than rsync`,
    ...sshStatus(r, speedup === null ? null : speedup >= factor),
    measured: { bigsyncSeconds: mine, rsyncSeconds: rsync, speedup },
  };
}

function wireOf(r: ToolResult | undefined): number | null {
  return r?.status === 'ok' ? (r.wireBytes ?? null) : null;
}

function sshWireVsRsyncCheck(find: Lookup, scenario: string): CheckResult {
  const r = find(scenario, 'bigsync');
  const mine = wireOf(r);
  const rsync = wireOf(find(scenario, 'rsync'));
  const ratio = mine === null || rsync === null || rsync === 0 ? null : mine / rsync;
  const pass = mine === null || rsync === null ? null : mine <= rsync;
  return {
    id: `ssh-${scenario}-wire-vs-rsync`,
    scenario,
    target: 'bigsync wire bytes <= rsync wire bytes',
    ...sshStatus(r, pass),
    measured: { bigsyncWireBytes: mine, rsyncWireBytes: rsync, ratio },
  };
}

function sshWireBudgetCheck(
  find: Lookup,
  record: ScenarioRecord | undefined,
  scenario: string,
  factor: number,
): CheckResult {
  const r = find(scenario, 'bigsync');
  const wire = wireOf(r);
  const budget = record === undefined ? null : factor * record.changedBytes + WIRE_SLACK * record.sourceSize;
  const pass = wire === null || budget === null ? null : wire <= budget;
  const times = factor === 1 ? '' : `${factor}x `;
  return {
    id: `ssh-${scenario}-wire`,
    scenario,
    target: `bigsync wire bytes <= ${times}changed bytes + ${WIRE_SLACK * 100}% of the size`,
    ...sshStatus(r, pass),
    measured: {
      wireBytes: wire,
      changedBytes: record?.changedBytes ?? null,
      sizeBytes: record?.sourceSize ?? null,
      budgetBytes: budget,
    },
  };
}
