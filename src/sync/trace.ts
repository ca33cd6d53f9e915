/**
 * Phase timestamps for finding where a sync spends its time: with BIGSYNC_TRACE=1 in its
 * environment, each process writes `bigsync-trace <pid> <wall ms> <ms since start> <role> <event>`
 * lines to stderr (wall clock, so the two ends of a remote sync can be merged by time).
 */
const enabled = process.env['BIGSYNC_TRACE'] === '1';

export function trace(role: string, event: string): void {
  if (!enabled) return;
  const now = performance.now();
  const wall = (performance.timeOrigin + now) % 1e6;
  process.stderr.write(
    `bigsync-trace ${process.pid} ${wall.toFixed(1)} ${now.toFixed(1)} ${role} ${event}\n`,
  );
}
