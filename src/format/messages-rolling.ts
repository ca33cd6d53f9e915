/**
 * The rolling-match messages (CAP_ROLLING): WEAK_REQUEST (sender to receiver: target blocks whose
 * weak checksums it wants, sent as runs of consecutive blocks), WEAK_SUMS (receiver to sender, one
 * per run: those checksums, and strong hashes the sender does not have yet) and COPY (sender to receiver: move bytes within the target). See
 * docs/protocol.md, "Rolling match". Decoders check the layout and its limits; whether blocks and
 * ranges fit the files is checked by block-range.ts. Hash buffers are views of the payload.
 */
import type { Buffer } from 'node:buffer';
import { NOT_INCREASING } from './block-list.js';
import { ByteReader, type DecodeOptions } from './byte-reader.js';
import { ByteWriter, encodeFailure } from './byte-writer.js';
import { countRule, ruleViolation } from './field-rules.js';
import {
  MAX_BLOCKS_PER_BATCH,
  WEAK_FLAG_STRONG,
  WEAK_FLAG_ZERO,
  WEAK_FLAGS_KNOWN,
} from './wire-constants.js';

/**
 * WEAK_REQUEST: full blocks of the target, in the target's own block geometry (block b is target
 * bytes `[b * blockSize, (b + 1) * blockSize)`), whose weak checksums the sender wants. 1..4096
 * block numbers, strictly increasing, below 2^53-1. On the wire they travel as runs of consecutive
 * blocks; the receiver answers each run with one WEAK_SUMS.
 */
export interface WeakRequest {
  readonly blocks: readonly number[];
}

/** One block of a WEAK_SUMS. */
export interface WeakSumEntry {
  /** The block number (on the wire: the message's firstBlock + the entry's index). */
  readonly block: number;
  /** The block is all zeros: then `weak` is 0 and `strong` is null. */
  readonly zero: boolean;
  /** The block's weak (rolling) checksum, a u32. */
  readonly weak: number;
  /** The block's hash in the session's algorithm, or null when not sent. */
  readonly strong: Buffer | null;
}

/**
 * WEAK_SUMS: the answer to one run of a WEAK_REQUEST, 1..4096 entries for consecutive blocks
 * (`entries[i].block === entries[0].block + i`; the last block is below 2^53-1).
 */
export interface WeakSums {
  /** Every strong hash in one message has the same length (16 or 32). */
  readonly entries: readonly WeakSumEntry[];
}

/**
 * COPY: the receiver copies its own target bytes `[from, from + length)` to `[to, to + length)`,
 * as a memmove (the ranges may overlap), on the target as the frames before it left it.
 */
export interface CopyMessage {
  /** Target offset to read from; from + length <= 2^53-1. */
  readonly from: number;
  /** Target offset to write to; to + length <= 2^53-1. */
  readonly to: number;
  /** Bytes to copy, >= 1. */
  readonly length: number;
}

/** Options of {@link decodeWeakSums}. */
export interface WeakSumsDecodeOptions extends DecodeOptions {
  /** The hash length the session agreed on (from OPEN's algorithm); any other non-zero one fails. */
  readonly hashLen?: number;
}

/** Size of a COPY payload (three u64). */
export const COPY_SIZE = 24;

/** Size of one WEAK_REQUEST run: u64 first, u32 count. */
const RUN_SIZE = 12;
/** Size of WEAK_SUMS before its entries: u32 count, u8 hashLen, u64 firstBlock. */
const WEAK_SUMS_HEADER_SIZE = 13;
/** Size of one WEAK_SUMS entry without its strong hash: u8 flags, u32 weak. */
const WEAK_ENTRY_SIZE = 5;

const HASH_LEN_RULE = { oneOf: [0, 16, 32] };
const LENGTH_RULE = { min: 1 };
const BATCH_RULE = countRule(MAX_BLOCKS_PER_BATCH);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A run of consecutive blocks on the wire: `first`, `first + 1`, ..., `first + count - 1`. */
interface BlockRun {
  readonly first: number;
  count: number;
}

/**
 * Encodes a WEAK_REQUEST payload: `blocks` as runs of consecutive blocks, adjacent ones merged.
 * @throws BigsyncError INTERNAL for a count outside 1..4096, a block number that is not an integer
 *   in 0..2^53-2 (a run must end by 2^53-1), or blocks that do not strictly increase.
 */
export function encodeWeakRequest(msg: WeakRequest): Buffer {
  const runs = toRuns(msg.blocks);
  const w = new ByteWriter('WEAK_REQUEST', 4 + runs.length * RUN_SIZE);
  w.u32(runs.length, 'runCount', BATCH_RULE);
  runs.forEach((run, i) => {
    w.u64(run.first, `run ${i} first`, { max: MAX_SAFE - run.count });
    w.u32(run.count, `run ${i} count`, LENGTH_RULE);
  });
  return w.finish();
}

