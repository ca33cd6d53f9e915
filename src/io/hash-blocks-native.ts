/**
 * The block hashes of remote sync computed by the addon on libuv's pool threads
 * (`hashBlocksAsync`: pread and GMAC through Node's own OpenSSL): no worker thread has to start,
 * and no block passes through JS. The same tags and zero flags as parallel/hash-blocks-task.ts's
 * runHashBlocks (a unit test holds them equal), without the weak checksums.
 */
import { extentPairs, type Extent } from '../core/extent.js';
import { BLOCK_HASH_LENGTH } from '../core/block-hash.js';
import { toBigsyncError } from '../errors.js';
import { nativeOps, type NativeOps } from './native.js';

/** Blocks [firstBlock, firstBlock + count) of the file on `fd`, as in a hash-blocks task. */
export interface NativeHashJob {
  fd: number;
  firstBlock: number;
  count: number;
  blockSize: number;
  size: number;
  /** The data extents within the range (the rest reads as zeros); null: all data. */
  data: readonly Extent[] | null;
  key: Uint8Array;
}

/** Whether {@link hashBlocksNative} runs here. */
export function hasNativeHashing(ops: NativeOps | null = nativeOps()): boolean {
  return ops?.hashBlocksAsync !== undefined;
}

/**
 * Hashes the blocks on a pool thread, or returns null when the addon cannot (the caller hashes in
 * JS). Rejects with IO_ERROR and the like as a read fails.
 */
export function hashBlocksNative(
  j: NativeHashJob,
  ops: NativeOps | null = nativeOps(),
): Promise<{ tags: Uint8Array; zero: Uint8Array; bytesRead: number }> | null {
  if (ops?.hashBlocksAsync === undefined) return null;
  const tags = new Uint8Array(j.count * BLOCK_HASH_LENGTH);
  const zero = new Uint8Array(j.count);
  const data = j.data === null ? null : extentPairs(j.data);
  return ops.hashBlocksAsync(j.fd, j.firstBlock, j.count, j.blockSize, j.size, data, j.key, tags, zero).then(
    (bytesRead) => ({ tags, zero, bytesRead }),
    (err: unknown) => {
      throw toBigsyncError(err, `read failed hashing block ${j.firstBlock}`, { block: j.firstBlock });
    },
  );
}
