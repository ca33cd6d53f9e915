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

/** One edit of a file body, positions as fractions of its length. */
const edit = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 5000 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 9000 }),
  }),
  fc.record({
    kind: fc.constant('move' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    to: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 20_000 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    to: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 20_000 }),
  }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdit(b: Buffer, e: Edit): Buffer {
  const at = Math.floor(e.at * b.length);
  if (e.kind === 'insert') return Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
  const end = Math.min(b.length, at + e.length);
  if (e.kind === 'delete') return Buffer.concat([b.subarray(0, at), b.subarray(end)]);
  const piece = Buffer.from(b.subarray(at, end));
  const rest = e.kind === 'move' ? Buffer.concat([b.subarray(0, at), b.subarray(end)]) : b;
  const to = Math.floor(e.to * rest.length);
  return Buffer.concat([rest.subarray(0, to), piece, rest.subarray(to)]);
}

/** An old body with repeated 4 KiB blocks, zero runs and random data (up to ~200 KiB). */
const oldBody = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 30_000 }).map((a) => Buffer.from(a)),
      fc.integer({ min: 1, max: 20_000 }).map((n) => Buffer.alloc(n)),
      fc
        .tuple(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), fc.integer({ min: 1, max: 6 }))
        .map(([a, n]) => Buffer.concat(Array.from({ length: n }, () => Buffer.from(a)))),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => Buffer.concat(parts));

/** [source, target, edits]: the target an old body, the source it after 1..5 insertions, deletions, moves and duplications. */
export const editedPair = fc
  .tuple(oldBody, fc.array(edit, { minLength: 1, maxLength: 5 }))
  .map(([old, edits]) => [edits.reduce(applyEdit, old), old, edits.length] as const);
