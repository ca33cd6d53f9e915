/**
 * Runs one tool in one prepared scenario: for each repetition, a fresh copy of the pristine target
 * (made before timing), a warm page cache (`cat SOURCE TARGET > /dev/null`), the timed command,
 * and a byte-for-byte check of the result against the source. In SSH mode a probe on the sshd
 * adds the remote side's CPU and written bytes to the local ones.
 */
import { rm } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { flushFile } from './file-io.js';
import { measureCommand, type TimerKind } from './measure.js';
import type { RemoteUsage, RunRecord, ToolResult } from './results-model.js';
import type { PreparedScenario } from './scenarios.js';
import type { RemoteProbe } from './sshd-accounting.js';
import type { Tool, ToolRun } from './tools.js';
import { allocatedBytes, apparentSize, compareFiles } from './verify.js';

/** Everything one tool run needs besides the tool. */
export interface RunSetup {
  scenario: string;
  prepared: PreparedScenario;
  /** Where the working target goes (replaced before every run). */
  targetPath: string;
  timer: TimerKind;
  repeat: number;
  /** Called with remarks worth a note in the report (e.g. an unwarmed cache). */
  note(text: string): void;
  /** SSH mode: measures the remote side of each timed run (added to CPU and written bytes). */
  remote?: RemoteProbe;
}

/** Runs `tool` `setup.repeat` times and summarizes: median seconds, CPU and bytes; largest RSS. */
export async function runTool(tool: Tool, setup: RunSetup): Promise<ToolResult> {
  const run: ToolRun = {
    source: setup.prepared.source,
    target: setup.targetPath,
    targetExists: setup.prepared.makeTarget !== null,
    sparse: setup.prepared.sparse,
    shifted: setup.prepared.shifted,
    movedDataTest: setup.prepared.movedDataTest ?? false,
  };
  const skip = tool.skipFor?.(run) ?? null;
  if (skip !== null) return skipped(setup.scenario, tool.name, skip);
  const runs: RunRecord[] = [];
  let resultAllocated: number | null = null;
  for (let i = 0; i < setup.repeat; i++) {
    const record = await runOnce(tool, run, setup);
    runs.push(record);
    if (record.unsupported !== undefined) break; // it will not become supported on the next try
    if (tool.writesTarget) resultAllocated = await allocatedBytes(run.target);
  }
  await removeOutputs(tool, run);
  return summarize(setup.scenario, tool.name, runs, {
    source: await allocatedBytes(run.source),
    result: resultAllocated,
  });
}

/** A result for a tool that did not run. */
export function skipped(scenario: string, tool: string, reason: string): ToolResult {
  const none = { seconds: null, cpuSeconds: null, maxRssBytes: null, bytesWritten: null, fsWriteBytes: null };
  return {
    scenario,
    tool,
    status: 'skipped',
    reason,
    ...none,
    ratios: { floor: null, rsync: null, cp: null },
    allocated: { source: null, result: null },
    runs: [],
  };
}

/** Removes the working target and the tool's scratch files. */
async function removeOutputs(tool: Tool, run: ToolRun): Promise<void> {
  for (const path of [run.target, ...(tool.scratchFiles?.(run) ?? [])]) await rm(path, { force: true });
}

async function runOnce(tool: Tool, run: ToolRun, setup: RunSetup): Promise<RunRecord> {
  await removeOutputs(tool, run);
  if (setup.prepared.makeTarget !== null) {
    await setup.prepared.makeTarget(run.target);
    await flushFile(run.target);
  }
  await warmCache(run, setup);
  const remoteDone = await setup.remote?.start();
  const m = await measureCommand(tool.command(run), setup.timer);
  const remote = await remoteDone?.();
  const out = tool.parse?.(m, run) ?? { bytesWritten: null };
  const cpu = m.userSeconds === null || m.sysSeconds === null ? null : m.userSeconds + m.sysSeconds;
  const record: RunRecord = {
    seconds: m.seconds,
    cpuSeconds: plusRemote(cpu, remote, remote?.cpuSeconds),
    maxRssBytes: m.maxRssBytes,
    fsWriteBytes: plusRemote(m.fsWriteBytes, remote, remote?.fsWriteBytes),
    bytesWritten: out.bytesWritten,
    ok: true,
    ...(out.wireBytes === undefined ? {} : { wireBytes: out.wireBytes }),
    ...(remote === undefined ? {} : { remote }),
    ...(out.summary === undefined ? {} : { summary: out.summary }),
    ...(out.note === undefined ? {} : { note: out.note }),
  };
  if (m.exitCode !== 0) {
    const unsupported = tool.unsupported?.(m) ?? null;
    if (unsupported !== null) return { ...record, ok: false, unsupported, note: unsupported };
    return { ...record, ok: false, note: exitNote(m.exitCode, m.signal, m.stderr) };
  }
  if (!tool.writesTarget) return record;
  const cmp = await compareFiles(run.source, run.target);
  return cmp.equal ? record : { ...record, ok: false, note: `wrong result: ${cmp.reason ?? 'differs'}` };
}

