/**
 * The tools the benchmark runs side by side: the read floor, bigsync, and what a user would pick
 * instead (rsync, rdiff, cp, cat). A tool is data plus a command builder, so tests can inject their own.
 */
import { exitsZero, type CommandSpec, type Measurement } from './measure.js';
import { rdiffTool } from './rdiff-tool.js';

/** Names of the built-in tools, in the order the benchmark runs them. */
export const TOOL_NAMES = [
  'floor',
  'bigsync',
  'bigsync-aligned',
  'bigsync-rolling',
  'rsync',
  'rdiff',
  'cp',
  'cat',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** bigsync with a forced `--match`, in both modes: these run only when named in `--tools`. */
export const NAMED_ONLY_TOOLS: readonly string[] = ['bigsync-aligned', 'bigsync-rolling'];

/** The tools a run uses unless `--tools` says otherwise: all but bigsync-aligned and bigsync-rolling. */
export const DEFAULT_TOOL_NAMES: readonly ToolName[] = TOOL_NAMES.filter(
  (t) => !NAMED_ONLY_TOOLS.includes(t),
);

/** The bigsync arguments of the `bigsync-aligned` tool: same-offset blocks only, no search for moved data. */
export const ALIGNED_ARGS: readonly string[] = ['--match=aligned'];

/** The bigsync arguments of the `bigsync-rolling` tool: a search for moved data wherever blocks differ. */
export const ROLLING_ARGS: readonly string[] = ['--match=rolling'];

/** One timed run: the files a tool is given. */
export interface ToolRun {
  source: string;
  target: string;
  /** False when the scenario has no target file (the tool creates it). */
  targetExists: boolean;
  /** True for sparse scenarios (tools that can keep holes are asked to). */
  sparse: boolean;
  /** True where data moved (see PreparedScenario.shifted): tools that can find it are asked to. */
  shifted: boolean;
  /** True in the scenarios that test the search for moved data (see PreparedScenario.movedDataTest). */
  movedDataTest?: boolean;
}

/** What a tool reported about its own run, beyond what the timer measured. */
export interface ToolOutput {
  /** Bytes the tool says it wrote (bigsync's summary, rsync's "Literal data"); null if it does not say. */
  bytesWritten: number | null;
  /** bigsync's parsed summary object. */
  summary?: Record<string, unknown>;
  /** SSH mode: bytes on the wire both ways, as the tool counts them; null if it does not say. */
  wireBytes?: number | null;
  note?: string;
}

/** A competitor. */
export interface Tool {
  name: string;
  /** True when the tool writes TARGET; the result is then compared with SOURCE byte for byte. */
  writesTarget: boolean;
  /** Resolves to null when the tool can run on this machine, else the reason it is skipped. */
  unavailable(): Promise<string | null>;
  /** Null when the tool takes part in a scenario, else the reason it sits it out. */
  skipFor?(run: ToolRun): string | null;
  /** The command of one run. */
  command(run: ToolRun): CommandSpec;
  /** Files the tool leaves beside the target (such as rdiff's delta); removed before each run and after the last. */
  scratchFiles?(run: ToolRun): string[];
  /** Reads the tool's own report from its output (`run`: the files it was given). */
  parse?(m: Measurement, run: ToolRun): ToolOutput;
  /**
   * For a run that exited non-zero: the tool's message when it refused the run as unsupported on
   * this machine (e.g. bigsync -z without zstd), else null (the run failed). Unsupported runs are
   * reported as such, not as wrong results.
   */
  unsupported?(m: Measurement): string | null;
}

/** How to start bigsync. */
export interface BigsyncLaunch {
  /** Program and leading arguments, e.g. [process.execPath, '<pkgroot>/bin/bigsync.cjs']. */
  command: string[];
  /** Extra arguments, placed after --json and before SOURCE TARGET. */
  args: string[];
}

/** The built-in tools, by name. */
export function builtinTools(bigsync: BigsyncLaunch): Record<ToolName, Tool> {
  return {
    floor: floorTool(),
    bigsync: bigsyncTool(bigsync, 'bigsync', []),
    'bigsync-aligned': bigsyncTool(bigsync, 'bigsync-aligned', ALIGNED_ARGS),
    'bigsync-rolling': bigsyncTool(bigsync, 'bigsync-rolling', ROLLING_ARGS),
    rsync: rsyncTool(),
    rdiff: rdiffTool(),
    cp: cpTool(),
    cat: catTool(),
  };
}

function floorTool(): Tool {
  return {
    name: 'floor',
    writesTarget: false,
    unavailable: async () => ((await exitsZero(['cat', '/dev/null'])) ? null : 'cat not found'),
    command: (r) => ({
      argv: ['cat', r.source, ...(r.targetExists ? [r.target] : [])],
      stdoutFile: '/dev/null',
    }),
  };
}

/** The environment bigsync runs with: NODE_EXTRA_CA_CERTS removed (it costs ~0.2 s per node start). */
export function bigsyncEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.NODE_EXTRA_CA_CERTS;
  return copy;
}

