/**
 * `bigsync bench`: runs the named scenarios with every tool side by side, in one run and on the
 * same files, checks every result byte for byte, evaluates the targets, and reports.
 *
 * Called by the CLI's bench command (which prints through `log` and sets the exit code from
 * `report.ok`) and by tests. Library code: it never prints or exits by itself.
 */
import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BigsyncError } from '../src/errors.js';
import type { BenchOptions } from './bench-args.js';
import { evaluateChecks } from './checks.js';
import { flushFile } from './file-io.js';
import { writeVmImage } from './image-generator.js';
import { detectTimer } from './measure.js';
import { packageRoot } from './package-root.js';
import { formatChecks, formatHeader, formatTable, machineInfo, writeReportJson } from './report.js';
import type { BenchMode, BenchReport, ScenarioRecord, ToolResult } from './results-model.js';
import { findScenario, SCENARIOS, type Scenario, type ScenarioContext } from './scenarios.js';
import { startSshSession, type SshSession } from './ssh-session.js';
import { DEFAULT_SSH_TOOL_NAMES, SSH_TOOL_NAMES, type SshToolName } from './ssh-tools.js';
import type { RemoteProbe } from './sshd-accounting.js';
import { addRatios, LOCAL_RATIO_BASES, runTool, skipped, SSH_RATIO_BASES } from './tool-runner.js';
import {
  builtinTools,
  DEFAULT_TOOL_NAMES,
  RSYNC_NOTE,
  TOOL_NAMES,
  type BigsyncLaunch,
  type Tool,
  type ToolName,
} from './tools.js';
import { apparentSize } from './verify.js';

export { parseBenchArgs, BENCH_USAGE, type BenchOptions } from './bench-args.js';
export { defaultJsonOut, packageRoot } from './package-root.js';

/** Receives the report's lines (progress lines start with "# "). */
export type BenchLog = (line: string) => void;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

interface Config {
  ctx: Omit<ScenarioContext, 'dir' | 'baseImage'>;
  scenarios: Scenario[];
  mode: BenchMode;
  launch: BigsyncLaunch;
  /** Tool names (checked against the mode's list) or injected tools; made into Tools once SSH is up. */
  tools: NonNullable<BenchOptions['tools']>;
  repeat: number;
  keep: boolean;
}

function resolveConfig(opts: BenchOptions): Config {
  const scenarios = (opts.scenarios ?? SCENARIOS.map((s) => s.name)).map((name) => {
    const s = findScenario(name);
    if (s === undefined) throw new BigsyncError('USAGE', `bench: unknown scenario '${name}'`);
    return s;
  });
  const launch = {
    command: opts.bigsyncCommand ?? [process.execPath, join(packageRoot(), 'bin', 'bigsync.cjs')],
    args: opts.bigsyncArgs ?? [],
  };
  const mode: BenchMode = opts.ssh === true ? 'ssh' : 'local';
  const names: readonly (ToolName | SshToolName)[] = mode === 'ssh' ? SSH_TOOL_NAMES : TOOL_NAMES;
  const tools = opts.tools ?? [...(mode === 'ssh' ? DEFAULT_SSH_TOOL_NAMES : DEFAULT_TOOL_NAMES)];
  for (const t of tools) {
    if (typeof t === 'string' && !names.includes(t))
      throw new BigsyncError('USAGE', `bench: tool '${t}' is not one of ${names.join(', ')} (${mode} mode)`);
  }
  const ctx = {
    size: opts.size ?? GIB,
    seed: opts.seed ?? 'bigsync-bench-1',
    sparseSize: opts.sparseSize ?? 64 * GIB,
    sparseDataBytes: opts.sparseDataBytes ?? 256 * MIB,
    changeBlockSize: opts.changeBlockSize ?? MIB,
  };
  return { ctx, scenarios, mode, launch, tools, repeat: opts.repeat ?? 1, keep: opts.keep === true };
}

