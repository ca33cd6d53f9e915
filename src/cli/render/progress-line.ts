/**
 * Progress as people read it: a bar redrawn in place on a terminal, or a plain line every few
 * seconds when stderr is a pipe or a file. Both show bytes, percent, rate and ETA.
 */
import { formatBytes, formatDuration } from '../../core/size-units.js';
import type { Progress, Reporter, StartInfo } from '../../sync/reporter.js';

/** Where and how to draw. */
export interface ProgressLineOptions {
  write: (text: string) => void;
  /** Redraw in place (TTY) or print a line each `intervalMs`. */
  tty: boolean;
  /** Terminal width for the bar. */
  columns?: number;
  intervalMs?: number;
  now?: () => number;
}

/** Formats one progress line: `  1.20 GiB / 4.00 GiB  30%  850.2 MiB/s  ETA 3.38s`. */
export function progressText(p: Progress, elapsedSec: number): string {
  const pct = p.bytesTotal === 0 ? 100 : Math.floor((p.bytesDone / p.bytesTotal) * 100);
  const rate = elapsedSec > 0 ? p.bytesDone / elapsedSec : 0;
  const eta = rate > 0 ? (p.bytesTotal - p.bytesDone) / rate : NaN;
  const wire =
    p.wireBytesSent + p.wireBytesReceived > 0
      ? `  wire ${formatBytes(p.wireBytesSent + p.wireBytesReceived)}`
      : '';
  return (
    `${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${String(pct).padStart(3)}%  ` +
    `${formatBytes(rate)}/s  ETA ${formatDuration(eta)}  written ${formatBytes(p.bytesWritten)}${wire}`
  );
}

function bar(fraction: number, width: number): string {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/** A reporter that draws progress; call `end()` once the sync is over. */
export function progressReporter(o: ProgressLineOptions): Reporter & { end(): void } {
  const now = o.now ?? Date.now;
  const interval = o.intervalMs ?? (o.tty ? 100 : 5000);
  let started = now();
  let last = 0;
  let lastProgress: Progress | null = null;
  const draw = (p: Progress): void => {
    const text = progressText(p, (now() - started) / 1000);
    if (o.tty) {
      const width = Math.max(10, Math.min(40, (o.columns ?? 80) - text.length - 3));
      o.write(`\r${bar(p.bytesTotal === 0 ? 1 : p.bytesDone / p.bytesTotal, width)} ${text}\x1b[K`);
    } else {
      o.write(`${text}\n`);
    }
  };
  return {
    start(_info: StartInfo) {
      started = now();
    },
    progress(p) {
      lastProgress = p;
      const t = now();
      if (t - last >= interval) {
        last = t;
        draw(p);
      }
    },
    end() {
      if (lastProgress !== null) draw(lastProgress);
      if (o.tty && lastProgress !== null) o.write('\n');
    },
  };
}
