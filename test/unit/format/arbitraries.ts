/**
 * fast-check arbitraries for every protocol message, covering every field's full legal range
 * (batch sizes are kept small so properties stay fast; the limits themselves have their own
 * tests). Shared by the unit tests and test/fuzz.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import type { JsonValue } from '../../../src/format/json-field.js';
import type { Message } from '../../../src/format/messages.js';
import type {
  BlockHashes,
  FileInfo,
  SubhashRequest,
  Subhashes,
} from '../../../src/format/messages-blocks.js';
import type { DataMessage, Done } from '../../../src/format/messages-data.js';
import type { Hello, HelloAck } from '../../../src/format/messages-handshake.js';
import type { MatchMode, OpenRequest } from '../../../src/format/messages-open.js';
import type {
  CopyMessage,
  WeakRequest,
  WeakSumEntry,
  WeakSums,
} from '../../../src/format/messages-rolling.js';
import type { ErrorMessage, ResultMessage } from '../../../src/format/messages-status.js';
import {
  MAX_BLOCKS_PER_BATCH,
  MAX_DATA_LENGTH,
  U64_MAX,
  ZSTD_SLACK,
  type DataEncoding,
  type HashAlgorithm,
} from '../../../src/format/wire-constants.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** `n` arbitrary bytes as a Buffer (decoders return Buffers; deepStrictEqual compares prototypes). */
export const bytes = (min: number, max = min): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((u) => Buffer.from(u));

/** Unicode text (no lone surrogates) of at most `maxChars` code points (<= 4 bytes each). */
export const text = (maxChars: number, minChars = 0): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', minLength: minChars, maxLength: maxChars });

/** fc.record, always with Object.prototype (decoders build plain objects; deepStrictEqual checks). */
const record = ((model: Record<string, fc.Arbitrary<unknown>>, constraints: object = {}) =>
  fc.record(model, { ...constraints, noNullPrototype: true })) as typeof fc.record;

export const blockSize = fc.integer({ min: 8, max: 131072 }).map((n) => n * 512);
export const u64n = fc.bigInt({ min: 0n, max: U64_MAX });
export const version = fc.integer({ min: 1, max: 0xffff });

export const hello: fc.Arbitrary<Hello> = fc
  .record({ a: version, b: version, capabilities: u64n, software: text(64) })
  .map(({ a, b, capabilities, software }) => ({
    minVersion: Math.min(a, b),
    maxVersion: Math.max(a, b),
    capabilities,
    software,
  }));

export const helloAck: fc.Arbitrary<HelloAck> = record({ version, capabilities: u64n });

const hashChoice: fc.Arbitrary<{ hashAlgorithm?: HashAlgorithm; hashKey?: Buffer }> = fc.oneof(
  fc.constant({}),
  fc.constant({ hashAlgorithm: 2 as const }),
  bytes(16).map((hashKey) => ({ hashAlgorithm: 1 as const, hashKey })),
);

export const open: fc.Arbitrary<OpenRequest> = fc
  .tuple(
    record(
      {
        role: fc.constantFrom(1 as const, 2 as const),
        path: text(1024, 1).map((p) => p.replaceAll('\0', '/')),
        blockSize,
        match: fc.constantFrom<MatchMode>('auto', 'aligned', 'rolling'),
        flags: record({
          dryRun: fc.boolean(),
          wholeFile: fc.boolean(),
          noSparse: fc.boolean(),
          compress: fc.boolean(),
        }),
      },
      { requiredKeys: ['role', 'path', 'flags'] },
    ),
    hashChoice,
  )
  .map(([base, hash]) => ({ ...base, ...hash }));

export const fileInfo: fc.Arbitrary<FileInfo> = record({
  size: fc.maxSafeNat(),
  blockSize,
  kind: fc.constantFrom(1 as const, 2 as const),
});

export const blockHashes = (maxCount = 64): fc.Arbitrary<BlockHashes> =>
  fc.constantFrom(16, 32).chain((hashLen) =>
    record({
      firstBlock: fc.integer({ min: 0, max: MAX_SAFE - MAX_BLOCKS_PER_BATCH }),
      hashLen: fc.constant(hashLen),
      hashes: fc.array(fc.option(bytes(hashLen), { nil: null }), { minLength: 1, maxLength: maxCount }),
    }),
  );

/** 1..maxCount distinct block numbers (up to 2^53-1), ascending. */
const blockList = (maxCount = 64): fc.Arbitrary<number[]> =>
  fc
    .uniqueArray(fc.maxSafeNat(), { minLength: 1, maxLength: maxCount })
    .map((blocks) => blocks.sort((a, b) => a - b));

export const subhashRequest: fc.Arbitrary<SubhashRequest> = blockList().map((blocks) => ({ blocks }));

export const subhashes: fc.Arbitrary<Subhashes> = fc.integer({ min: 8, max: 32 }).chain((hashLen) =>
  record({
    block: fc.maxSafeNat(),
    pageSize: blockSize,
    hashLen: fc.constant(hashLen),
    hashes: fc.array(bytes(hashLen), { minLength: 1, maxLength: 64 }),
  }),
);

/**
 * 1..maxCount block numbers below 2^53-1, ascending, as a WEAK_REQUEST carries them: runs of 1..16
 * consecutive blocks, mostly 0..3 blocks apart (0: two runs the encoder must merge), sometimes far.
 */
