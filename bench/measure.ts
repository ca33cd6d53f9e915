/**
 * Runs one command and measures it: wall time (process.hrtime around spawn and exit), CPU user and
 * system seconds, peak RSS, and bytes the command dirtied in files.
 *
 * With GNU time (`/usr/bin/time`) the command runs as `time -f '%e %U %S %M %O' -o TMP argv...`:
 * %M is the peak RSS in KiB and %O the file-system outputs in 512-byte units (Linux counts a page
 * when it is dirtied, so this is bytes written to files, counted in whole page-cache folios: 4 KiB
 * pages, or larger folios on kernels that use them, so a 4 KiB write may count as 64 KiB or more). Without GNU time it runs
 * as `bash -c '"$@"; times >&2'` for CPU only; RSS and written bytes are then null.
 */
import { spawn } from 'node:child_process';
import { access, constants, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One command to run. */
export interface CommandSpec {
  /** Program and arguments; run without a shell. */
  argv: string[];
  /** Environment; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Send stdout to this file (created or truncated), as `> FILE` would; default: captured. */
  stdoutFile?: string;
}

/** How commands are timed on this machine. */
export type TimerKind = 'gnu-time' | 'bash-times' | 'wall-only';

/** What one run measured. Null means "not measurable with this timer". */
export interface Measurement {
  seconds: number;
  userSeconds: number | null;
  sysSeconds: number | null;
  maxRssBytes: number | null;
  /** Bytes the command (and its waited-for children) dirtied in files (folio-granular, see above). */
  fsWriteBytes: number | null;
  exitCode: number | null;
  signal: string | null;
  /** The last 64 KiB of stdout (empty when it went to a file). */
  stdout: string;
  /** The last 16 KiB of stderr, without the timer's own lines. */
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const STDOUT_KEEP = 64 << 10;
const STDERR_KEEP = 16 << 10;

/** Finds the best timer available here: GNU time, else bash `times`, else wall time only. */
export async function detectTimer(): Promise<TimerKind> {
  if (await exitsZero([GNU_TIME, '-f', '%e %M %O', '-o', '/dev/null', 'true'])) return 'gnu-time';
  if (await exitsZero(['bash', '-c', 'times'])) return 'bash-times';
  return 'wall-only';
}

/** True when `argv` can be spawned and exits with status 0. */
export async function exitsZero(argv: string[]): Promise<boolean> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return false;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Runs `spec` under `timer` and returns what was measured. Never throws for a failing command. */
export async function measureCommand(spec: CommandSpec, timer: TimerKind): Promise<Measurement> {
  const dir = await mkdtemp(join(tmpdir(), 'bigsync-time-'));
  const timeFile = join(dir, 'time.txt');
  try {
    const argv = wrapArgv(spec.argv, timer, timeFile);
    const raw = await spawnTimed(argv, spec);
    if (timer === 'gnu-time') return { ...raw, ...parseGnuTime(await readText(timeFile)) };
    if (timer === 'bash-times') return { ...raw, ...parseBashTimes(raw.stderr) };
    return raw;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function wrapArgv(argv: string[], timer: TimerKind, timeFile: string): string[] {
  if (timer === 'gnu-time') return [GNU_TIME, '-f', '%e %U %S %M %O', '-o', timeFile, ...argv];
  if (timer === 'bash-times') return ['bash', '-c', '"$@"; s=$?; times >&2; exit $s', 'bench', ...argv];
  return argv;
}

async function spawnTimed(argv: string[], spec: CommandSpec): Promise<Measurement> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty command');
  const out = spec.stdoutFile === undefined ? undefined : await open(spec.stdoutFile, 'w');
  try {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      env: spec.env ?? process.env,
      stdio: ['ignore', out?.fd ?? 'pipe', 'pipe'],
    });
    const stdout = new Tail(STDOUT_KEEP);
    const stderr = new Tail(STDERR_KEEP);
    child.stdout?.on('data', (d: Buffer) => stdout.push(d));
    child.stderr?.on('data', (d: Buffer) => stderr.push(d));
    const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => {
      child.on('error', (err) => {
        stderr.push(Buffer.from(String(err)));
        resolve([null, null]);
      });
      child.on('close', (code, sig) => resolve([code, sig]));
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const none = { userSeconds: null, sysSeconds: null, maxRssBytes: null, fsWriteBytes: null };
    return { seconds, ...none, exitCode, signal, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    await out?.close();
  }
}

async function readText(path: string): Promise<string> {
  try {
    await access(path, constants.R_OK);
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** Parses the last line of GNU time's `-o` file written with format '%e %U %S %M %O'. */
export function parseGnuTime(text: string): Partial<Measurement> {
  const lines = text.trim().split('\n');
  const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+)$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (m === null) return {};
  return {
    userSeconds: Number(m[2]),
    sysSeconds: Number(m[3]),
    maxRssBytes: Number(m[4]) * 1024,
    fsWriteBytes: Number(m[5]) * 512,
  };
}

/**
 * Parses bash's `times` output, the last two lines of stderr ("0m0.001s 0m0.002s" for the shell,
 * then for its children), and removes them from stderr.
 */
export function parseBashTimes(stderr: string): Partial<Measurement> {
  const lines = stderr.replace(/\n$/, '').split('\n');
  const re = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/;
  const children = re.exec(lines[lines.length - 1] ?? '');
  if (children === null || lines.length < 2 || !re.test(lines[lines.length - 2] ?? '')) return {};
  const secs = (min: string | undefined, s: string | undefined) => Number(min) * 60 + Number(s);
  return {
    userSeconds: secs(children[1], children[2]),
    sysSeconds: secs(children[3], children[4]),
    stderr: lines.slice(0, -2).join('\n'),
  };
}

/** Keeps the last `limit` bytes pushed into it. */
class Tail {
  #chunks: Buffer[] = [];
  #bytes = 0;
  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes - (this.#chunks[0]?.length ?? 0) >= this.limit && this.#chunks.length > 1) {
      this.#bytes -= this.#chunks.shift()?.length ?? 0;
    }
  }

  text(): string {
    const all = Buffer.concat(this.#chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}
