/**
 * The targets for data that moved (issue 4, `--match`), in local and SSH mode: `shift` (1 KiB
 * inserted near the start) against rsync, `worst-case` (repeated patterns with small overwrites)
 * against bigsync's own time for `identical`, for bigsync and, when it ran there, bigsync-rolling
 * (the forced search), and, when `bigsync-aligned` ran, bigsync's default match against
 * aligned-only matching in the scenarios where nothing moved. Called by evaluateChecks; ids carry
 * the `ssh-` prefix in SSH mode.
 *
 * A check whose inputs were not measured in this run (a tool not selected, skipped or unavailable,
 * or a base tool that failed) is `not-run`, never `fail`; a failed bigsync run fails it.
 */
import type { BenchMode, CheckResult, ToolResult } from './results-model.js';

type Lookup = (scenario: string, tool: string) => ToolResult | undefined;

/** Where nothing moved: bigsync's default (auto) match must cost no more than aligned-only matching here. */
export const ALIGNED_SCENARIOS: readonly string[] = [
  'identical',
  'changed-1pct',
  'changed-10pct',
  'changed-50pct',
  'changed-100pct',
  'scattered-4k-1pct',
  'prefix-90pct',
  'source-truncated',
  'empty-target',
];

/** The targets, with the numbers this module holds bigsync to. */
const SHIFT_SPEEDUP = 2;
const WORST_CASE_LIMIT = 3;
const AUTO_VS_ALIGNED_LIMIT = 1.05;

/**
 * Evaluates the moved-data checks on one run's results. `aligned` checks appear only for
 * scenarios where bigsync-aligned was part of the run, and the `worst-case-rolling` check only when
 * bigsync-rolling was part of `worst-case` (so runs without them are not cluttered).
 */
export function evaluateMatchChecks(
  results: readonly ToolResult[],
  changedBytes: (scenario: string) => number | null,
  mode: BenchMode,
): CheckResult[] {
  const find: Lookup = (s, t) =>
    results.find((r) => r.scenario === s && r.tool === t && r.status !== 'skipped');
  const prefix = mode === 'ssh' ? 'ssh-' : '';
  const took = (scenario: string, tool: string) =>
    results.some((r) => r.scenario === scenario && r.tool === tool);
  const aligned = ALIGNED_SCENARIOS.filter((s) => took(s, 'bigsync-aligned'));
  return [
    shiftSpeedupCheck(find, prefix),
    ...(mode === 'ssh' ? [shiftWireCheck(find)] : [shiftLiteralCheck(find, changedBytes('shift'))]),
    worstCaseCheck(find, prefix, 'bigsync'),
    ...(took('worst-case', 'bigsync-rolling') ? [worstCaseCheck(find, prefix, 'bigsync-rolling')] : []),
    ...aligned.map((s) => autoVsAlignedCheck(find, s, prefix)),
  ];
}

/**
 * The status from the bigsync runs a check reads (a failed one fails it, an unsupported one makes
 * it unsupported) and, when they are fine, from `pass` (null: not measured, so not-run).
 */
function outcome(
  runs: readonly (ToolResult | undefined)[],
  pass: boolean | null,
): Pick<CheckResult, 'status' | 'note'> {
  const failed = runs.find((r) => r?.status === 'FAILED');
  if (failed !== undefined)
    return { status: 'fail', note: `${failed.tool} failed in ${failed.scenario}: ${failed.reason ?? ''}` };
  const unsupported = runs.find((r) => r?.status === 'unsupported');
  if (unsupported !== undefined) return { status: 'unsupported', note: unsupported.reason ?? '' };
  return { status: pass === null ? 'not-run' : pass ? 'pass' : 'fail' };
}

/** Seconds of a successful run; a run that failed or was refused gives no number to compare. */
function okSeconds(r: ToolResult | undefined): number | null {
  return r?.status === 'ok' ? r.seconds : null;
}

