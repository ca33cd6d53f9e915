/**
 * `bigsync bench`: the benchmark, side by side with rsync and cp in one run (bench/harness.ts).
 */
import { parseBenchArgs, runBench } from '../../../bench/harness.js';
import type { CliContext } from '../context.js';

/** Runs the benchmark; exit code 1 when any tool produced a wrong result. */
export async function runBenchCommand(argv: string[], ctx: CliContext): Promise<number> {
  const opts = parseBenchArgs(argv);
  const result = await runBench(opts, (line: string) => ctx.stdout(`${line}\n`));
  return result.ok ? 0 : 1;
}
