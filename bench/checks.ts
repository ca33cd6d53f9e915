/**
 * The targets bigsync is held to, evaluated on one run's results. Ratios compare tools measured in
 * the same run on the same files; a check whose inputs were not measured is "not-run". A failing
 * check is reported, but only a wrong result makes the benchmark exit non-zero.
 */
import type { CheckResult, ScenarioRecord, ToolResult } from './results-model.js';

const MIB = 1024 * 1024;

type Lookup = (scenario: string, tool: string) => ToolResult | undefined;

/** Evaluates every check against `results`. */
export function evaluateChecks(
  results: readonly ToolResult[],
  scenarios: readonly ScenarioRecord[],
): CheckResult[] {
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
    rssCheck(results, 200),
  ];
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
