/**
 * The sender's own block hashes, made on the hashing executor batch by batch, ahead of the
 * receiver's BLOCK_HASHES. A push can start them before the connection is up ({@link
 * OwnHashes.headStart}): the key is ours, the source is open, and over ssh the connection set-up
 * keeps one core busy (sshd's key exchange) for most of a second.
 */
import { BLOCK_HASH_LENGTH, FileDigest } from '../core/block-hash.js';
import { ExtentCursor } from '../core/chunk-plan.js';
import { blockCount } from '../format/block-range.js';
import type { Executor } from '../parallel/executor.js';
import { Background } from './background.js';
import { batchBlocks, type SessionFile } from './remote-session.js';
import { trace } from './trace.js';

/** What hashing the source needs: the parts of the session known before it opens. */
export interface HashPlan {
  exec: Executor;
  /** Batches kept in flight once the session runs. */
  window: number;
  key: Buffer;
  blockSize: number;
  size: number;
}

/** The sender's own hashes, filled batch by batch; `ready[i]` resolves when batch i is in. */
export class OwnHashes {
  readonly tags: Uint8Array;
  readonly zero: Uint8Array;
  private readonly ready = new Map<number, Promise<void>>();
  private next = 0;
  /** Fails when any hashing task fails. */
  readonly bg = new Background();
  readonly batch: number;
  readonly total: number;
  /** Bytes read from the source so far. */
  bytesRead = 0;

  constructor(
    private readonly plan: HashPlan,
    private readonly file: SessionFile,
  ) {
    this.total = blockCount(plan.size, plan.blockSize);
    this.batch = batchBlocks(plan.blockSize);
    this.tags = new Uint8Array(this.total * BLOCK_HASH_LENGTH);
    this.zero = new Uint8Array(this.total);
  }

  private get batches(): number {
    return Math.ceil(this.total / this.batch);
  }

  /** Starts hashing batches up to `upto` (exclusive batch index). */
  prefetch(upto: number): void {
    while (this.next < Math.min(upto, this.batches)) {
      const i = this.next++;
      const first = i * this.batch;
      const count = Math.min(this.batch, this.total - first);
      const { blockSize, size } = this.plan;
      const start = first * blockSize;
      const end = Math.min(size, (first + count) * blockSize);
      const data = this.file.data === null ? null : new ExtentCursor(this.file.data).clip(start, end);
      const p = this.plan.exec
        .hashBlocks({
          kind: 'hash-blocks',
          fd: this.file.fd as number,
          firstBlock: first,
          count,
          blockSize,
          size,
          data,
          key: this.plan.key,
        })
        .then((r) => {
          this.tags.set(r.tags, first * BLOCK_HASH_LENGTH);
          this.zero.set(r.zero, first);
          this.bytesRead += r.bytesRead;
        });
      this.bg.add(p);
      this.ready.set(i, p);
    }
  }

  /**
   * Hashes ahead, `depth` batches in flight, until `until` settles (the session is open): each
   * batch that finishes starts the next. Failures surface through {@link bg} as usual. Memory
   * stays what it is anyway: the results land in {@link tags}.
   */
  headStart(until: Promise<unknown>, depth: number): void {
    let stopped = false;
    const stop = (): void => {
      if (!stopped)
        trace('sender', `head start hashed ${Math.min(this.next * this.batch, this.total)} blocks`);
      stopped = true;
    };
    until.then(stop, stop);
    const step = (): void => {
      if (stopped || this.next >= this.batches) return;
      const i = this.next;
      this.prefetch(i + 1);
      this.ready.get(i)?.then(step, () => undefined);
    };
    for (let k = 0; k < depth; k++) step();
  }

  /** Waits until blocks [first, first+count) are hashed. */
  async have(first: number, count: number): Promise<void> {
    const lastBatch = Math.floor((first + count - 1) / this.batch);
    this.prefetch(lastBatch + 1 + this.plan.window);
    for (let i = Math.floor(first / this.batch); i <= lastBatch; i++) await this.ready.get(i);
  }

  equal(b: number, theirs: Buffer | null): boolean {
    if (this.zero[b] === 1 || theirs === null) return this.zero[b] === 1 && theirs === null;
    return (
      Buffer.compare(this.tags.subarray(b * BLOCK_HASH_LENGTH, (b + 1) * BLOCK_HASH_LENGTH), theirs) === 0
    );
  }

  digest(): Buffer {
    const d = new FileDigest();
    for (let b = 0; b < this.total; b++)
      d.add(
        this.zero[b] === 1 ? null : this.tags.subarray(b * BLOCK_HASH_LENGTH, (b + 1) * BLOCK_HASH_LENGTH),
      );
    return d.digest();
  }
}
