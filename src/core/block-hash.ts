/**
 * The block hash of remote sync: GMAC, i.e. AES-128-GCM with a per-session random key, the
 * block fed as additional authenticated data and the 16-byte tag as the hash. A keyed universal
 * hash: two different blocks of L bytes collide with probability at most about (L/16) / 2^128 when
 * their bytes were fixed before the key was drawn (docs/design.md, "Block hash"). It runs at about
 * 3 GB/s per core here, SHA-256 at about 1.
 *
 * Streaming by design (rule 2 of STYLE.md): {@link BlockHashState} is fed piece by piece, so a
 * 64 MiB block never has to sit in memory at once.
 */
import { createCipheriv, createHash, type CipherGCM } from 'node:crypto';

/** Bytes of a block hash. */
export const BLOCK_HASH_LENGTH = 16;
/** The all-zero hash that stands for an all-zero block in digests. */
export const ZERO_BLOCK_HASH = Buffer.alloc(BLOCK_HASH_LENGTH);

const IV = Buffer.alloc(12);
const ZEROS = Buffer.alloc(64 * 1024);

/**
 * The hash of one block in progress. Feed pieces in order with {@link update}; {@link finish}
 * returns the tag, or null when every byte fed was zero (the block is a zero block, whose hash is
 * never computed: zero blocks are compared by their flag).
 */
export class BlockHashState {
  private cipher: CipherGCM | null = null;
  private zeroPrefix = 0;

  constructor(private readonly key: Uint8Array) {}

  /**
   * Feeds the next `length` bytes of the block: `piece` holds them, or, when `isZero`, they are
   * zeros and `piece` is not read (a hole need not be read or zero-filled).
   */
  update(piece: Uint8Array, isZero: boolean, length = piece.length): void {
    if (this.cipher === null) {
      if (isZero) {
        this.zeroPrefix += length;
        return;
      }
      this.cipher = createCipheriv('aes-128-gcm', this.key, IV);
      this.feedZeros(this.zeroPrefix);
    }
    if (isZero) this.feedZeros(length);
    else this.cipher.setAAD(piece.subarray(0, length));
  }

  private feedZeros(n: number): void {
    for (let left = n; left > 0; left -= ZEROS.length) {
      this.cipher?.setAAD(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
    }
  }

  /** The block's tag (16 bytes), or null for an all-zero block. */
  finish(): Buffer | null {
    if (this.cipher === null) return null;
    this.cipher.final();
    return this.cipher.getAuthTag();
  }
}

/** The GMAC tag of `data` under `key` (for pages and tests). */
export function gmac(key: Uint8Array, data: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-gcm', key, IV);
  c.setAAD(data);
  c.final();
  return c.getAuthTag();
}

/** Page hashes of one block: the GMAC of each `pageSize` slice (the last may be short). */
export function pageHashes(key: Uint8Array, block: Uint8Array, pageSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < block.length; p += pageSize)
    out.push(gmac(key, block.subarray(p, Math.min(p + pageSize, block.length))));
  return out;
}

/**
 * The whole-file digest both sides compute: SHA-256 over the block hashes in block order, an
 * all-zero block standing as {@link ZERO_BLOCK_HASH}. Fed in order, block by block.
 */
export class FileDigest {
  private readonly sha = createHash('sha256');

  /** Adds the next block's hash (null for a zero block). */
  add(tag: Uint8Array | null): void {
    this.sha.update(tag ?? ZERO_BLOCK_HASH);
  }

  /** The 32-byte digest. */
  digest(): Buffer {
    return this.sha.digest();
  }
}
