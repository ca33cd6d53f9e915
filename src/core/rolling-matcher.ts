/**
 * The rolling match (issue 4, "shifted data"): finds blocks of the target (old file) at any byte
 * offset of a region of the source (new file), rsync-style, so data that moved by a few bytes is
 * copied instead of sent. Pure: the caller gives the source bytes, a {@link WeakTable} of target
 * blocks and a strong check, and gets copy instructions back; reading and writing are its business.
 *
 * The search is greedy: at each window position p the weak checksum of `[p, p + blockSize)` is
 * rolled forward by one byte (core/rolling-checksum.ts) and looked up; a weak hit is confirmed by
 * the caller's strong check (`verify`). After a match the search jumps a whole block and first
 * tries the predicted next block (the target block right after the one just matched) with one
 * strong check and no rolling, so a shifted file runs at hashing speed; only when that fails does
 * it restart the rolling window.
 *
 * Bounded work: each weak value has at most a few candidates (the table's cap), failed strong
 * checks are capped (`maxFailedVerifies`), and with `probeWindow` a region of new data is probed
 * at exponentially growing strides instead of rolled byte by byte.
 *
 * Speed (Node 20.20, this project's 2-core EPYC shared with other work, one thread, 128 KiB
 * blocks, 8000-entry table, a region with no match): rolling 180-300 MB/s (best of short runs
 * about 300; a plain loop calling `table.has()` per byte reached 110-170); a shifted file, which
 * goes through the predicted chain, runs at the speed of `verify` (5-9 GB/s with Buffer.compare).
 */
import { BigsyncError } from '../errors.js';
import { weakChecksum } from './rolling-checksum.js';
import { WEAK_MIX, type WeakTable } from './weak-table.js';

/** A copy instruction: new-file bytes [to, to+length) are old-file (target) bytes [from, from+length). */
export interface CopyOp {
  readonly to: number;
  readonly from: number;
  readonly length: number;
}

/** What to search and how; see {@link findMatches}. */
export interface MatchRequest {
  /** Source (new file) bytes; src[0] is at file offset srcBase. */
  readonly src: Uint8Array;
  readonly srcBase: number;
  /**
   * File offsets: a match may START at any p in [start, end). src must hold [start, ...) up to at
   * least min(end - 1 + blockSize, srcBase + src.length); a window never reads past
   * srcBase + src.length.
   */
  readonly start: number;
  readonly end: number;
  /** Window and block length in bytes (any positive integer; the core has no minimum). */
  readonly blockSize: number;
  readonly table: WeakTable;
  /**
   * Strong check: true when target bytes [targetOffset, targetOffset + blockSize) equal
   * src[at, at + blockSize). May be called with any targetOffset (return false when out of range
   * or unknown). `at` is an index into `src`, not a file offset. Called synchronously; must not
   * keep `src`.
   */
  verify(targetOffset: number, src: Uint8Array, at: number): boolean;
  /**
   * Probing for the adaptive mode: after this many positions rolled since the last match (or the
   * start) without a match, skip ahead; the skip distance starts at probeWindow and doubles after
   * each fruitless probe, and resets after a match. undefined: scan every position.
   */
  readonly probeWindow?: number;
  /**
   * Stop searching (the rest is literal) after this many failed strong checks on weak hits;
   * default 4 * ceil((end - start) / blockSize) + 16. Predicted-chain checks do not count.
   */
  readonly maxFailedVerifies?: number;
}

/** What {@link findMatches} found, and what it cost. */
export interface MatchResult {
  /**
   * Sorted by `to`, non-overlapping in `to`; contiguous matches (to and from both continuing)
   * coalesced into one op; each op's length a multiple of blockSize; every op starts at some p in
   * [start, end) (in fact every block of it does).
   */
  readonly ops: CopyOp[];
  /** Window positions whose weak checksum was looked up in the table. */
  readonly positionsRolled: number;
  /** Calls of `verify`: candidates of weak hits and predicted-chain checks. */
  readonly verifies: number;
  /** Failed `verify` calls on weak hits (not counting predicted-chain checks). */
  readonly failedVerifies: number;
  /**
   * Chains picked up near their predicted continuation after skipping positions that were not
   * looked at (at most a block each): each may leave up to a block more literal than a full scan.
   */
  readonly resyncs: number;
}

