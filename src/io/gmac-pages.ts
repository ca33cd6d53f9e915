/**
 * The GMAC tags of the pages of a block (SUBHASHES on both ends of a remote sync): natively through
 * Node's own OpenSSL where the addon has `gmacPages` (~0.7 us a 4 KiB page here), else with
 * node:crypto (~5.5 us: a cipher set up per page). Both give the same tags (core/block-hash.ts).
 */
import { BLOCK_HASH_LENGTH, pageHashes } from '../core/block-hash.js';
import { nativeOps, type NativeOps } from './native.js';

/** The tags of each `pageSize` page of `block` (the last may be short), concatenated. */
export function pageTags(
  key: Uint8Array,
  block: Uint8Array,
  pageSize: number,
  ops: NativeOps | null = nativeOps(),
): Buffer {
  if (ops?.gmacPages === undefined) return Buffer.concat(pageHashes(key, block, pageSize));
  const out = Buffer.allocUnsafe(Math.ceil(block.length / pageSize) * BLOCK_HASH_LENGTH);
  ops.gmacPages(key, block, pageSize, out);
  return out;
}
