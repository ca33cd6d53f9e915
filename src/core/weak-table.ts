/**
 * The weak table of the rolling match: target blocks indexed by their weak checksum
 * (core/rolling-checksum.ts). The matcher asks {@link WeakTable.has} at every byte position of the
 * source, so that question must cost a few instructions and one cache line; only on a hit does it
 * ask {@link WeakTable.find} for the candidates.
 *
 * Layout (no Map, no objects per entry):
 *
 * - a bitset of 2^20..2^24 bits indexed by a multiplicative hash of the weak value: a clear bit is
 *   a certain "no". With the bitset at least 64 bits per entry (up to the 2^24 cap), fewer than 1 in
 *   64 absent values get past it. It is exposed ({@link WeakTable.filter}) so the matcher's hot
 *   loop can test it inline and call `has` only when the bit is set;
 * - an open-addressing table (linear probing, load <= 1/2) of the distinct weak values, each slot
 *   naming a run of `offsets`: the kept entries of one weak value sit next to each other, in
 *   insertion order.
 *
 * Built once, then read-only; safe to share between searches in one thread. Pure; no I/O.
 */
import { BigsyncError } from '../errors.js';

/**
 * Multiplier of the mix of weak values (a Fibonacci hash: 2^32 / golden ratio, odd), used by the
 * prefilter ({@link WeakTable.filter}) and the table.
 */
export const WEAK_MIX = 0x9e3779b1;
const MIN_BITSET_LOG2 = 20;
const MAX_BITSET_LOG2 = 24;
/** Bits of bitset per entry asked for (within the limits above). */
const BITS_PER_ENTRY_LOG2 = 6;

/** ceil(log2(n)) for n >= 1. */
function log2Ceil(n: number): number {
  let k = 0;
  while (2 ** k < n) k++;
  return k;
}

/** Target blocks indexed by weak checksum, for the rolling search. */
export class WeakTable {
  /**
   * The prefilter bitset, exposed so that a hot loop can inline the first step of {@link has}:
   * with `h = Math.imul(weak, WEAK_MIX) >>> filterShift`, when bit `h & 31` of word `h >>> 5` is
   * clear, `has(weak)` is false; when it is set, ask `has`. Read-only: do not modify.
   */
  readonly filter: Int32Array;
  /** See {@link filter}: 32 - log2(bits in the filter). */
  readonly filterShift: number;
  /** Slot -> the weak value it holds (as int32); meaningful only where the slot's run is non-empty. */
  private readonly keys: Int32Array;
  /** Slot s owns `offs[runs[s], runs[s + 1])`; an empty run is an empty slot. */
  private readonly runs: Int32Array;
  private readonly slotShift: number;
  private readonly slotMask: number;
  /** Kept target offsets, grouped by slot, in insertion order within a slot. */
  private readonly offs: Float64Array;

  /**
   * weak[i], offsets[i]: entry i is the target block at byte offset offsets[i] with that weak
   * checksum. At most `maxPerWeak` (default 4) entries are kept per weak value (later ones
   * dropped) so repetitive data cannot make a lookup scan many candidates. Takes O(n) time and
   * 24 to 40 bytes per entry plus the bitset (128 KiB to 2 MiB); the arrays given are not kept.
   * @throws BigsyncError INTERNAL when the arrays differ in length or maxPerWeak is not a
   *   positive integer.
   */
  constructor(weak: Uint32Array, offsets: Float64Array, maxPerWeak = 4) {
    if (weak.length !== offsets.length) {
      throw new BigsyncError(
        'INTERNAL',
        `WeakTable: ${weak.length} weak sums but ${offsets.length} offsets`,
        {
          weak: weak.length,
          offsets: offsets.length,
        },
      );
    }
    if (!Number.isSafeInteger(maxPerWeak) || maxPerWeak < 1) {
      throw new BigsyncError(
        'INTERNAL',
        `WeakTable: maxPerWeak must be a positive integer, got ${maxPerWeak}`,
      );
    }
    const n = weak.length;
    const bitsLog2 = Math.min(
      MAX_BITSET_LOG2,
      Math.max(MIN_BITSET_LOG2, log2Ceil(Math.max(1, n)) + BITS_PER_ENTRY_LOG2),
    );
    this.filter = new Int32Array(2 ** (bitsLog2 - 5));
    this.filterShift = 32 - bitsLog2;
    const slotsLog2 = Math.max(4, log2Ceil(2 * Math.max(1, n)));
    this.slotShift = 32 - slotsLog2;
    this.slotMask = 2 ** slotsLog2 - 1;
    this.keys = new Int32Array(2 ** slotsLog2);
    this.runs = new Int32Array(2 ** slotsLog2 + 1);
    this.offs = this.build(weak, offsets, maxPerWeak);
  }

