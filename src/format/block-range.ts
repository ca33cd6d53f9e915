/**
 * Checks that decoded messages fit the file they are about. The decoders cannot do this (they do
 * not know the file size); the session calls these after decoding, with the FILE_INFO it agreed
 * on. Every failure is a BigsyncError PROTOCOL_ERROR naming the message, the numbers and the limit.
 */
import { BigsyncError, type ErrorDetails } from '../errors.js';
import type { FileInfo, Subhashes } from './messages-blocks.js';

/** The file geometry the checks need (a FileInfo will do). */
export type FileGeometry = Pick<FileInfo, 'size' | 'blockSize'>;

/** Number of blocks in a file of `size` bytes (the last one may be short). */
export function blockCount(size: number, blockSize: number): number {
  return Math.ceil(size / blockSize);
}

/** Number of full blocks in a file of `size` bytes (a short last block does not count). */
export function fullBlockCount(size: number, blockSize: number): number {
  return Math.floor(size / blockSize);
}

/**
 * Checks that blocks `firstBlock .. firstBlock + count - 1` exist in a file of `totalBlocks`.
 * @throws BigsyncError PROTOCOL_ERROR if the range runs past the last block.
 */
export function validateBlockRange(
  firstBlock: number,
  count: number,
  totalBlocks: number,
  what = 'BLOCK_HASHES',
): void {
  if (firstBlock + count > totalBlocks) {
    fail(
      `${what}: blocks ${firstBlock}..${firstBlock + count - 1} run past the last block ${totalBlocks - 1}`,
      {
        message: what,
        firstBlock,
        count,
        totalBlocks,
      },
    );
  }
}

/**
 * Checks a strictly increasing block list (as SUBHASH_REQUEST decodes it) against `totalBlocks`.
 * @throws BigsyncError PROTOCOL_ERROR if its last block does not exist.
 */
export function validateBlockList(
  blocks: readonly number[],
  totalBlocks: number,
  what = 'SUBHASH_REQUEST',
): void {
  const last = blocks[blocks.length - 1];
  if (last !== undefined && last >= totalBlocks) {
    fail(`${what}: block ${last} is past the last block ${totalBlocks - 1}`, {
      message: what,
      block: last,
      totalBlocks,
    });
  }
}

/**
 * Checks SUBHASHES against the file: the block exists, the page size fits the block size, and the
 * count is exactly the number of pages in that block (the last block may be short).
 * @throws BigsyncError PROTOCOL_ERROR on any mismatch.
 */
export function validateSubhashes(msg: Subhashes, file: FileGeometry): void {
  const totalBlocks = blockCount(file.size, file.blockSize);
  validateBlockList([msg.block], totalBlocks, 'SUBHASHES');
  if (msg.pageSize > file.blockSize) {
    fail(`SUBHASHES: pageSize ${msg.pageSize} exceeds the block size ${file.blockSize}`, {
      message: 'SUBHASHES',
      pageSize: msg.pageSize,
      blockSize: file.blockSize,
    });
  }
  const blockBytes = Math.min(file.blockSize, file.size - msg.block * file.blockSize);
  const expected = Math.ceil(blockBytes / msg.pageSize);
  if (msg.hashes.length !== expected) {
    fail(
      `SUBHASHES: block ${msg.block} has ${expected} pages of ${msg.pageSize} bytes, got ${msg.hashes.length} hashes`,
      {
        message: 'SUBHASHES',
        block: msg.block,
        expected,
        available: msg.hashes.length,
      },
    );
  }
}

/**
 * Checks a WEAK_REQUEST's blocks (strictly increasing, as decoded) against the target's number of
 * full blocks ({@link fullBlockCount} of its size before the sync): only full blocks have a weak
 * checksum.
 * @throws BigsyncError PROTOCOL_ERROR if its last block is not a full block of the target.
 */
export function validateWeakRequest(blocks: readonly number[], fullBlocks: number): void {
  const last = blocks[blocks.length - 1];
  if (last !== undefined && last >= fullBlocks) {
    fail(`WEAK_REQUEST: block ${last} is not a full block of the target (it has ${fullBlocks} full blocks)`, {
      message: 'WEAK_REQUEST',
      block: last,
      fullBlocks,
    });
  }
}

/**
 * Checks a COPY against the receiver's limits: it may read target bytes below `readLimit` (the
 * larger of the old target's size and the source's) and write below `writeLimit` (the source's
 * size). The decoder already guarantees length >= 1 and both ends <= 2^53-1.
 * @throws BigsyncError PROTOCOL_ERROR if either range runs past its limit.
 */
export function validateCopyRange(
  copy: { readonly from: number; readonly to: number; readonly length: number },
  readLimit: number,
  writeLimit: number,
): void {
  const { from, to, length } = copy;
  if (from + length > readLimit) {
    fail(`COPY: source range [${from}, ${from + length}) runs past the read limit ${readLimit}`, {
      message: 'COPY',
      from,
      length,
      readLimit,
    });
  }
  if (to + length > writeLimit) {
    fail(`COPY: destination range [${to}, ${to + length}) runs past the write limit ${writeLimit}`, {
      message: 'COPY',
      to,
      length,
      writeLimit,
    });
  }
}

/**
 * Checks that DATA's range `offset .. offset + length` lies within a file of `size` bytes.
 * @throws BigsyncError PROTOCOL_ERROR if it runs past the end.
 */
export function validateDataRange(
  msg: { readonly offset: number; readonly length: number },
  size: number,
): void {
  if (msg.offset + msg.length > size) {
    fail(`DATA: range ${msg.offset}+${msg.length} runs past the end of the file (${size} bytes)`, {
      message: 'DATA',
      offset: msg.offset,
      length: msg.length,
      size,
    });
  }
}

function fail(message: string, details: ErrorDetails): never {
  throw new BigsyncError('PROTOCOL_ERROR', message, details);
}