/** Splits strictly increasing `blocks` into maximal runs. @throws as {@link encodeWeakRequest}. */
function toRuns(blocks: readonly number[]): BlockRun[] {
  const problem = ruleViolation(blocks.length, BATCH_RULE);
  if (problem !== undefined) encodeFailure('WEAK_REQUEST', 'blocks', `${blocks.length} ${problem}`);
  const runs: BlockRun[] = [];
  blocks.forEach((block, i) => {
    if (!Number.isSafeInteger(block) || block < 0 || block >= MAX_SAFE)
      encodeFailure('WEAK_REQUEST', `block ${i}`, `${block} does not fit (0..${MAX_SAFE - 1})`);
    const previous = blocks[i - 1];
    if (previous !== undefined && block <= previous)
      encodeFailure('WEAK_REQUEST', `block ${i}`, `${block} ${NOT_INCREASING}`);
    const last = runs[runs.length - 1];
    if (last !== undefined && block === last.first + last.count) last.count++;
    else runs.push({ first: block, count: 1 });
  });
  return runs;
}

/**
 * Decodes a WEAK_REQUEST payload and expands its runs into the block list.
 * @throws BigsyncError PROTOCOL_ERROR for a runCount outside 1..4096, a run count of 0, a run that
 *   does not start above the previous run's end (runs must be in order with a gap between them),
 *   more than 4096 blocks in all, a run that ends past 2^53-1, truncation or trailing bytes.
 */
export function decodeWeakRequest(payload: Buffer, opts: DecodeOptions = {}): WeakRequest {
  const r = new ByteReader(payload, 'WEAK_REQUEST', opts.offset);
  const runCount = r.u32('runCount', BATCH_RULE);
  const blocks: number[] = [];
  for (let i = 0; i < runCount; i++) {
    const run = readRun(r, i, blocks.length, blocks[blocks.length - 1]);
    for (let b = run.first; b < run.first + run.count; b++) blocks.push(b);
  }
  r.expectEnd();
  return { blocks };
}

/** Reads run `i` of a WEAK_REQUEST that so far holds `total` blocks, the last one `last`. */
function readRun(r: ByteReader, i: number, total: number, last: number | undefined): BlockRun {
  const firstAt = r.position;
  const first = r.u64(`run ${i} first`);
  if (last !== undefined && first <= last + 1) {
    const problem = `${first} must be above ${last + 1}, where the previous run ends (runs need a gap between them; adjacent runs are merged)`;
    r.failAt(firstAt, `run ${i} first`, problem, { first, previousEnd: last + 1 });
  }
  const countAt = r.position;
  const count = r.u32(`run ${i} count`, LENGTH_RULE);
  if (count > MAX_BLOCKS_PER_BATCH - total) {
    const problem = `${count} makes ${total + count} blocks in all, more than ${MAX_BLOCKS_PER_BATCH}`;
    r.failAt(countAt, `run ${i} count`, problem, { count, total: total + count });
  }
  if (first > MAX_SAFE - count)
    r.failAt(firstAt, `run ${i} first`, `${first} + count ${count} exceeds 2^53-1`, { first, count });
  return { first, count };
}

/**
 * Encodes a WEAK_SUMS payload. hashLen on the wire is the length of the strong hashes, 0 if none;
 * firstBlock is the first entry's block.
 * @throws BigsyncError INTERNAL for a bad count, entries that are not for consecutive blocks, a
 *   last block past 2^53-2, a weak checksum that is not a u32, an all-zero entry with a weak
 *   checksum or a strong hash, or strong hashes that are not all 16 or all 32 bytes.
 */
export function encodeWeakSums(msg: WeakSums): Buffer {
  const { entries } = msg;
  const hashLen = entries.find((e) => e.strong !== null)?.strong?.length ?? 0;
  const firstBlock = entries[0]?.block ?? 0;
  const w = new ByteWriter('WEAK_SUMS', WEAK_SUMS_HEADER_SIZE + entries.length * (WEAK_ENTRY_SIZE + hashLen))
    .u32(entries.length, 'count', BATCH_RULE)
    .u8(hashLen, 'hashLen', HASH_LEN_RULE)
    .u64(firstBlock, 'firstBlock', { max: MAX_SAFE - entries.length });
  entries.forEach((e, i) => {
    if (e.block !== firstBlock + i) {
      const problem = `${e.block} is not ${firstBlock + i} (entries must be for consecutive blocks)`;
      encodeFailure('WEAK_SUMS', `entry ${i} block`, problem);
    }
    if (e.zero && (e.weak !== 0 || e.strong !== null))
      encodeFailure('WEAK_SUMS', `entry ${i}`, 'is all-zero but has a weak checksum or a strong hash');
    if (e.strong !== null && e.strong.length !== hashLen)
      encodeFailure('WEAK_SUMS', `entry ${i} strong`, `is ${e.strong.length} bytes, not ${hashLen}`);
    const flags = (e.zero ? WEAK_FLAG_ZERO : 0) | (e.strong !== null ? WEAK_FLAG_STRONG : 0);
    w.u8(flags, `entry ${i} flags`).u32(e.weak, `entry ${i} weak`);
    if (e.strong !== null) w.bytes(e.strong);
  });
  return w.finish();
}