function over(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

function shiftSpeedupCheck(find: Lookup, prefix: string): CheckResult {
  const mine = find('shift', 'bigsync');
  const rsync = okSeconds(find('shift', 'rsync'));
  const speedup = over(rsync, okSeconds(mine));
  return {
    id: `${prefix}shift-vs-rsync`,
    scenario: 'shift',
    target: `bigsync >= ${SHIFT_SPEEDUP}x faster than rsync`,
    ...outcome([mine], speedup === null ? null : speedup >= SHIFT_SPEEDUP),
    measured: { bigsyncSeconds: okSeconds(mine), rsyncSeconds: rsync, speedup },
  };
}

function wireOf(r: ToolResult | undefined): number | null {
  return r?.status === 'ok' ? (r.wireBytes ?? null) : null;
}

function shiftWireCheck(find: Lookup): CheckResult {
  const mine = find('shift', 'bigsync');
  const wire = wireOf(mine);
  const rsync = wireOf(find('shift', 'rsync'));
  return {
    id: 'ssh-shift-wire-vs-rsync',
    scenario: 'shift',
    target: 'bigsync wire bytes <= rsync wire bytes',
    ...outcome([mine], wire === null || rsync === null ? null : wire <= rsync),
    measured: { bigsyncWireBytes: wire, rsyncWireBytes: rsync, ratio: over(wire, rsync) },
  };
}

/**
 * Locally there is no wire: bigsync must report what it took from the source (`literalBytes`) and
 * what it moved; rsync's literal data and rdiff's delta stand beside them for comparison.
 */
function shiftLiteralCheck(find: Lookup, changed: number | null): CheckResult {
  const mine = find('shift', 'bigsync');
  const literal = mine?.status === 'ok' ? (mine.literalBytes ?? null) : null;
  const reported = mine?.status !== 'ok' ? null : literal !== null;
  const other = (tool: string) => {
    const r = find('shift', tool);
    return r?.status === 'ok' ? r.bytesWritten : null;
  };
  return {
    id: 'shift-literal',
    scenario: 'shift',
    target: 'bigsync reports its literal and moved bytes',
    ...outcome([mine], reported),
    ...(reported === false ? { note: "no literalBytes in bigsync's summary" } : {}),
    measured: {
      literalBytes: literal,
      movedBytes: mine?.status === 'ok' ? (mine.movedBytes ?? null) : null,
      bytesWritten: mine?.status === 'ok' ? mine.bytesWritten : null,
      changedBytes: changed,
      rsyncLiteralBytes: other('rsync'),
      rdiffDeltaBytes: other('rdiff'),
    },
  };
}

/**
 * `tool` (bigsync, or bigsync-rolling: the search for moved data forced where blocks differ) in
 * `worst-case` against bigsync's time for `identical`: repetitive data must not make it blow up.
 */
function worstCaseCheck(find: Lookup, prefix: string, tool: 'bigsync' | 'bigsync-rolling'): CheckResult {
  const worst = find('worst-case', tool);
  const identical = find('identical', 'bigsync');
  const ratio = over(okSeconds(worst), okSeconds(identical));
  const rolling = tool === 'bigsync-rolling';
  return {
    id: `${prefix}worst-case-${rolling ? 'rolling-' : ''}vs-identical`,
    scenario: 'worst-case',
    target: rolling
      ? `bigsync --match=rolling <= ${WORST_CASE_LIMIT}x bigsync's time in identical`
      : `bigsync <= ${WORST_CASE_LIMIT}x its own time in identical`,
    ...outcome([worst, identical], ratio === null ? null : ratio <= WORST_CASE_LIMIT),
    measured: { worstCaseSeconds: okSeconds(worst), identicalSeconds: okSeconds(identical), ratio },
  };
}

function autoVsAlignedCheck(find: Lookup, scenario: string, prefix: string): CheckResult {
  const auto = find(scenario, 'bigsync');
  const aligned = find(scenario, 'bigsync-aligned');
  const ratio = over(okSeconds(auto), okSeconds(aligned));
  return {
    id: `${prefix}${scenario}-vs-aligned`,
    scenario,
    target: `bigsync <= ${AUTO_VS_ALIGNED_LIMIT}x bigsync --match=aligned`,
    ...outcome([auto, aligned], ratio === null ? null : ratio <= AUTO_VS_ALIGNED_LIMIT),
    measured: { bigsyncSeconds: okSeconds(auto), alignedSeconds: okSeconds(aligned), ratio },
  };
}