  /** Fills keys, runs and the bitset; returns the kept offsets grouped by slot. */
  private build(weak: Uint32Array, offsets: Float64Array, cap: number): Float64Array {
    const n = weak.length;
    const counts = new Int32Array(this.keys.length);
    const slotOf = new Int32Array(n);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const w = (weak[i] as number) | 0;
      let s = Math.imul(w, WEAK_MIX) >>> this.slotShift;
      while (counts[s] !== 0 && this.keys[s] !== w) s = (s + 1) & this.slotMask;
      if ((counts[s] as number) >= cap) {
        slotOf[i] = -1;
        continue;
      }
      this.keys[s] = w;
      counts[s] = (counts[s] as number) + 1;
      slotOf[i] = s;
      kept++;
      const h = Math.imul(w, WEAK_MIX) >>> this.filterShift;
      this.filter[h >>> 5] = (this.filter[h >>> 5] as number) | (1 << (h & 31));
    }
    for (let s = 0; s < counts.length; s++)
      this.runs[s + 1] = (this.runs[s] as number) + (counts[s] as number);
    const offs = new Float64Array(kept);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const s = slotOf[i] as number;
      if (s < 0) continue;
      offs[(this.runs[s] as number) + (counts[s] as number)] = offsets[i] as number;
      counts[s] = (counts[s] as number) + 1;
    }
    return offs;
  }

  /** Entries kept. */
  get size(): number {
    return this.offs.length;
  }

  /** The slot holding `w` (an int32), or -1. */
  private slot(w: number): number {
    let s = Math.imul(w, WEAK_MIX) >>> this.slotShift;
    for (;;) {
      const run = this.runs[s] as number;
      if (run === this.runs[s + 1]) return -1;
      if (this.keys[s] === w) return s;
      s = (s + 1) & this.slotMask;
    }
  }

  /**
   * Fast reject (a bitset prefilter, then the table): false when no kept entry has this weak,
   * true when one has. Called once per byte position of the search; allocates nothing. Weak
   * values are taken mod 2^32: the int32 alias of a weak (`w | 0`) is the same weak.
   */
  has(weak: number): boolean {
    const w = weak | 0;
    const h = Math.imul(w, WEAK_MIX) >>> this.filterShift;
    if (((this.filter[h >>> 5] as number) & (1 << (h & 31))) === 0) return false;
    return this.slot(w) >= 0;
  }

  /**
   * Calls `fn` for each kept candidate target offset with this weak, in insertion order, until it
   * returns true; returns that offset, or -1 (also when there is no candidate). Whatever `fn`
   * throws passes through (the table is not changed by a lookup).
   */
  find(weak: number, fn: (targetOffset: number) => boolean): number {
    const s = this.slot(weak | 0);
    if (s < 0) return -1;
    const end = this.runs[s + 1] as number;
    for (let k = this.runs[s] as number; k < end; k++) {
      const off = this.offs[k] as number;
      if (fn(off)) return off;
    }
    return -1;
  }
}