/**
 * Decodes a WEAK_SUMS payload; entry i is for block firstBlock + i.
 * @throws BigsyncError PROTOCOL_ERROR for a count outside 1..4096, a hashLen other than 0/16/32
 *   (or, when non-zero, other than opts.hashLen), a non-zero hashLen with no strong hash or a strong
 *   hash with hashLen 0, firstBlock + count above 2^53-1, unknown entry flag bits, an all-zero
 *   entry with a strong hash or a non-zero weak checksum, truncation or trailing bytes.
 */
export function decodeWeakSums(payload: Buffer, opts: WeakSumsDecodeOptions = {}): WeakSums {
  const r = new ByteReader(payload, 'WEAK_SUMS', opts.offset);
  const count = r.u32('count', BATCH_RULE);
  const hashLenAt = r.position;
  const hashLen = r.u8('hashLen', opts.hashLen === undefined ? HASH_LEN_RULE : { oneOf: [0, opts.hashLen] });
  const firstAt = r.position;
  const firstBlock = r.u64('firstBlock');
  if (firstBlock > MAX_SAFE - count) {
    const problem = `${firstBlock} + count ${count} exceeds 2^53-1`;
    r.failAt(firstAt, 'firstBlock', problem, { firstBlock, count });
  }
  const entries: WeakSumEntry[] = [];
  for (let i = 0; i < count; i++) entries.push(readEntry(r, i, hashLen, firstBlock + i));
  if (hashLen !== 0 && !entries.some((e) => e.strong !== null))
    r.failAt(hashLenAt, 'hashLen', `is ${hashLen} but no entry has a strong hash (must be 0)`);
  r.expectEnd();
  return { entries };
}

/** Reads entry `i` of a WEAK_SUMS, the one for `block`. */
function readEntry(r: ByteReader, i: number, hashLen: number, block: number): WeakSumEntry {
  const flagsAt = r.position;
  const flags = r.u8(`entry ${i} flags`);
  if ((flags & ~WEAK_FLAGS_KNOWN) !== 0)
    r.failAt(flagsAt, `entry ${i} flags`, `0x${flags.toString(16)} has unknown bits`, { flags });
  const zero = (flags & WEAK_FLAG_ZERO) !== 0;
  const hasStrong = (flags & WEAK_FLAG_STRONG) !== 0;
  if (zero && hasStrong)
    r.failAt(flagsAt, `entry ${i} flags`, '0x3 marks an all-zero block with a strong hash');
  if (hasStrong && hashLen === 0)
    r.failAt(flagsAt, `entry ${i} flags`, '0x1 announces a strong hash but hashLen is 0');
  const weakAt = r.position;
  const weak = r.u32(`entry ${i} weak`);
  if (zero && weak !== 0)
    r.failAt(weakAt, `entry ${i} weak`, `0x${weak.toString(16)} must be 0 in an all-zero entry`, { weak });
  const strong = hasStrong ? r.bytes(hashLen, `entry ${i} strong`) : null;
  return { block, zero, weak, strong };
}

/** Encodes a COPY payload. @throws BigsyncError INTERNAL for a length of 0 or an end past 2^53-1. */
export function encodeCopy(msg: CopyMessage): Buffer {
  const endRule = { max: MAX_SAFE - msg.length };
  return new ByteWriter('COPY', COPY_SIZE)
    .u64(msg.from, 'from', endRule)
    .u64(msg.to, 'to', endRule)
    .u64(msg.length, 'length', LENGTH_RULE)
    .finish();
}

/**
 * Decodes a COPY payload.
 * @throws BigsyncError PROTOCOL_ERROR for a length of 0, from + length or to + length above
 *   2^53-1, truncation or trailing bytes.
 */
export function decodeCopy(payload: Buffer, opts: DecodeOptions = {}): CopyMessage {
  const r = new ByteReader(payload, 'COPY', opts.offset);
  const from = r.u64('from');
  const to = r.u64('to');
  const length = r.u64('length', LENGTH_RULE);
  if (from > MAX_SAFE - length) r.failAt(0, 'from', `${from} + length ${length} exceeds 2^53-1`);
  if (to > MAX_SAFE - length) r.failAt(8, 'to', `${to} + length ${length} exceeds 2^53-1`);
  r.expectEnd();
  return { from, to, length };
}
