/**
 * The entry of the single-file bundle (dist/bigsync.bundle.mjs, made by scripts/build-bundle.mjs),
 * the file uploaded to remote hosts that have no bigsync installed.
 *
 * The bundle is also its own worker entry: the worker pool starts this same file in each worker
 * thread with `workerData = {bigsyncWorker: true}`, and then it only serves worker tasks. Both
 * paths use dynamic imports, so a worker never evaluates the CLI's modules and the main thread
 * never starts serving worker messages.
 */
import { isMainThread, workerData } from 'node:worker_threads';

/** The workerData that marks a thread started by the bundle as a pool worker. */
const WORKER_MARK = { bigsyncWorker: true } as const;

function isPoolWorker(): boolean {
  if (isMainThread || typeof workerData !== 'object' || workerData === null) return false;
  return (workerData as Record<string, unknown>)['bigsyncWorker'] === true;
}

if (isPoolWorker()) {
  // worker-entry.ts starts serving on import; calling serveWorker() again would answer twice.
  await import('../parallel/worker-entry.js');
} else {
  const { setWorkerEntry } = await import('../parallel/worker-pool.js');
  setWorkerEntry(new URL(import.meta.url), WORKER_MARK);
  const { cliMain } = await import('./main.js');
  await cliMain();
}
