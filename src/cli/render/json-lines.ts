/**
 * `--json`: newline-delimited JSON events on stdout. `start`, throttled `progress`, then exactly
 * one final `summary` (or `error`) object. docs/cli.md documents every field.
 */
import type { Progress, Reporter, StartInfo, Warning } from '../../sync/reporter.js';

/** A reporter that writes NDJSON events; at most one progress event each `intervalMs`. */
export function jsonReporter(
  write: (line: string) => void,
  intervalMs = 250,
  now: () => number = Date.now,
): Reporter {
  let last = -Infinity;
  return {
    start(info: StartInfo) {
      write(`${JSON.stringify({ type: 'start', ...info })}\n`);
    },
    progress(p: Progress) {
      const t = now();
      if (t - last < intervalMs && p.bytesDone < p.bytesTotal) return;
      last = t;
      write(`${JSON.stringify({ type: 'progress', ...p })}\n`);
    },
    warning(w: Warning) {
      write(`${JSON.stringify({ type: 'warning', ...w })}\n`);
    },
  };
}
