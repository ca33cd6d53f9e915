/**
 * Zero runs a receiver punches off its JS thread: the ranges queue up while one call chain runs
 * on a libuv pool thread (zeroRangesAsync: punch, then read back as zeros), so a filesystem that
 * discards freed blocks synchronously (~0.1 ms a call here, docs/design.md) does not stall the
 * reading of the connection. Whoever reads or writes the target where a punch may be pending
 * first waits for it ({@link PunchQueue.overlaps}, {@link PunchQueue.settle}).
 */
import { unionExtents, type Extent } from '../core/extent.js';
import { hasThreadedPunch, zeroRangesAsync } from '../io/hole-punch.js';
import type { Background } from './background.js';

/** The pending hole punches of one regular target. */
export class PunchQueue {
  private queued: Extent[] = [];
  private running: Extent[] = [];
  private chain: Promise<void> | null = null;
  /** Lowest start and highest end of everything pending (a quick no for most overlap checks). */
  private lo = Infinity;
  private hi = -Infinity;

  /** A queue for the regular file on `fd`, or null when punches cannot run off-thread here. */
  static create(fd: number, bg: Background): PunchQueue | null {
    return hasThreadedPunch() ? new PunchQueue(fd, bg) : null;
  }

  private constructor(
    private readonly fd: number,
    private readonly bg: Background,
  ) {}

  /** Queues `[offset, offset + length)` to become a hole (length >= 1). */
  add(offset: number, length: number): void {
    this.queued.push({ offset, length });
    this.lo = Math.min(this.lo, offset);
    this.hi = Math.max(this.hi, offset + length);
    if (this.chain === null) this.start();
  }

  private start(): void {
    const ranges = unionExtents(
      [...this.queued].sort((a, b) => a.offset - b.offset),
      [],
    );
    this.queued = [];
    this.running = ranges;
    const p = zeroRangesAsync(this.fd, ranges) as Promise<void>; // create() checked the op exists
    this.chain = p.then(() => {
      this.running = [];
      this.chain = null;
      if (this.queued.length > 0) this.start();
      else [this.lo, this.hi] = [Infinity, -Infinity];
    });
    this.bg.add(this.chain);
  }

  /** Whether `[offset, offset + length)` meets a range still queued or being punched. */
  overlaps(offset: number, length: number): boolean {
    const end = offset + length;
    if (end <= this.lo || offset >= this.hi) return false;
    const meets = (e: Extent): boolean => e.offset < end && offset < e.offset + e.length;
    return this.running.some(meets) || this.queued.some(meets);
  }

  /** Waits until every queued range is a hole (and read back as zeros). Rejects as the punches fail. */
  async settle(): Promise<void> {
    while (this.chain !== null) await this.chain;
  }
}