/** The Tool objects of the run: the mode's built-ins by name, injected tools as they are. */
function toolsOf(cfg: Config, ssh: SshSession | undefined): Tool[] {
  const builtin: Record<string, Tool> = ssh?.tools ?? builtinTools(cfg.launch);
  return cfg.tools.map((t) => {
    if (typeof t !== 'string') return t;
    const tool = builtin[t];
    if (tool === undefined) throw new BigsyncError('INTERNAL', `bench: no tool '${t}'`);
    return tool;
  });
}

/** What every scenario of a run shares. */
interface RunContext {
  cfg: Config;
  tools: Tool[];
  available: Map<Tool, string | null>;
  timer: Awaited<ReturnType<typeof detectTimer>>;
  log: BenchLog;
  notes: Set<string>;
  probe: RemoteProbe | undefined;
}

/** Fails with NO_SPACE unless `dir` has room for the base image and the scenarios' files. */
async function checkFreeSpace(dir: string, cfg: Config): Promise<void> {
  const base = cfg.scenarios.some((s) => s.usesBaseImage) ? cfg.ctx.size : 0;
  const each = cfg.scenarios.map((s) => s.diskBytes(cfg.ctx));
  const need = base + (cfg.keep ? each.reduce((a, b) => a + b, 0) : Math.max(0, ...each)) + 64 * MIB;
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (need > free) {
    const gib = (n: number) => `${(n / GIB).toFixed(1)} GiB`;
    throw new BigsyncError(
      'NO_SPACE',
      `bench needs about ${gib(need)} free in ${dir} but has ${gib(free)}; use --work-dir or a smaller --size`,
      { need, free, dir },
    );
  }
}

/**
 * Runs the benchmark and resolves with its report (also written to `opts.jsonOut` when given).
 * Lines of the table, the checks and progress go to `log`. `report.ok` is false when any tool
 * produced a wrong result or crashed; failing checks do not make it false.
 *
 * @throws BigsyncError USAGE for an unknown scenario, NO_SPACE when the work directory is too small.
 */
export async function runBench(
  opts: BenchOptions = {},
  log: BenchLog = () => undefined,
): Promise<BenchReport> {
  const cfg = resolveConfig(opts);
  const parent = resolve(opts.workDir ?? tmpdir());
  await mkdir(parent, { recursive: true });
  const runDir = await mkdtemp(join(parent, 'bigsync-bench-'));
  const notes = new Set<string>();
  let ssh: SshSession | undefined;
  try {
    await checkFreeSpace(runDir, cfg);
    const timer = await detectTimer();
    if (cfg.mode === 'ssh') {
      ssh = await startSshSession(runDir, cfg.launch, log);
      for (const n of ssh.notes) notes.add(n);
    }
    const tools = toolsOf(cfg, ssh);
    const report = newReport(cfg, timer, ssh);
    const baseImage = join(runDir, 'base.img');
    if (cfg.scenarios.some((s) => s.usesBaseImage)) {
      log(`# writing base image: ${(cfg.ctx.size / MIB).toFixed(0)} MiB, seed '${cfg.ctx.seed}'`);
      await writeVmImage(baseImage, cfg.ctx.size, cfg.ctx.seed);
    }
    const run: RunContext = {
      cfg,
      tools,
      available: await availability(tools),
      timer,
      log,
      notes,
      probe: ssh?.probe,
    };
    for (const scenario of cfg.scenarios) {
      const dir = join(runDir, scenario.name);
      await mkdir(dir);
      const { record, results } = await runScenario(scenario, { ...cfg.ctx, dir, baseImage }, run);
      report.scenarios.push(record);
      report.results.push(...results);
      if (!cfg.keep) await rm(dir, { recursive: true, force: true });
    }
    return await finish(report, notes, opts, log);
  } finally {
    await ssh?.stop();
    if (cfg.keep) log(`# files kept in ${runDir}`);
    else await rm(runDir, { recursive: true, force: true });
  }
}

async function availability(tools: Tool[]): Promise<Map<Tool, string | null>> {
  const entries = await Promise.all(tools.map(async (t) => [t, await t.unavailable()] as const));
  return new Map(entries);
}

