/**
 * The shape of benchmark results: what the harness records, the checks read, the table shows and
 * the JSON file holds. Add fields, never rename: committed results under bench/results use them.
 */

/** One timed run of one tool. */
export interface RunRecord {
  seconds: number;
  cpuSeconds: number | null;
  maxRssBytes: number | null;
  /** Bytes the tool dirtied in files, from the kernel's accounting (GNU time %O); null without GNU time. */
  fsWriteBytes: number | null;
  /** Bytes the tool says it wrote; null when it does not say. */
  bytesWritten: number | null;
  /** Whether the result equals the source byte for byte (for the floor: whether it exited 0). */
  ok: boolean;
  /** Why not ok, or other remarks. */
  note?: string;
  /** bigsync's JSON summary. */
  summary?: Record<string, unknown>;
}

/** One tool in one scenario: the median over its runs, plus every run. */
export interface ToolResult {
  scenario: string;
  tool: string;
  status: 'ok' | 'FAILED' | 'skipped';
  /** Why it was skipped, or why it failed. */
  reason?: string;
  seconds: number | null;
  cpuSeconds: number | null;
  /** The largest peak RSS over the runs. */
  maxRssBytes: number | null;
  bytesWritten: number | null;
  fsWriteBytes: number | null;
  /** This tool's median seconds divided by the floor's, rsync's and cp's in the same scenario. */
  ratios: { floor: number | null; rsync: number | null; cp: number | null };
  /** du-style bytes of the source and of this tool's result (null for the floor). */
  allocated: { source: number | null; result: number | null };
  runs: RunRecord[];
}

/** A scenario as it was run. */
export interface ScenarioRecord {
  name: string;
  description: string;
  sourceSize: number;
  /** Size of the pristine target, or null when there was none. */
  targetSize: number | null;
  changedBytes: number;
  sparse: boolean;
  prepareSeconds: number;
}

/** A target the benchmark evaluates; failing ones are reported, never hidden. */
export interface CheckResult {
  id: string;
  scenario: string;
  /** The target in words, e.g. "bigsync <= 1.3x floor". */
  target: string;
  status: 'pass' | 'fail' | 'not-run';
  measured: Record<string, number | null>;
}

/** The whole report, as written to the JSON file. */
export interface BenchReport {
  machine: { cpus: number; cpuModel: string; totalmem: number; kernel: string; platform: string };
  node: string;
  date: string;
  size: number;
  seed: string;
  repeat: number;
  sparseSize: number;
  sparseDataBytes: number;
  changeBlockSize: number;
  timer: string;
  notes: string[];
  scenarios: ScenarioRecord[];
  results: ToolResult[];
  checks: CheckResult[];
  /** False when any tool produced a wrong result (or crashed): the bench then exits non-zero. */
  ok: boolean;
}
