/**
 * Work a session starts and does not await at once (hashing ahead, answering requests): the
 * first failure among them must end the session promptly, not when (or if) someone awaits it.
 */
import { BigsyncError } from '../errors.js';

/** A set of background promises with a promise that rejects on the first failure. */
export class Background {
  private readonly running = new Set<Promise<unknown>>();
  private fail: (err: unknown) => void = () => undefined;
  /** Rejects with the first background failure; never resolves. Race it against your awaits. */
  readonly failed: Promise<never>;

  constructor() {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => undefined);
  }

  /** Tracks `p`; its rejection rejects {@link failed}. */
  add(p: Promise<unknown>): void {
    this.running.add(p);
    p.then(
      () => this.running.delete(p),
      (err: unknown) => {
        this.running.delete(p);
        this.fail(err instanceof BigsyncError ? err : new BigsyncError('INTERNAL', String(err)));
      },
    );
  }

  /** Awaits `p`, failing early if a background task fails first. */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failed]);
  }

  /** Waits for everything running now (and fails on the first failure). */
  async settle(): Promise<void> {
    await this.guard(Promise.all([...this.running]));
  }
}
