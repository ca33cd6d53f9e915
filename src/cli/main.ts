/**
 * The command line: parse, dispatch, and turn errors into exit codes and one clean line of text
 * (details with --verbose, an object with --json). The only place that sets the exit code.
 */
import { BigsyncError, toBigsyncError } from '../errors.js';
import { fastPaths, nativeStatus } from '../io/native.js';
import { runBenchCommand } from './commands/bench.js';
import { runDemo } from './commands/demo.js';
import { runServer, widenStdio } from './commands/server.js';
import { parseSyncArgs, runSync, SYNC_HELP } from './commands/sync.js';
import type { CliContext } from './context.js';
import { EXIT_CODES, EXIT_OK } from './exit-codes.js';
import { VERSION } from './version.js';
import { trace } from '../sync/trace.js';

/** `bigsync --version`: the version and which native fast paths are active. */
export function versionText(): string {
  const st = nativeStatus();
  const paths = fastPaths();
  const native = st.loaded ? `native: ${paths.join(', ')}` : `native: off (${st.reason}); pure-JS fallbacks`;
  return `bigsync ${VERSION} (node ${process.version}; ${native})\n`;
}

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

function reportError(err: BigsyncError, argv: string[], ctx: CliContext): number {
  const exitCode = EXIT_CODES[err.code];
  if (wantsJson(argv)) {
    ctx.stdout(
      `${JSON.stringify({ type: 'error', code: err.code, message: err.message, exitCode, details: err.details })}\n`,
    );
  }
  ctx.stderr(`bigsync: ${err.message}\n`);
  if (argv.includes('-v') || argv.includes('--verbose')) {
    ctx.stderr(`  code: ${err.code}, exit ${exitCode}, details: ${JSON.stringify(err.details)}\n`);
    if (err.cause instanceof Error && err.cause.stack !== undefined)
      ctx.stderr(`  cause: ${err.cause.stack}\n`);
  }
  return exitCode;
}

/** Runs the command line `argv` (without node and script); resolves with the exit code. */
export async function run(argv: string[], ctx: CliContext): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === '-h' || first === '--help' || argv.length === 0) {
      ctx.stdout(SYNC_HELP);
      return argv.length === 0 ? EXIT_CODES.USAGE : EXIT_OK;
    }
    if (argv.includes('--version')) {
      ctx.stdout(versionText());
      return EXIT_OK;
    }
    if (first === '--server') {
      widenStdio();
      await runServer(ctx, process.stdin, process.stdout);
      return EXIT_OK;
    }
    if (first === 'demo') return await runDemo(rest, ctx);
    if (first === 'bench') return await runBenchCommand(rest, ctx);
    if (argv.includes('-h') || argv.includes('--help')) {
      ctx.stdout(SYNC_HELP);
      return EXIT_OK;
    }
    await runSync(parseSyncArgs(argv), ctx);
    return EXIT_OK;
  } catch (err) {
    return reportError(toBigsyncError(err, 'unexpected error'), argv, ctx);
  }
}

/** Wires {@link run} to the process: argv, stdio, SIGINT (a second one exits at once). */
export async function cliMain(): Promise<void> {
  const ac = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    ac.abort();
  });
  const ctx: CliContext = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 80,
    env: process.env,
    signal: ac.signal,
  };
  trace('cli', 'main');
  process.exitCode = await run(process.argv.slice(2), ctx);
  trace('cli', 'returned');
}
