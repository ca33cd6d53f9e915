/**
 * The entry of the single-file bundles made by scripts/build-bundle.mjs: dist/bigsync.bundle.mjs
 * (ES module), the file uploaded to remote hosts that have no bigsync installed, and
 * dist/bigsync.bundle.cjs (CommonJS), which bin/bigsync.cjs runs with a V8 code cache.
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

/** Runs the CLI (or, in a pool worker, serves tasks). No top-level await: the CommonJS build has none. */
async function start(): Promise<void> {
  if (isPoolWorker()) {
    // worker-entry.ts starts serving on import; calling serveWorker() again would answer twice.
    await import('../parallel/worker-entry.js');
    return;
  }
  const { setWorkerEntry } = await import('../parallel/worker-pool.js');
  setWorkerEntry(new URL(import.meta.url), WORKER_MARK);
  const { cliMain } = await import('./main.js');
  await cliMain();
}

void start();