/** Local plus remote, when there is a remote side; null when either part could not be measured. */
function plusRemote(
  local: number | null,
  remote: RemoteUsage | undefined,
  remotePart: number | null | undefined,
): number | null {
  if (remote === undefined) return local;
  if (local === null || remotePart === null || remotePart === undefined) return null;
  return Math.round((local + remotePart) * 1000) / 1000; // sums of 2-decimal times, without float noise
}

function exitNote(code: number | null, signal: string | null, stderr: string): string {
  const last = stderr.trim().split('\n').pop() ?? '';
  const how = signal !== null ? `killed by ${signal}` : code === null ? 'could not start' : `exit ${code}`;
  return last === '' ? how : `${how}: ${last.slice(0, 200)}`;
}

/** Reads both files once so the timed run starts with a warm page cache (skipped when they cannot fit). */
async function warmCache(run: ToolRun, setup: RunSetup): Promise<void> {
  const files = run.targetExists ? [run.source, run.target] : [run.source];
  const sizes = await Promise.all(files.map(apparentSize));
  const total = sizes.reduce<number>((a, b) => a + (b ?? 0), 0);
  if (total > totalmem() / 2) {
    setup.note(`${setup.scenario}: page cache not warmed (${total} bytes to read, over half of RAM)`);
    return;
  }
  await measureCommand({ argv: ['cat', ...files], stdoutFile: '/dev/null' }, 'wall-only');
}

function summarize(
  scenario: string,
  tool: string,
  runs: RunRecord[],
  allocated: ToolResult['allocated'],
): ToolResult {
  const failed = runs.find((r) => !r.ok && r.unsupported === undefined);
  const unsupported = runs.find((r) => r.unsupported !== undefined);
  if (failed === undefined && unsupported !== undefined) {
    // Not a result: no times or ratios to compare, but the run and its message are kept.
    return { ...skipped(scenario, tool, unsupported.unsupported ?? ''), status: 'unsupported', runs };
  }
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const rss = runs.map((r) => r.maxRssBytes).filter((v): v is number => v !== null);
  return {
    scenario,
    tool,
    status: failed === undefined ? 'ok' : 'FAILED',
    ...(failed?.note === undefined ? {} : { reason: failed.note }),
    seconds: median?.seconds ?? null,
    cpuSeconds: median?.cpuSeconds ?? null,
    maxRssBytes: rss.length === 0 ? null : Math.max(...rss),
    bytesWritten: median?.bytesWritten ?? null,
    fsWriteBytes: median?.fsWriteBytes ?? null,
    ...(median?.wireBytes === undefined ? {} : { wireBytes: median.wireBytes }),
    ...matchOf(median?.summary),
    ratios: { floor: null, rsync: null, cp: null },
    allocated,
    runs,
  };
}

/** bigsync's match, movedBytes and literalBytes from its summary, when it reports them (issue 4). */
function matchOf(summary: Record<string, unknown> | undefined): Partial<ToolResult> {
  if (summary === undefined) return {};
  const out: Partial<ToolResult> = {};
  if (typeof summary.match === 'string') out.match = summary.match;
  if (typeof summary.movedBytes === 'number') out.movedBytes = summary.movedBytes;
  if (typeof summary.literalBytes === 'number') out.literalBytes = summary.literalBytes;
  return out;
}

/** Which tools the ratios divide by: the mode's floor, rsync, and cp (local) or cat-ssh (SSH mode). */
export interface RatioBases {
  floor: string;
  rsync: string;
  cp: string | null;
  /** When set, results get a `catSsh` ratio. */
  catSsh: string | null;
}

export const LOCAL_RATIO_BASES: RatioBases = { floor: 'floor', rsync: 'rsync', cp: 'cp', catSsh: null };
export const SSH_RATIO_BASES: RatioBases = {
  floor: 'floor-ssh',
  rsync: 'rsync',
  cp: null,
  catSsh: 'cat-ssh',
};

/** Fills in each result's ratios to the bases of the same scenario (successful runs only). */
export function addRatios(results: ToolResult[], bases: RatioBases = LOCAL_RATIO_BASES): void {
  const base = (tool: string | null) => {
    const r = results.find((x) => x.tool === tool && x.status === 'ok');
    return r?.seconds ?? null;
  };
  const floor = base(bases.floor);
  const rsync = base(bases.rsync);
  const cp = base(bases.cp);
  const catSsh = base(bases.catSsh);
  for (const r of results) {
    if (r.seconds === null) continue;
    const over = (b: number | null) => (b ? (r.seconds ?? 0) / b : null);
    r.ratios = {
      floor: over(floor),
      rsync: over(rsync),
      cp: over(cp),
      ...(bases.catSsh === null ? {} : { catSsh: over(catSsh) }),
    };
  }
}
