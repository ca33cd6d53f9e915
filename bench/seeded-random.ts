/**
 * Seeded randomness for benchmark and test images.
 *
 * Two sources, both derived from a seed string and nothing else, so the same seed always gives the
 * same bytes on every machine and Node version:
 *
 * - {@link Keystream}: bulk bytes, the AES-128-CTR keystream with key = SHA-256(seed)[0..16) and
 *   iv = SHA-256(seed)[16..32). About 1 GB/s per core with AES-NI.
 * - {@link SeededRng}: choices (region kinds, offsets), xoshiro128** on 32-bit integers seeded from
 *   SHA-256(seed + "\0rng").
 *
 * Neither is for security; both are for reproducible data.
 */
import { createCipheriv, createHash, type Cipher } from 'node:crypto';

/** Largest piece the keystream produces in one cipher call; bigger requests are made in pieces. */
const KEYSTREAM_PIECE = 1 << 20;
const ZEROS = Buffer.alloc(KEYSTREAM_PIECE);

/** A deterministic byte stream: the AES-128-CTR keystream keyed by SHA-256(seed). */
export class Keystream {
  readonly #cipher: Cipher;

  /** @param seed any string; equal seeds give equal streams. */
  constructor(seed: string) {
    const digest = createHash('sha256').update(seed, 'utf8').digest();
    this.#cipher = createCipheriv('aes-128-ctr', digest.subarray(0, 16), digest.subarray(16, 32));
  }

  /** Returns the next `n` bytes of the stream (a new buffer). */
  next(n: number): Buffer {
    if (n <= KEYSTREAM_PIECE) return this.#cipher.update(ZEROS.subarray(0, n));
    const out = Buffer.allocUnsafe(n);
    this.fill(out);
    return out;
  }

  /** Overwrites `target[start, end)` with the next `end - start` bytes of the stream. */
  fill(target: Buffer, start = 0, end = target.length): void {
    for (let pos = start; pos < end; pos += KEYSTREAM_PIECE) {
      const len = Math.min(KEYSTREAM_PIECE, end - pos);
      this.#cipher.update(ZEROS.subarray(0, len)).copy(target, pos);
    }
  }

  /**
   * XORs the next `end - start` bytes of the stream into `target[start, end)`. The result is
   * random-looking whatever `target` held, and each byte differs from its old value unless its
   * keystream byte is 0 (probability 1/256).
   */
  xorInto(target: Buffer, start = 0, end = target.length): void {
    for (let pos = start; pos < end; pos += KEYSTREAM_PIECE) {
      const len = Math.min(KEYSTREAM_PIECE, end - pos);
      this.#cipher.update(target.subarray(pos, pos + len)).copy(target, pos);
    }
  }
}

/** xoshiro128** on 32-bit integers, seeded from SHA-256(seed + "\0rng"). Not cryptographic. */
export class SeededRng {
  readonly #s = new Uint32Array(4);

  /** @param seed any string; equal seeds give equal sequences. */
  constructor(seed: string) {
    const digest = createHash('sha256').update(`${seed}\0rng`, 'utf8').digest();
    for (let i = 0; i < 4; i++) this.#s[i] = digest.readUInt32LE(i * 4);
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1; // the all-zero state is a fixed point
  }

  /** The next uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.#s;
    const s0 = s[0] ?? 0;
    const s1 = s[1] ?? 0;
    const s2 = s[2] ?? 0;
    const s3 = s[3] ?? 0;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s[2] = s2 ^ s0;
    s[3] = s3 ^ s1;
    s[1] = s1 ^ (s[2] ?? 0);
    s[0] = s0 ^ (s[3] ?? 0);
    s[2] = (s[2] ?? 0) ^ t;
    s[3] = rotl(s[3] ?? 0, 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer in [0, n) for 1 <= n <= 2^53 (bias below 2^-53 * n, irrelevant for test data). */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1)
      throw new RangeError(`below(n) needs a positive integer, got ${n}`);
    return Math.floor(this.float() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Chooses exactly `k` of the indexes 0..n-1, each set of `k` equally likely, and yields them in
 * increasing order (Knuth's selection sampling, Algorithm S): O(n) time, O(1) memory.
 *
 * @param rng the source of choices; consumes one draw per index until `k` are chosen.
 * @param n how many indexes there are (a safe integer >= 0).
 * @param k how many to choose, 0 <= k <= n.
 */
export function* selectSorted(rng: SeededRng, n: number, k: number): Generator<number, void, void> {
  if (!(k >= 0 && k <= n)) throw new RangeError(`selectSorted: need 0 <= k <= n, got k=${k} n=${n}`);
  let chosen = 0;
  for (let i = 0; i < n && chosen < k; i++) {
    if ((n - i) * rng.float() < k - chosen) {
      chosen++;
      yield i;
    }
  }
}
