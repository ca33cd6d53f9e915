/**
 * Fuzzing of the protocol byte layer (src/format/) with fast-check, under a time budget.
 *
 * Inputs: random byte strings, and valid payloads/frames mutated by bit flips, truncation,
 * extension, overwritten integers, and changed frame length fields. Every decoder and the frame
 * reader must either decode or throw a BigsyncError with code PROTOCOL_ERROR: never another
 * exception, and never take long (each input must finish within SLOW_MS; all loops in the
 * decoders are bounded by the payload size or a protocol limit, so a real hang shows up as slow).
 *
 * Runs: FUZZ_RUNS=N per property (default 2000). FUZZ_TIME_MS caps each property's time; by
 * default 1500 ms (the run then stops early and passes), and no cap when FUZZ_RUNS is given, so
 * `FUZZ_RUNS=200000 node --test dist/test/fuzz/` really makes that many runs. On failure
 * fast-check prints the seed and path; replay with FUZZ_SEED=<seed> FUZZ_PATH=<path>.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BigsyncError } from '../../src/errors.js';
import { validateCopyRange, validateWeakRequest } from '../../src/format/block-range.js';
import { FrameReader } from '../../src/format/frame-reader.js';
import {
  decodeMessage,
  encodeMessage,
  encodeMessagePayload,
  type Message,
} from '../../src/format/messages.js';
import {
  decodeCopy,
  decodeWeakRequest,
  decodeWeakSums,
  encodeWeakRequest,
  encodeWeakSums,
} from '../../src/format/messages-rolling.js';
import { MAX_BLOCKS_PER_BATCH, MessageType } from '../../src/format/wire-constants.js';
import * as arb from '../unit/format/arbitraries.js';

const runsEnv = process.env['FUZZ_RUNS'];
const timeEnv = process.env['FUZZ_TIME_MS'];
const RUNS = Number(runsEnv ?? 2000);
/** Default budget per property; none when FUZZ_RUNS is given without FUZZ_TIME_MS (long runs). */
const TIME_MS = timeEnv !== undefined ? Number(timeEnv) : runsEnv !== undefined ? undefined : 1500;
const SLOW_MS = 1000;
const seed = process.env['FUZZ_SEED'];
const path = process.env['FUZZ_PATH'];
const PARAMS: fc.Parameters<unknown> = {
  numRuns: RUNS,
  ...(TIME_MS === undefined ? {} : { plugins: [fc.interruptAfterTimeLimit(TIME_MS)] }),
  ...(seed === undefined ? {} : { seed: Number(seed) }),
  ...(path === undefined ? {} : { path }),
};

/** Runs `fn`; any exception other than PROTOCOL_ERROR, or a slow run, fails the property. */
function onlyProtocolErrors(what: string, input: Buffer, fn: () => void): void {
  const start = performance.now();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof BigsyncError) || err.code !== 'PROTOCOL_ERROR') {
      assert.fail(`${what} threw ${String(err)} for input ${input.toString('hex').slice(0, 200)}`);
    }
  }
  const ms = performance.now() - start;
  assert.ok(ms < SLOW_MS, `${what} took ${ms.toFixed(1)} ms for ${input.length} bytes`);
}

/** One mutation of a byte string. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'int'; at: number; size: 1 | 2 | 4 | 8; value: bigint }
  | { kind: 'length'; value: number };

const boundary = fc.constantFrom(
  0n,
  1n,
  2n,
  0x7fn,
  0xffn,
  0x1000n,
  0x1001n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0xffffffffn,
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('int' as const),
    at: fc.nat(),
    size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
    value: fc.oneof(boundary, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
  }),
  fc.record({
    kind: fc.constant('length' as const),
    value: fc.oneof(fc.nat(64), fc.nat(), fc.constant(0xffffffff)),
  }),
);

/** Applies `m` to a copy of `buf`; `framed` says whether bytes 0..3 are a frame length. */
function mutate(buf: Buffer, m: Mutation, framed: boolean): Buffer {
  const out = Buffer.from(buf);
  const pos = (at: number, size = 1): number => (out.length < size ? -1 : at % (out.length - size + 1));
  switch (m.kind) {
    case 'flip': {
      const at = pos(m.at);
      if (at >= 0) out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'truncate':
      return out.subarray(0, m.at % (out.length + 1));
    case 'extend':
      return Buffer.concat([out, m.bytes]);
    case 'int': {
      const at = pos(m.at, m.size);
      if (at >= 0) out.set(int(m.value, m.size), at);
      return out;
    }
    case 'length':
      if (framed && out.length >= 4) out.writeUInt32BE(m.value >>> 0, 0);
      return out;
  }
}

/** The low `size` bytes of `value`, big-endian. */
function int(value: bigint, size: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value & ((1n << 64n) - 1n));
  return b.subarray(8 - size);
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });
const randomBytes = fc.uint8Array({ maxLength: 600 }).map((u) => Buffer.from(u));

/** Payload inputs for a message type: random bytes, or a valid payload of that type mutated. */
function payloadInputs(msgs: fc.Arbitrary<Message>): fc.Arbitrary<Buffer> {
  const mutated = fc
    .tuple(msgs, mutations)
    .map(([m, ms]) => ms.reduce<Buffer>((b, x) => mutate(b, x, false), encodeMessagePayload(m)));
  return fc.oneof({ arbitrary: randomBytes, weight: 1 }, { arbitrary: mutated, weight: 3 });
}