/** Mutable state of one search. */
class Search {
  readonly ops: CopyOp[] = [];
  /** The op being grown (length 0: none). */
  private to = 0;
  private from = 0;
  private length = 0;
  /** The window's weak checksum at the current position: the low 16 bits of a and of b. */
  a = 0;
  b = 0;
  rolled = 0;
  verifies = 0;
  failed = 0;
  resyncs = 0;
  /** The src index the candidate check compares at. */
  private at = 0;
  readonly check: (targetOffset: number) => boolean;

  constructor(
    readonly req: MatchRequest,
    readonly maxFailed: number,
  ) {
    this.check = (off) => {
      if (this.failed >= this.maxFailed) return false;
      this.verifies++;
      if (this.req.verify(off, this.req.src, this.at)) return true;
      this.failed++;
      return false;
    };
  }

  /** Restarts the rolling window at src index i (costs one block of summing). */
  restart(i: number): void {
    const w = weakChecksum(this.req.src, i, this.req.blockSize);
    this.a = w & 0xffff;
    this.b = w >>> 16;
  }

  /** Slides the window from index i to i + 1. */
  rollOne(i: number): void {
    const { src, blockSize } = this.req;
    const out = src[i] as number;
    this.a = (this.a + ((src[i + blockSize] as number) - out)) & 0xffff;
    this.b = (this.b + (this.a - Math.imul(blockSize, out))) & 0xffff;
  }

  /** The weak checksum of the current window. */
  weak(): number {
    return ((this.b << 16) | (this.a & 0xffff)) >>> 0;
  }

  /** The target offset of a candidate of the weak hit at index i that verifies, or -1. */
  candidates(i: number): number {
    this.at = i;
    return this.req.table.find(this.weak(), this.check);
  }

  /**
   * Emits the match at index i (target offset `from`), then follows the predicted chain: the next
   * target block at the next window, checked directly, while it verifies and windows start before
   * `last`. Returns the index after the last block matched.
   */
  chain(i: number, from: number, last: number): number {
    const { src, blockSize } = this.req;
    this.emit(i, from);
    let p = i + blockSize;
    let f = from + blockSize;
    while (p < last) {
      this.verifies++;
      if (!this.req.verify(f, src, p)) break;
      this.emit(p, f);
      p += blockSize;
      f += blockSize;
    }
    return p;
  }

  private emit(i: number, from: number): void {
    const to = this.req.srcBase + i;
    if (this.length > 0 && this.to + this.length === to && this.from + this.length === from) {
      this.length += this.req.blockSize;
      return;
    }
    this.flush();
    this.to = to;
    this.from = from;
    this.length = this.req.blockSize;
  }

  /** Ends the op being grown. */
  flush(): void {
    if (this.length > 0) this.ops.push({ to: this.to, from: this.from, length: this.length });
    this.length = 0;
  }
}

/**
 * The hot loop: from src index i (with `s` holding the window's checksum), rolls forward while the
 * table's prefilter rejects the window, and returns the first index below `stop` whose filter bit
 * is set (`s` then holds its checksum), or `stop`. No allocation, no call, no closure. Unrolled by
 * four, the table's prefilter inlined and the arithmetic reassociated so that a and b each carry a
 * one-add dependency per byte: together about 1.7x the speed of a plain loop calling table.has()
 * (see the file comment; the plain loop kept the index in a stack slot). a and b wrap mod 2^32;
 * only their low 16 bits are the checksum.
 */
