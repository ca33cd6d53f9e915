/**
 * What a command gets from the outside world. Tests pass their own; `main.ts` passes the
 * process's. Commands never touch `process` directly.
 */

/** The dependencies of a command. */
export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bar vs plain lines). */
  stderrIsTTY: boolean;
  columns: number;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT. */
  signal: AbortSignal;
}
