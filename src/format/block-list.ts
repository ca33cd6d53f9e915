/**
 * The block-list layout of SUBHASH_REQUEST: u32 count (1..4096), then `count` u64 block numbers
 * (<= 2^53-1), strictly increasing. Whether the blocks exist in the file is for block-range.ts to
 * check. (WEAK_REQUEST sends its blocks as runs instead, see messages-rolling.ts.)
 */
import type { Buffer } from 'node:buffer';
import { ByteReader, type DecodeOptions } from './byte-reader.js';
import { ByteWriter, encodeFailure } from './byte-writer.js';
import { countRule } from './field-rules.js';
import { MAX_BLOCKS_PER_BATCH } from './wire-constants.js';

/** The problem phrase for a block number that is not above the one before it. */
export const NOT_INCREASING = 'is not above the previous block (block numbers must strictly increase)';

/**
 * Encodes `blocks` as the payload of message `what`.
 * @throws BigsyncError INTERNAL for a count outside 1..4096, a block number that is not a u64 up to
 *   2^53-1, or blocks that do not strictly increase.
 */
export function encodeBlockList(what: string, blocks: readonly number[]): Buffer {
  const w = new ByteWriter(what, 4 + blocks.length * 8);
  w.u32(blocks.length, 'count', countRule(MAX_BLOCKS_PER_BATCH));
  blocks.forEach((block, i) => {
    const previous = blocks[i - 1];
    if (previous !== undefined && block <= previous)
      encodeFailure(what, `block ${i}`, `${block} ${NOT_INCREASING}`);
    w.u64(block, `block ${i}`);
  });
  return w.finish();
}

/**
 * Decodes the payload of message `what` as a block list.
 * @throws BigsyncError PROTOCOL_ERROR for a count outside 1..4096, block numbers that do not
 *   strictly increase or exceed 2^53-1, truncation or trailing bytes.
 */
export function decodeBlockList(what: string, payload: Buffer, opts: DecodeOptions = {}): number[] {
  const r = new ByteReader(payload, what, opts.offset);
  const count = r.u32('count', countRule(MAX_BLOCKS_PER_BATCH));
  const blocks: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.position;
    const block = r.u64(`block ${i}`);
    const previous = blocks[i - 1];
    if (previous !== undefined && block <= previous)
      r.failAt(at, `block ${i}`, `${block} ${NOT_INCREASING}`, { block, previous });
    blocks.push(block);
  }
  r.expectEnd();
  return blocks;
}
