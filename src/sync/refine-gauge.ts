/**
 * When to refine a differing block into page hashes (a round trip and a second read of the block
 * on both sides) and when to just send it: refinement pays when most pages of differing blocks
 * are in fact unchanged (a VM rewriting 4 KiB pages), and costs time when whole blocks changed
 * (a rewritten file). The gauge keeps a decaying count of pages checked and pages found
 * different in refined blocks; once enough were seen and over {@link SEND_WHOLE_ABOVE} of them
 * differed, differing blocks are sent whole, except one in {@link SAMPLE_EVERY}, which is still
 * refined so the gauge notices when the pattern changes.
 */

/** Fraction of differing pages above which refinement stops paying. */
export const SEND_WHOLE_ABOVE = 0.75;
/** Refine one differing block in this many even when sending whole. */
export const SAMPLE_EVERY = 16;
/** Pages seen before the gauge trusts its ratio. */
const MIN_PAGES = 512;
/** Weight kept per observed block (older blocks fade out). */
const DECAY = 0.98;

/** The refinement policy of one sender. */
export class RefineGauge {
  private checked = 0;
  private differing = 0;
  private skipped = 0;

  /** Records a refined block: `pages` compared, `diff` of them different. */
  observe(pages: number, diff: number): void {
    this.checked = this.checked * DECAY + pages;
    this.differing = this.differing * DECAY + diff;
  }

  /** Whether the next differing block should be refined (else sent whole). */
  shouldRefine(): boolean {
    if (this.checked < MIN_PAGES || this.differing / this.checked <= SEND_WHOLE_ABOVE) return true;
    this.skipped++;
    return this.skipped % SAMPLE_EVERY === 0;
  }
}
