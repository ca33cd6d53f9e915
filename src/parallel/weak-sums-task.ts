/**
 * Worker task of the rolling match: the weak checksum (and, for a remote sender, the block hash)
 * of chosen full blocks of the target, the entries of the table the source is searched against.
 * All-zero blocks are flagged and left out of the table by the caller: zeros are never copied.
 */
import { BLOCK_HASH_LENGTH, gmac } from '../core/block-hash.js';
import { isAllZero } from '../core/zero-detect.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import { readFullySync } from '../io/positional-io.js';
import { weakSumsOf } from '../io/weak-sums.js';
import { scratch } from './scratch-buffer.js';

/** Weak sums of blocks `blocks` (indices in the file's own geometry; full blocks only). */
export interface WeakSumsTask {
  kind: 'weak-sums';
  fd: number;
  blocks: number[];
  blockSize: number;
  /** With a key: also the block hash of the blocks whose `strong` flag is 1 (all when null). */
  key: Uint8Array | null;
  strong: Uint8Array | null;
}

/** Per block: weak checksum, zero flag, and the 16-byte hash (blank unless asked for). */
export interface WeakSumsResult {
  weak: Uint32Array;
  zero: Uint8Array;
  tags: Uint8Array;
  bytesRead: number;
}

/** Runs a {@link WeakSumsTask}. A short read (the file shrank) fails with IO_ERROR. */
export function runWeakSums(t: WeakSumsTask): WeakSumsResult {
  const n = t.blocks.length;
  const r: WeakSumsResult = {
    weak: new Uint32Array(n),
    zero: new Uint8Array(n),
    tags: new Uint8Array(t.key === null ? 0 : n * BLOCK_HASH_LENGTH),
    bytesRead: 0,
  };
  const buf = scratch(t.blockSize);
  for (let i = 0; i < n; i++) {
    const offset = (t.blocks[i] as number) * t.blockSize;
    let got: number;
    try {
      got = readFullySync(t.fd, buf, 0, t.blockSize, offset);
    } catch (err) {
      throw toBigsyncError(err, `read failed at offset ${offset}`, { offset });
    }
    r.bytesRead += got;
    if (got !== t.blockSize) {
      throw new BigsyncError(
        'IO_ERROR',
        `short read at offset ${offset}: the target shrank during the sync`,
        {
          offset,
        },
      );
    }
    if (isAllZero(buf, 0, t.blockSize)) {
      r.zero[i] = 1;
      continue;
    }
    r.weak[i] = weakSumsOf(buf.subarray(0, t.blockSize), t.blockSize)[0] as number;
    if (t.key !== null && (t.strong === null || t.strong[i] === 1)) {
      r.tags.set(gmac(t.key, buf.subarray(0, t.blockSize)), i * BLOCK_HASH_LENGTH);
    }
  }
  return r;
}
