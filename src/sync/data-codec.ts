/**
 * DATA payload compression (`-z`): zstd through node:zlib where this Node has it (Node >= 22.15).
 * Node 20 has no zstd, and then the capability is not offered and `-z` is refused with USAGE.
 * A block that does not shrink is sent raw.
 */
import * as zlib from 'node:zlib';
import { BigsyncError } from '../errors.js';

interface ZstdZlib {
  zstdCompressSync(buf: Uint8Array, opts?: object): Buffer;
  zstdDecompressSync(buf: Uint8Array, opts?: object): Buffer;
}

const z = zlib as unknown as Partial<ZstdZlib>;

/** True when this Node can compress and decompress zstd. */
export function zstdAvailable(): boolean {
  return typeof z.zstdCompressSync === 'function' && typeof z.zstdDecompressSync === 'function';
}

/** Compresses `data`; returns null when zstd is unavailable or the result does not shrink. */
export function compressData(data: Uint8Array): Buffer | null {
  if (!zstdAvailable()) return null;
  const out = (z as ZstdZlib).zstdCompressSync(data);
  return out.length < data.length ? out : null;
}

/**
 * Decompresses a DATA payload that must expand to exactly `length` bytes.
 * @throws BigsyncError PROTOCOL_ERROR when zstd is unavailable, the payload is corrupt, or its size
 *   is not `length` (the output is capped at `length`, so a bomb cannot expand without bound).
 */
export function decompressData(payload: Uint8Array, length: number): Buffer {
  if (!zstdAvailable())
    throw new BigsyncError('PROTOCOL_ERROR', 'zstd DATA received but zstd was not negotiated');
  let out: Buffer;
  try {
    out = (z as ZstdZlib).zstdDecompressSync(payload, { maxOutputLength: length });
  } catch (err) {
    throw new BigsyncError('PROTOCOL_ERROR', `corrupt zstd DATA: ${(err as Error).message}`);
  }
  if (out.length !== length) {
    throw new BigsyncError('PROTOCOL_ERROR', `zstd DATA expanded to ${out.length} bytes, expected ${length}`);
  }
  return out;
}
