/**
 * fast-check arbitraries for sync properties: source/target pairs of file bodies (sizes 0..several
 * blocks, odd sizes, zero runs, fill runs, shared runs) and block sizes. FC_SEED / FC_RUNS env
 * variables reproduce or widen a run.
 */
import fc from 'fast-check';

/** Property runs (FC_RUNS overrides). */
export const fcRuns = (dflt: number): number => Number(process.env['FC_RUNS'] ?? dflt);
/** The fast-check seed (FC_SEED), or undefined for a random one. */
export const FC_SEED = process.env['FC_SEED'] === undefined ? undefined : Number(process.env['FC_SEED']);

/** A file body built from segments: zeros, random bytes, or a fill byte. */
const segment = fc.oneof(
  fc.integer({ min: 0, max: 20_000 }).map((n) => Buffer.alloc(n)),
  fc.uint8Array({ minLength: 0, maxLength: 9000 }).map((a) => Buffer.from(a)),
  fc
    .tuple(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 30_000 }))
    .map(([b, n]) => Buffer.alloc(n, b)),
);
const body = fc.array(segment, { maxLength: 6 }).map((parts) => Buffer.concat(parts));

/** [A, B]: unrelated bodies, or B derived from A with a range overwritten. */
export const filePair = fc.tuple(body, body, fc.nat(), fc.boolean()).map(([a, noise, at, derive]) => {
  if (!derive || a.length === 0) return [a, noise] as const;
  const b = Buffer.from(a);
  const p = at % a.length;
  noise.copy(b, p, 0, Math.min(noise.length, b.length - p));
  return [a, b] as const;
});

/** Block sizes, including one that is not a power of two. */
export const blockSizes = fc.constantFrom(4096, 6144, 8192, 65536);