function skipQuiet(src: Uint8Array, i: number, stop: number, bs: number, t: WeakTable, s: Search): number {
  const bits = t.filter;
  const sh = t.filterShift | 0;
  let a = s.a | 0;
  let b = s.b | 0;
  let h = 0;
  let x = 0;
  const last4 = stop - 4;
  found: {
    for (; i < last4; i += 4) {
      h = Math.imul((b << 16) | (a & 0xffff), WEAK_MIX) >>> sh;
      if (((bits[h >>> 5] as number) & (1 << (h & 31))) !== 0) break found;
      x = src[i] as number;
      a = (a + ((src[i + bs] as number) - x)) | 0;
      b = (b + (a - Math.imul(bs, x))) | 0;
      h = Math.imul((b << 16) | (a & 0xffff), WEAK_MIX) >>> sh;
      if (((bits[h >>> 5] as number) & (1 << (h & 31))) !== 0) {
        i += 1;
        break found;
      }
      x = src[i + 1] as number;
      a = (a + ((src[i + 1 + bs] as number) - x)) | 0;
      b = (b + (a - Math.imul(bs, x))) | 0;
      h = Math.imul((b << 16) | (a & 0xffff), WEAK_MIX) >>> sh;
      if (((bits[h >>> 5] as number) & (1 << (h & 31))) !== 0) {
        i += 2;
        break found;
      }
      x = src[i + 2] as number;
      a = (a + ((src[i + 2 + bs] as number) - x)) | 0;
      b = (b + (a - Math.imul(bs, x))) | 0;
      h = Math.imul((b << 16) | (a & 0xffff), WEAK_MIX) >>> sh;
      if (((bits[h >>> 5] as number) & (1 << (h & 31))) !== 0) {
        i += 3;
        break found;
      }
      x = src[i + 3] as number;
      a = (a + ((src[i + 3 + bs] as number) - x)) | 0;
      b = (b + (a - Math.imul(bs, x))) | 0;
    }
    for (;;) {
      h = Math.imul((b << 16) | (a & 0xffff), WEAK_MIX) >>> sh;
      if (((bits[h >>> 5] as number) & (1 << (h & 31))) !== 0) break found;
      if (++i >= stop) break found;
      x = src[i - 1] as number;
      a = (a + ((src[i - 1 + bs] as number) - x)) | 0;
      b = (b + (a - Math.imul(bs, x))) | 0;
    }
  }
  s.a = a;
  s.b = b;
  return i;
}

/**
 * Looks up the windows at src indices i, i+1, ... below `stop`, rolling the checksum held in `s`
 * (which must be that of the window at i). Returns the first index whose weak value the table
 * has (with `s` holding its checksum), or `stop` when none has. The caller makes sure every
 * window below `stop` fits in `src`.
 */
function scan(src: Uint8Array, i: number, stop: number, bs: number, table: WeakTable, s: Search): number {
  while (i < stop) {
    i = skipQuiet(src, i, stop, bs, table, s);
    if (i >= stop || table.has(s.weak())) return i;
    if (++i < stop) s.rollOne(i - 1);
  }
  return stop;
}

/**
 * How far from the predicted continuation a resync looks: a chain usually breaks at a small edit
 * (bytes inserted, deleted or overwritten), after which the data goes on at a slightly different
 * shift. One block of rolling finds it anyway; looking near the prediction first finds it after
 * about this many positions instead.
 */
function resyncReach(bs: number): number {
  return Math.max(1, Math.min(8192, Math.floor(bs / 8)));
}

/** Scans window positions [lo, hi) for a verified candidate: its index and target offset, or null. */
function findIn(s: Search, lo: number, hi: number): { at: number; from: number } | null {
  const { src, blockSize: bs, table } = s.req;
  if (lo >= hi) return null;
  s.restart(lo);
  for (let j = lo; j < hi;) {
    const h = scan(src, j, hi, bs, table, s);
    s.rolled += Math.min(h + 1, hi) - j;
    if (h >= hi) return null;
    const from = s.candidates(h);
    if (from >= 0) return { at: h, from };
    if (s.failed >= s.maxFailed) return null;
    j = h + 1;
    if (j < hi) s.rollOne(h);
  }
  return null;
}

