/**
 * Renders benchmark results: the table and check lines (as text lines for the caller to print) and
 * the JSON results file with the machine, Node version and date.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, release, totalmem, platform } from 'node:os';
import { dirname, join } from 'node:path';
import type { BenchMode, BenchReport, CheckResult, ToolResult } from './results-model.js';

const MIB = 1024 * 1024;

/** The machine as the JSON report records it (no host name). */
export function machineInfo(): BenchReport['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    totalmem: totalmem(),
    kernel: release(),
    platform: platform(),
  };
}

/** A label for result files that names the machine's kind, not the host: e.g. "2cpu-amd-epyc". */
export function machineLabel(machine: BenchReport['machine'] = machineInfo()): string {
  const model = machine.cpuModel.toLowerCase().replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, ' ');
  const slug = model
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${machine.cpus}cpu-${slug || 'unknown'}`;
}

/**
 * The default results file: `<resultsDir>/<YYYY-MM-DD>-<machine label>-<mode>.json`.
 * @param resultsDir the package's bench/results directory.
 * @param mode `local` (default) or `ssh`.
 */
export function defaultResultsPath(
  resultsDir: string,
  date: Date = new Date(),
  mode: BenchMode = 'local',
): string {
  return join(resultsDir, `${date.toISOString().slice(0, 10)}-${machineLabel()}-${mode}.json`);
}

/** Writes `report` as pretty JSON to `path`, creating its directory. */
export async function writeReportJson(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

const LEADING_HEADERS = ['scenario', 'tool', 'seconds', 'CPU s', 'RSS MiB', 'dirtied MiB', 'reported MiB'];
/** Shown when any result carries bigsync's movedBytes / literalBytes (issue 4). */
const MATCH_HEADERS = ['moved MiB', 'literal MiB'];
const LOCAL_TRAILING_HEADERS = ['x floor', 'x rsync', 'x cp', 'ok'];
const SSH_TRAILING_HEADERS = ['wire MiB', 'x floor', 'x rsync', 'x cat-ssh', 'ok'];

const mib = (v: number | null | undefined) => num(v === null || v === undefined ? null : v / MIB, 1);

/** Like mib, but a few bytes (a delta, literal data) show as `<0.1`, not as a 0.0 that reads like none. */
const smallMib = (v: number | undefined) => (v !== undefined && v > 0 && v < 0.05 * MIB ? '<0.1' : mib(v));

function statusCell(r: ToolResult): string {
  if (r.status === 'ok') return 'ok';
  return `${r.status}: ${r.reason ?? ''}`;
}

/**
 * The results table, one string per line, columns padded. In SSH mode it adds `wire MiB`, and the
 * ratios are to floor-ssh, rsync and cat-ssh. When bigsync reported them, `moved MiB` and
 * `literal MiB` show its movedBytes and literalBytes (blank for other tools).
 */
export function formatTable(results: readonly ToolResult[], mode: BenchMode = 'local'): string[] {
  const ssh = mode === 'ssh';
  const moves = results.some((r) => r.movedBytes !== undefined || r.literalBytes !== undefined);
  const HEADERS = [
    ...LEADING_HEADERS,
    ...(moves ? MATCH_HEADERS : []),
    ...(ssh ? SSH_TRAILING_HEADERS : LOCAL_TRAILING_HEADERS),
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.tool,
    num(r.seconds, 3),
    num(r.cpuSeconds, 2),
    mib(r.maxRssBytes),
    mib(r.fsWriteBytes),
    smallMib(r.bytesWritten ?? undefined),
    ...(moves ? [smallMib(r.movedBytes), smallMib(r.literalBytes)] : []),
    ...(ssh ? [mib(r.wireBytes)] : []),
    ratio(r.ratios.floor),
    ratio(r.ratios.rsync),
    ratio(ssh ? (r.ratios.catSsh ?? null) : r.ratios.cp),
    statusCell(r),
  ]);
  const all = [HEADERS, ...rows];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) =>
        i < 2 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** One line per check: status, scenario, target and the measured numbers. */
export function formatChecks(checks: readonly CheckResult[]): string[] {
  return checks.map((c) => {
    const measured = Object.entries(c.measured)
      .map(([k, v]) => `${k}=${v === null ? '-' : Number.isInteger(v) ? v : v.toFixed(3)}`)
      .join(' ');
    const note = c.note === undefined || c.note === '' ? '' : `  ${c.note}`;
    return `${c.status.toUpperCase().padEnd(7)} ${c.scenario}: ${c.target}  (${measured})${note}`;
  });
}

/** The header lines: machine, Node, sizes, timer, and notes. */
export function formatHeader(report: BenchReport): string[] {
  const m = report.machine;
  return [
    `bigsync bench  ${report.date}  node ${report.node}  ${m.cpus} x ${m.cpuModel}  ${(m.totalmem / 2 ** 30).toFixed(1)} GiB RAM  ${m.platform} ${m.kernel}`,
    ...(report.mode === 'ssh'
      ? [`mode ssh: targets reached through OpenSSH sshd on 127.0.0.1 (${report.ssh?.sshVersion ?? '?'})`]
      : []),
    `size ${(report.size / MIB).toFixed(0)} MiB  seed '${report.seed}'  repeat ${report.repeat}  sparse ${(report.sparseSize / MIB).toFixed(0)} MiB holding ${(report.sparseDataBytes / MIB).toFixed(0)} MiB  timer ${report.timer}`,
    ...report.notes.map((n) => `note: ${n}`),
  ];
}

function num(v: number | null, digits: number): string {
  return v === null ? '-' : v.toFixed(digits);
}

function ratio(v: number | null): string {
  return v === null ? '-' : `${v.toFixed(2)}x`;
}