async function runScenario(
  scenario: Scenario,
  ctx: ScenarioContext,
  run: RunContext,
): Promise<{ record: ScenarioRecord; results: ToolResult[] }> {
  const { cfg, available, timer, log, notes } = run;
  log(`# ${scenario.name}: preparing`);
  const started = process.hrtime.bigint();
  const prepared = await scenario.prepare(ctx);
  await flushFile(prepared.source);
  const prepareSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(
    `# ${scenario.name}: prepared in ${prepareSeconds.toFixed(1)} s, ${prepared.changedBytes} bytes differ`,
  );
  const results: ToolResult[] = [];
  for (const tool of run.tools) {
    const missing = available.get(tool) ?? null;
    if (missing !== null) {
      results.push(skipped(scenario.name, tool.name, missing));
      continue;
    }
    const targetPath = join(ctx.dir, 'target.img');
    const setup = {
      scenario: scenario.name,
      prepared,
      targetPath,
      timer,
      repeat: cfg.repeat,
      note: (t: string) => void notes.add(t),
      ...(run.probe === undefined ? {} : { remote: run.probe }),
    };
    const result = await runTool(tool, setup);
    results.push(result);
    log(
      `#   ${tool.name}: ${result.status}${result.seconds === null ? '' : ` ${result.seconds.toFixed(3)} s`}${result.reason ? ` (${result.reason})` : ''}`,
    );
  }
  addRatios(results, cfg.mode === 'ssh' ? SSH_RATIO_BASES : LOCAL_RATIO_BASES);
  const sourceSize = (await apparentSize(prepared.source)) ?? 0;
  const record = {
    name: scenario.name,
    description: scenario.description,
    sourceSize,
    targetSize: prepared.targetSize,
    changedBytes: prepared.changedBytes,
    sparse: prepared.sparse,
    prepareSeconds,
  };
  return { record, results };
}

function newReport(cfg: Config, timer: string, ssh: SshSession | undefined): BenchReport {
  return {
    machine: machineInfo(),
    ...(cfg.mode === 'ssh' ? { mode: cfg.mode } : {}),
    ...(ssh === undefined ? {} : { ssh: ssh.info }),
    node: process.version,
    date: new Date().toISOString(),
    ...cfg.ctx,
    repeat: cfg.repeat,
    timer,
    notes: [],
    scenarios: [],
    results: [],
    checks: [],
    ok: true,
  };
}

async function finish(
  report: BenchReport,
  notes: Set<string>,
  opts: BenchOptions,
  log: BenchLog,
): Promise<BenchReport> {
  const mode = report.mode ?? 'local';
  report.checks = evaluateChecks(report.results, report.scenarios, mode);
  report.ok = report.results.every((r) => r.status !== 'FAILED');
  report.notes = [...staticNotes(report), ...notes];
  for (const line of [
    ...formatHeader(report),
    '',
    ...formatTable(report.results, mode),
    '',
    'checks:',
    ...formatChecks(report.checks),
  ]) {
    log(line);
  }
  if (!report.ok) log('FAILED: at least one tool produced a wrong result or crashed (see the ok column)');
  if (opts.jsonOut !== undefined) {
    await writeReportJson(opts.jsonOut, report);
    log(`# results written to ${opts.jsonOut}`);
  }
  return report;
}

function staticNotes(report: BenchReport): string[] {
  const notes = [
    `NODE_EXTRA_CA_CERTS is removed from bigsync's environment${process.env.NODE_EXTRA_CA_CERTS ? ' (it is set here)' : ''}: it costs about 0.2 s per node start where set, and users rarely set it`,
    ...(report.mode === 'ssh' ? [] : [`rsync runs with ${RSYNC_NOTE}`]),
    ...(report.results.some((r) => r.tool === 'rdiff' && r.status !== 'skipped')
      ? [
          "rdiff runs signature, delta and patch into a new file renamed over the target, timed as one command; its reported MiB is the delta's size (it has no network mode: compare it with wire bytes)",
        ]
      : []),
    'ratios compare tools of this one run; "dirtied" is what the kernel counted as written to files (whole page-cache folios, so small writes count more than their size), "reported" what the tool says it wrote',
  ];
  if (report.timer !== 'gnu-time')
    notes.push(
      `no GNU time: ${report.timer === 'bash-times' ? 'RSS and written bytes not measured' : 'only wall time measured'}`,
    );
  return notes;
}