/**
 * After a chain broke at index i, looks for its continuation near the prediction (at or just after i, for
 * bytes inserted before the next block; about one block on, for an edit inside it) and follows
 * every chain found that way. Returns where the last chain broke (the caller rolls on from there).
 */
function followChains(s: Search, i: number, last: number): number {
  const bs = s.req.blockSize;
  const d = resyncReach(bs);
  while (i < last && s.failed < s.maxFailed) {
    let hit = findIn(s, i, Math.min(last, i + d));
    if (hit === null) {
      const lo = Math.max(i + d, i + bs - d);
      hit = findIn(s, lo, Math.min(last, i + bs + d));
      if (hit !== null && lo > i + d) s.resyncs++;
    }
    if (hit === null) return i;
    i = s.chain(hit.at, hit.from, last);
  }
  return i;
}

/** Checks the request's geometry; returns the default-filled failure cap. */
function checkRequest(req: MatchRequest): number {
  const { srcBase, start, end, blockSize } = req;
  const ints = [srcBase, start, end, blockSize].every((x) => Number.isSafeInteger(x));
  if (!ints || blockSize < 1 || (start < end && start < srcBase)) {
    throw new BigsyncError(
      'INTERNAL',
      `findMatches: bad request (srcBase ${srcBase}, start ${start}, end ${end}, blockSize ${blockSize})`,
      { srcBase, start, end, blockSize },
    );
  }
  const p = req.probeWindow;
  if (p !== undefined && !(Number.isSafeInteger(p) && p >= 1)) {
    throw new BigsyncError('INTERNAL', `findMatches: probeWindow must be a positive integer, got ${p}`);
  }
  return req.maxFailedVerifies ?? 4 * Math.ceil(Math.max(0, end - start) / blockSize) + 16;
}

/**
 * Greedy rolling search, rsync-style: roll the weak checksum over each window position p; on a
 * weak hit verify the candidates (WeakTable.find); on a match emit the block and jump
 * p += blockSize. After every match first try the predicted next block (from + blockSize at
 * p + blockSize) with verify() directly, without rolling or a table lookup — this is what makes
 * a shifted file cost hashing speed rather than rolling speed; when that fails, restart the
 * rolling window at the new p.
 *
 * Every matched block starts at some p in [start, end) with p + blockSize <= srcBase + src.length.
 * With `probeWindow`, after that many fruitless positions the search skips `skip` positions
 * (starting at probeWindow, doubling per fruitless probe, reset by a match) and restarts there.
 * Synchronous; the cost is about one table lookup per position rolled plus one strong check per
 * block matched or candidate tried.
 * @throws BigsyncError INTERNAL for a malformed request (non-integer geometry, blockSize < 1,
 *   start < srcBase, probeWindow < 1); whatever `verify` throws passes through.
 */
export function findMatches(req: MatchRequest): MatchResult {
  const s = new Search(req, checkRequest(req));
  const { src, srcBase, blockSize: bs, table } = req;
  const last = Math.min(req.end, srcBase + src.length - bs + 1) - srcBase;
  const pw = req.probeWindow ?? Infinity;
  let i = req.start - srcBase;
  let skip = pw;
  let probeEnd = i + pw;
  if (i < last) s.restart(i);
  while (i < last) {
    const stop = Math.min(last, probeEnd);
    const h = scan(src, i, stop, bs, table, s);
    s.rolled += Math.min(h + 1, stop) - i;
    if (h >= stop) {
      i = stop + skip;
      skip *= 2;
    } else {
      const from = s.candidates(h);
      if (from < 0) {
        if (s.failed >= s.maxFailed) break;
        i = h + 1;
        if (i < stop) s.rollOne(h);
        continue;
      }
      i = followChains(s, s.chain(h, from, last), last);
      skip = pw;
      if (s.failed >= s.maxFailed) break;
    }
    probeEnd = i + pw;
    if (i < last) s.restart(i);
  }
  s.flush();
  return {
    ops: s.ops,
    positionsRolled: s.rolled,
    verifies: s.verifies,
    failedVerifies: s.failed,
    resyncs: s.resyncs,
  };
}