const blockRuns = (maxCount = 64): fc.Arbitrary<number[]> =>
  fc
    .tuple(
      fc.oneof(fc.nat(1000), fc.integer({ min: 0, max: MAX_SAFE - 1 })),
      fc.array(
        record({
          length: fc.integer({ min: 1, max: 16 }),
          gap: fc.oneof({ arbitrary: fc.nat(3), weight: 4 }, { arbitrary: fc.maxSafeNat(), weight: 1 }),
        }),
        { minLength: 1, maxLength: maxCount },
      ),
    )
    .map(([start, runs]) => {
      const blocks: number[] = [];
      let next = start;
      for (const { length, gap } of runs) {
        for (let k = 0; k < length && blocks.length < maxCount && next < MAX_SAFE; k++) blocks.push(next++);
        next += gap; // past 2^53-1 (even inexact), no further block is added
      }
      return blocks;
    });

export const weakRequest: fc.Arbitrary<WeakRequest> = blockRuns().map((blocks) => ({ blocks }));

/** One WEAK_SUMS entry without its block (all-zero, or a weak checksum, with or without a strong hash). */
const weakEntry = (hashLen: number): fc.Arbitrary<Omit<WeakSumEntry, 'block'>> =>
  fc.oneof(
    fc.constant({ zero: true, weak: 0, strong: null }),
    record({
      zero: fc.constant(false),
      weak: fc.nat({ max: 0xffffffff }),
      strong: fc.option(bytes(hashLen), { nil: null }),
    }),
  );

/** 1..maxCount entries for consecutive blocks from any firstBlock whose last block fits. */
export const weakSums = (maxCount = 64): fc.Arbitrary<WeakSums> =>
  fc
    .constantFrom(16, 32)
    .chain((hashLen) => fc.array(weakEntry(hashLen), { minLength: 1, maxLength: maxCount }))
    .chain((bodies) =>
      fc
        .integer({ min: 0, max: MAX_SAFE - bodies.length })
        .map((first) => ({ entries: bodies.map((body, i) => ({ block: first + i, ...body })) })),
    );

export const copy: fc.Arbitrary<CopyMessage> = fc.integer({ min: 1, max: MAX_SAFE }).chain((length) =>
  record({
    from: fc.integer({ min: 0, max: MAX_SAFE - length }),
    to: fc.integer({ min: 0, max: MAX_SAFE - length }),
    length: fc.constant(length),
  }),
);

const dataBody = (encoding: DataEncoding): fc.Arbitrary<Omit<DataMessage, 'offset'>> => {
  if (encoding === 0) {
    return bytes(1, 2048).map((payload) => ({ length: payload.length, encoding, payload }));
  }
  const length = fc.integer({ min: 1, max: MAX_DATA_LENGTH });
  if (encoding === 2) return length.map((n) => ({ length: n, encoding, payload: Buffer.alloc(0) }));
  return length.chain((n) =>
    bytes(1, Math.min(n + ZSTD_SLACK, 2048)).map((payload) => ({ length: n, encoding, payload })),
  );
};

export const data: fc.Arbitrary<DataMessage> = fc
  .constantFrom<DataEncoding>(0, 1, 2)
  .chain(dataBody)
  .chain((body) =>
    fc.integer({ min: 0, max: MAX_SAFE - body.length }).map((offset) => ({ offset, ...body })),
  );

export const done: fc.Arbitrary<Done> = fc.oneof(
  bytes(16).map((digest) => ({ algorithm: 1 as const, digest })),
  bytes(32).map((digest) => ({ algorithm: 2 as const, digest })),
);

const key = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__');
const scalar: fc.Arbitrary<string | number | boolean | null> = fc.oneof(
  fc.integer().map((n) => n + 0), // never -0: JSON cannot carry it
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => n + 0),
  fc.boolean(),
  fc.constant(null),
  text(16),
);
const dict = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> =>
  fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });
const jsonValue: fc.Arbitrary<JsonValue> = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), dict(scalar));

export const result: fc.Arbitrary<ResultMessage> = record({
  status: fc.constantFrom(0 as const, 1 as const),
  stats: dict(jsonValue),
});

export const errorMessage: fc.Arbitrary<ErrorMessage> = record({
  code: fc.stringMatching(/^[A-Z_]{1,64}$/),
  message: text(1024),
  details: dict(scalar),
});

/** An arbitrary for each message type. */
export const messageOf: { readonly [K in Message['type']]: fc.Arbitrary<Message> } = {
  HELLO: hello.map((body) => ({ type: 'HELLO' as const, body })),
  HELLO_ACK: helloAck.map((body) => ({ type: 'HELLO_ACK' as const, body })),
  OPEN: open.map((body) => ({ type: 'OPEN' as const, body })),
  FILE_INFO: fileInfo.map((body) => ({ type: 'FILE_INFO' as const, body })),
  BLOCK_HASHES: blockHashes().map((body) => ({ type: 'BLOCK_HASHES' as const, body })),
  SUBHASH_REQUEST: subhashRequest.map((body) => ({ type: 'SUBHASH_REQUEST' as const, body })),
  SUBHASHES: subhashes.map((body) => ({ type: 'SUBHASHES' as const, body })),
  DATA: data.map((body) => ({ type: 'DATA' as const, body })),
  DONE: done.map((body) => ({ type: 'DONE' as const, body })),
  RESULT: result.map((body) => ({ type: 'RESULT' as const, body })),
  ERROR: errorMessage.map((body) => ({ type: 'ERROR' as const, body })),
  WEAK_REQUEST: weakRequest.map((body) => ({ type: 'WEAK_REQUEST' as const, body })),
  WEAK_SUMS: weakSums().map((body) => ({ type: 'WEAK_SUMS' as const, body })),
  COPY: copy.map((body) => ({ type: 'COPY' as const, body })),
};

/** Any message of the union, with its type. */
export const message: fc.Arbitrary<Message> = fc.oneof(...Object.values(messageOf));