/** bigsync with `extra` arguments after the user's (so they win over a repeated option). */
function bigsyncTool(launch: BigsyncLaunch, name: string, extra: readonly string[]): Tool {
  return {
    name,
    writesTarget: true,
    unavailable: async () => {
      const ok = await exitsZero([...launch.command, '--version']);
      return ok ? null : `'${launch.command.join(' ')} --version' failed`;
    },
    command: (r) => ({
      argv: [...launch.command, '--json', ...launch.args, ...extra, r.source, r.target],
      env: bigsyncEnv(),
    }),
    parse: (m) => {
      const summary = parseBigsyncSummary(m.stdout);
      if (summary === null) return { bytesWritten: null, note: 'no JSON summary on the last stdout line' };
      const written = summary.bytesWritten;
      return { bytesWritten: typeof written === 'number' ? written : null, summary };
    },
  };
}

/** Parses the last non-empty stdout line as bigsync's `{"type":"summary",...}` object, or null. */
export function parseBigsyncSummary(stdout: string): Record<string, unknown> | null {
  const lines = stdout.trim().split('\n');
  try {
    const value: unknown = JSON.parse(lines[lines.length - 1] ?? '');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const obj = value as Record<string, unknown>;
    return obj.type === 'summary' ? obj : null;
  } catch {
    return null;
  }
}

/**
 * rsync at its best settings for each scenario: for block changes in place, `--inplace` (it
 * rewrites only the blocks that differ, as bigsync does); where data moved, its default of writing
 * a new file and renaming it over the target, because in place it cannot use a block it has
 * already overwritten, so data that moved to a later offset (an insertion) would be sent again.
 * `--no-whole-file` keeps the delta algorithm on for local copies too. With `remote`, the target
 * is reached through `-e RSH` as `host:path` (the SSH mode); `parse` then adds the wire bytes.
 */
export function rsyncTool(remote?: {
  rsh: string;
  host: string;
  wireBytes: (stdout: string) => number | null;
}): Tool {
  return {
    name: 'rsync',
    writesTarget: true,
    unavailable: async () => ((await exitsZero(['rsync', '--version'])) ? null : 'rsync is not installed'),
    // --ignore-times: never skip on matching size+mtime, so rsync compares content as bigsync does.
    command: (r) => ({
      argv: [
        'rsync',
        ...rsyncModeArgs(r),
        '--no-whole-file',
        '--ignore-times',
        '--stats',
        ...(r.sparse ? ['--sparse'] : []),
        ...(remote === undefined ? [] : ['-e', remote.rsh]),
        r.source,
        remote === undefined ? r.target : `${remote.host}:${r.target}`,
      ],
    }),
    parse: (m) => ({
      bytesWritten: parseRsyncLiteral(m.stdout),
      ...(remote === undefined ? {} : { wireBytes: remote.wireBytes(m.stdout) }),
    }),
  };
}

/** How rsync runs, for the report's notes. */
export const RSYNC_NOTE =
  '--no-whole-file --ignore-times --stats, with --inplace where blocks change in place and without it (a new file renamed over the target) where data moved (shift); --sparse in sparse scenarios';

/** `--inplace` for block changes in place; nothing (rsync's new-file mode) where data moved. */
export function rsyncModeArgs(run: Pick<ToolRun, 'shifted'>): string[] {
  return run.shifted ? [] : ['--inplace'];
}

/** Reads "Literal data: 1,234 bytes" from rsync --stats output; null if absent. */
export function parseRsyncLiteral(stdout: string): number | null {
  const m = /Literal data:\s*([\d,]+)/.exec(stdout);
  return m?.[1] === undefined ? null : Number(m[1].replaceAll(',', ''));
}

function cpTool(): Tool {
  return {
    name: 'cp',
    writesTarget: true,
    unavailable: async () => ((await exitsZero(['cp', '--version'])) ? null : 'GNU cp not found'),
    command: (r) => ({ argv: ['cp', '--sparse=always', r.source, r.target] }),
  };
}

function catTool(): Tool {
  return {
    name: 'cat',
    writesTarget: true,
    unavailable: async () => ((await exitsZero(['cat', '/dev/null'])) ? null : 'cat not found'),
    skipFor: (r) => (r.sparse ? 'cat would write every hole as zeros' : null),
    command: (r) => ({ argv: ['cat', r.source], stdoutFile: r.target }),
  };
}
