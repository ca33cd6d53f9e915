/**
 * The worker thread's entry: receives `{id, task}` messages, runs the handler named by
 * `task.kind`, and replies `{id, ok, result}` or `{id, ok: false, error}` with plain error data.
 * Handlers are synchronous; a worker runs one task at a time.
 */
import { parentPort } from 'node:worker_threads';
import { toBigsyncError } from '../errors.js';
import { runHashBlocks, runPageHashes } from './hash-blocks-task.js';
import { runLocalChunk, type LocalChunkTask } from './local-chunk-task.js';
import { runMoveRange } from './move-task.js';
import { runRollingMatch } from './rolling-task.js';
import { runWeakSums } from './weak-sums-task.js';

type Handler = (task: never) => unknown;

const HANDLERS: Record<string, Handler> = {
  'local-chunk': runLocalChunk,
  'hash-blocks': runHashBlocks,
  'page-hashes': runPageHashes,
  'weak-sums': runWeakSums,
  'rolling-match': runRollingMatch,
  'move-range': runMoveRange,
};

/** Starts serving tasks on `parentPort`. Called at import in a worker, or by a bundle's entry. */
export function serveWorker(): void {
  const port = parentPort;
  if (port === null) return;
  port.on('message', (msg: { id: number; task: { kind: string } }) => {
    try {
      const handler = HANDLERS[msg.task.kind];
      if (handler === undefined) throw new Error(`unknown worker task kind '${msg.task.kind}'`);
      port.postMessage({ id: msg.id, ok: true, result: handler(msg.task as never) });
    } catch (err) {
      port.postMessage({ id: msg.id, ok: false, error: toBigsyncError(err, 'worker').toData() });
    }
  });
}

export type { LocalChunkTask };
serveWorker();
