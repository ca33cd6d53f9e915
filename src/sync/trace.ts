/**
 * Phase timestamps for finding where a sync spends its time: with BIGSYNC_TRACE=1 in its
 * environment, each process writes `bigsync-trace <pid> <wall ms> <ms since start> cpu=<ms> <role>
 * <event>` lines to stderr (wall clock, so the two ends of a remote sync can be merged by time; CPU
 * time of the whole process, workers included).
 */
const level = process.env['BIGSYNC_TRACE'];
const enabled = level === '1' || level === '2';

/** Whether tracing is on (to skip building costly event text). */
export function traceOn(): boolean {
  return enabled;
}

export function trace(role: string, event: string): void {
  if (!enabled) return;
  const now = performance.now();
  const wall = (performance.timeOrigin + now) % 1e6;
  const cpu = process.cpuUsage();
  const cpuMs = ((cpu.user + cpu.system) / 1000).toFixed(0);
  process.stderr.write(
    `bigsync-trace ${process.pid} ${wall.toFixed(1)} ${now.toFixed(1)} cpu=${cpuMs} ${role} ${event}\n`,
  );
}

/**
 * With BIGSYNC_TRACE=2, a FrameChannel watcher that traces every message in and out and every
 * wait for the output to drain, as `ROLE ch EVENT` (where a session waits on the pipe or the
 * peer); otherwise undefined.
 */
export function messageTrace(role: string): ((event: string) => void) | undefined {
  return level === '2' ? (event) => trace(role, `ch ${event}`) : undefined;
}
