/**
 * A fixed pool of worker_threads that run tasks by `kind` (see worker-entry.ts). Each worker runs
 * one task at a time; up to `depth` tasks wait in each worker's queue so it never idles between
 * messages. Errors come back as plain {@link ErrorData} and are rebuilt as BigsyncErrors.
 *
 * Contract: construct, call {@link WorkerPool.run} any number of times (it resolves with the task's
 * result or rejects with a BigsyncError), then {@link WorkerPool.close} exactly once. Callers bound
 * how many tasks they submit at once (the pool queues without limit).
 */
import { Worker } from 'node:worker_threads';
import { BigsyncError, errorFromData, type ErrorData } from '../errors.js';

/** A task message: `kind` selects the handler in the worker. */
export interface WorkerTask {
  kind: string;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: ErrorData;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

let entryOverride: { url: URL; workerData: unknown } | null = null;

/** Lets a single-file bundle run its own file as the worker entry (with marker workerData). */
export function setWorkerEntry(url: URL, workerData: unknown): void {
  entryOverride = { url, workerData };
}

/** A pool of `size` workers. */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending & { slot: Slot }>();
  private nextId = 1;
  private failure: BigsyncError | null = null;

  constructor(size: number) {
    const url = entryOverride?.url ?? new URL('./worker-entry.js', import.meta.url);
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(url, { workerData: entryOverride?.workerData ?? null });
      const slot: Slot = { worker, busy: 0 };
      worker.on('message', (msg: Reply) => this.onReply(msg));
      worker.on('error', (err) =>
        this.onCrash(new BigsyncError('WORKER_FAILED', `worker failed: ${err.message}`)),
      );
      worker.on('exit', (code) => {
        if (code !== 0) this.onCrash(new BigsyncError('WORKER_FAILED', `worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.slots.length;
  }

  /** Tasks sent and not yet answered, over all workers. */
  get inFlight(): number {
    return this.slots.reduce((a, s) => a + s.busy, 0);
  }

  /** Runs `task` on the least busy worker; `transfer` lists ArrayBuffers to move, not copy. */
  run<R>(task: WorkerTask, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, slot });
      slot.worker.postMessage({ id, task }, transfer);
    });
  }

  private onReply(msg: Reply): void {
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    p.slot.busy--;
    if (msg.ok) p.resolve(msg.result);
    else p.reject(errorFromData(msg.error));
  }

  private onCrash(err: BigsyncError): void {
    this.failure ??= err;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }

  /** Stops every worker. Pending tasks reject. Safe to call once tasks are settled or abandoned. */
  async close(): Promise<void> {
    this.failure ??= new BigsyncError('INTERNAL', 'worker pool closed');
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/**
 * A {@link WorkerPool} whose workers start with its first task: a session that hashes natively
 * may never need them, and a worker costs ~60-80 ms of a core to start.
 */
export class LazyWorkerPool {
  private pool: WorkerPool | null = null;
  private closed = false;

  constructor(readonly size: number) {}

  /** Tasks sent and not yet answered. */
  get inFlight(): number {
    return this.pool?.inFlight ?? 0;
  }

  /** As {@link WorkerPool.run}, starting the workers first when none are running. */
  run<R>(task: WorkerTask, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.closed) return Promise.reject(new BigsyncError('INTERNAL', 'worker pool closed'));
    this.pool ??= new WorkerPool(this.size);
    return this.pool.run<R>(task, transfer);
  }

  /** Stops the workers, if any started. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
  }
}