const DECODE_OPTIONS = fc.record(
  { hashLen: fc.constantFrom(16, 32), blockSize: arb.blockSize },
  { requiredKeys: [] },
);

describe('fuzz: message decoders', () => {
  for (const name of Object.keys(MessageType) as Message['type'][]) {
    it(`${name}: decodes or throws PROTOCOL_ERROR`, () => {
      fc.assert(
        fc.property(payloadInputs(arb.messageOf[name]), DECODE_OPTIONS, fc.nat(), (payload, opts, offset) => {
          const frame = { type: MessageType[name], flags: 0, payload, offset };
          onlyProtocolErrors(name, payload, () => decodeMessage(frame, opts));
        }),
        PARAMS,
      );
    });
  }
});

describe('fuzz: rolling range checks after decoding', () => {
  const limit = fc.oneof(fc.nat(1 << 20), fc.maxSafeNat());

  it('COPY: decoded and checked, or PROTOCOL_ERROR; an accepted COPY is exactly within both limits', () => {
    fc.assert(
      fc.property(payloadInputs(arb.messageOf.COPY), limit, limit, (payload, readLimit, writeLimit) => {
        onlyProtocolErrors('COPY', payload, () => {
          const c = decodeCopy(payload);
          validateCopyRange(c, readLimit, writeLimit);
          assert.ok(BigInt(c.from) + BigInt(c.length) <= BigInt(readLimit), 'read past the limit');
          assert.ok(BigInt(c.to) + BigInt(c.length) <= BigInt(writeLimit), 'wrote past the limit');
        });
      }),
      PARAMS,
    );
  });

  it('WEAK_REQUEST: decoded and checked, or PROTOCOL_ERROR; accepted blocks are all full blocks', () => {
    fc.assert(
      fc.property(payloadInputs(arb.messageOf.WEAK_REQUEST), limit, (payload, fullBlocks) => {
        onlyProtocolErrors('WEAK_REQUEST', payload, () => {
          const { blocks } = decodeWeakRequest(payload);
          validateWeakRequest(blocks, fullBlocks);
          assert.ok(
            blocks.every((b) => b < fullBlocks),
            'a block past the full blocks was accepted',
          );
        });
      }),
      PARAMS,
    );
  });
});

describe('fuzz: accepted rolling payloads are canonical', () => {
  // Runs with a gap between them and derived hashLen/flags leave one encoding per value, so an
  // accepted payload re-encodes to itself; its blocks are within the limits.
  it('WEAK_REQUEST: 1..4096 strictly increasing blocks below 2^53-1, re-encoded byte for byte', () => {
    fc.assert(
      fc.property(payloadInputs(arb.messageOf.WEAK_REQUEST), (payload) => {
        onlyProtocolErrors('WEAK_REQUEST', payload, () => {
          const { blocks } = decodeWeakRequest(payload);
          assert.ok(blocks.length >= 1 && blocks.length <= MAX_BLOCKS_PER_BATCH, `${blocks.length} blocks`);
          assert.ok(
            blocks.every((b, i) => i === 0 || b > (blocks[i - 1] ?? b)),
            'not increasing',
          );
          assert.ok((blocks[blocks.length - 1] ?? 0) < Number.MAX_SAFE_INTEGER, 'a run ends past 2^53-1');
          assert.ok(encodeWeakRequest({ blocks }).equals(payload), 'not canonical');
        });
      }),
      PARAMS,
    );
  });

  it('WEAK_SUMS: consecutive blocks ending by 2^53-1, re-encoded byte for byte', () => {
    fc.assert(
      fc.property(payloadInputs(arb.messageOf.WEAK_SUMS), (payload) => {
        onlyProtocolErrors('WEAK_SUMS', payload, () => {
          const { entries } = decodeWeakSums(payload);
          const first = entries[0]?.block ?? 0;
          assert.ok(
            entries.every((e, i) => e.block === first + i),
            'blocks not consecutive',
          );
          assert.ok(first + entries.length <= Number.MAX_SAFE_INTEGER, 'entries end past 2^53-1');
          assert.ok(encodeWeakSums({ entries }).equals(payload), 'not canonical');
        });
      }),
      PARAMS,
    );
  });
});

describe('fuzz: frame reader', () => {
  const stream = fc
    .tuple(fc.array(arb.message, { minLength: 1, maxLength: 4 }), mutations)
    .map(([msgs, ms]) =>
      ms.reduce<Buffer>((b, x) => mutate(b, x, true), Buffer.concat(msgs.map(encodeMessage))),
    );
  const inputs = fc.oneof(randomBytes, stream, stream);

  it('random and mutated streams, in random chunks: frames or PROTOCOL_ERROR', () => {
    const limit = fc.option(fc.nat(256), { nil: undefined });
    fc.assert(
      fc.property(inputs, fc.array(fc.nat(), { maxLength: 8 }), limit, (bytes, cuts, maxPayload) => {
        onlyProtocolErrors('FrameReader', bytes, () => {
          const reader = new FrameReader({ maxPayload });
          const points = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
          points.slice(1).forEach((end, i) => {
            reader.push(bytes.subarray(points[i], end));
            for (let f = reader.next(); f !== null; f = reader.next()) decodeMessage(f);
          });
          reader.end();
        });
      }),
      PARAMS,
    );
  });
});
