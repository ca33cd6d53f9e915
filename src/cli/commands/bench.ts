/**
 * `bigsync bench`: the benchmark, side by side with rsync and cp in one run (bench/harness.ts).
 * Writes the JSON report to bench/results/ unless --json-out says otherwise.
 */
import { BENCH_USAGE, defaultJsonOut, parseBenchArgs, runBench } from '../../../bench/harness.js';
import type { CliContext } from '../context.js';

/** Runs the benchmark; exit code 1 when any tool produced a wrong result. */
export async function runBenchCommand(argv: string[], ctx: CliContext): Promise<number> {
  const opts = parseBenchArgs(argv);
  if (opts.help === true) {
    ctx.stdout(BENCH_USAGE);
    return 0;
  }
  const result = await runBench({ ...opts, jsonOut: opts.jsonOut ?? defaultJsonOut() }, (line: string) =>
    ctx.stdout(`${line}\n`),
  );
  return result.ok ? 0 : 1;
}
