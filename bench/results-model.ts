/**
 * The shape of benchmark results: what the harness records, the checks read, the table shows and
 * the JSON file holds. Add fields, never rename: committed results under bench/results use them.
 */

/** Where the targets are: local files, or over ssh on 127.0.0.1. */
export type BenchMode = 'local' | 'ssh';

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
  /** SSH mode: protocol bytes both ways, as the tool counts them (see bench/README.md); null if it does not say. */
  wireBytes?: number | null;
  /** SSH mode: what the sshd side (the remote end, on this machine) used; included in cpuSeconds and fsWriteBytes. */
  remote?: RemoteUsage;
  /** Set when the tool refused the run as unsupported here (e.g. bigsync -z without zstd): its message. */
  unsupported?: string;
}

/** What sshd and everything it ran for one timed command used, from its /proc counters. */
export interface RemoteUsage {
  cpuSeconds: number | null;
  fsWriteBytes: number | null;
}

/** One tool in one scenario: the median over its runs, plus every run. */
export interface ToolResult {
  scenario: string;
  tool: string;
  /** `unsupported`: the tool refused the run as not possible here (not a wrong result; see `reason`). */
  status: 'ok' | 'FAILED' | 'skipped' | 'unsupported';
  /** Why it was skipped, failed or is unsupported. */
  reason?: string;
  seconds: number | null;
  cpuSeconds: number | null;
  /** The largest peak RSS over the runs. */
  maxRssBytes: number | null;
  bytesWritten: number | null;
  fsWriteBytes: number | null;
  /** SSH mode: bytes on the wire of the median run (see RunRecord.wireBytes). */
  wireBytes?: number | null;
  /** bigsync's `match` in the median run ('aligned' or 'rolling'), when its summary has it. */
  match?: string;
  /** bigsync's `movedBytes` in the median run (bytes copied from elsewhere in the old target), when reported. */
  movedBytes?: number;
  /** bigsync's `literalBytes` in the median run (bytes that came from the source's data), when reported. */
  literalBytes?: number;
  /**
   * This tool's median seconds divided by the floor's, rsync's and cp's in the same scenario. In SSH
   * mode `floor` is floor-ssh, `cp` is null and `catSsh` is the `cat | ssh` copy.
   */
  ratios: { floor: number | null; rsync: number | null; cp: number | null; catSsh?: number | null };
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
  /** `unsupported`: the run it needs was refused as unsupported here (`note` says why). */
  status: 'pass' | 'fail' | 'not-run' | 'unsupported';
  measured: Record<string, number | null>;
  /** Why a check is unsupported, or other remarks. */
  note?: string;
}

/** The whole report, as written to the JSON file. */
export interface BenchReport {
  machine: { cpus: number; cpuModel: string; totalmem: number; kernel: string; platform: string };
  /** `ssh`: targets were reached over a real sshd on 127.0.0.1 (`bench --ssh`); absent in older files: local. */
  mode?: BenchMode;
  /** SSH mode: the client and server versions (`ssh -V`), and rsync's. */
  ssh?: { sshVersion: string; rsyncVersion: string | null };
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
