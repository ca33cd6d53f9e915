/**
 * Block size limits and the default. The default comes from measurements recorded in
 * docs/design.md ("Block size").
 */
import { BigsyncError } from '../errors.js';

/** Smallest block size: one page. */
export const MIN_BLOCK_SIZE = 4 * 1024;
/** Largest block size. */
export const MAX_BLOCK_SIZE = 64 * 1024 * 1024;
/** The default block size (see docs/design.md for why). */
export const DEFAULT_BLOCK_SIZE = 128 * 1024;

/**
 * Checks a block size.
 * @throws BigsyncError BAD_BLOCK_SIZE outside 4K..64M or not a multiple of 512.
 */
export function checkBlockSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < MIN_BLOCK_SIZE || size > MAX_BLOCK_SIZE || size % 512 !== 0) {
    throw new BigsyncError(
      'BAD_BLOCK_SIZE',
      `invalid block size ${size}: must be between 4K and 64M and a multiple of 512`,
      { blockSize: size },
    );
  }
  return size;
}
