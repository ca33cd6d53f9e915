/**
 * WEAK_REQUEST (runs of blocks), WEAK_SUMS (consecutive blocks), COPY (CAP_ROLLING): rejections,
 * exactness with clear messages, sizes, typed dispatch, and the checks against the files
 * (validateWeakRequest, validateCopyRange).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fullBlockCount, validateCopyRange, validateWeakRequest } from '../../../src/format/block-range.js';
import { decodeMessage, encodeMessagePayload, type Message } from '../../../src/format/messages.js';
import {
  decodeCopy,
  decodeWeakRequest,
  decodeWeakSums,
  encodeCopy,
  encodeWeakRequest,
  encodeWeakSums,
  type WeakSumEntry,
} from '../../../src/format/messages-rolling.js';
import { MAX_FRAME_PAYLOAD, MessageType } from '../../../src/format/wire-constants.js';
import * as arb from './arbitraries.js';
import { assertCode, assertProtocolError, hex } from './protocol-error.js';

const u64 = (n: number | bigint): string => n.toString(16).padStart(16, '0');
const u32 = (n: number): string => n.toString(16).padStart(8, '0');
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A WEAK_REQUEST run as hex: first, count. */
const run = (first: number | bigint, count: number): string => `${u64(first)} ${u32(count)}`;
const request = (runCount: number, ...runs: string[]): Buffer => hex(`${u32(runCount)} ${runs.join(' ')}`);
/** A WEAK_SUMS entry as hex: flags, weak, then `strong` (hex) if given. */
const entry = (flags: number, weak: number, strong = ''): string =>
  `${flags.toString(16).padStart(2, '0')} ${u32(weak)} ${strong}`;
const sums = (count: number, hashLen: number, firstBlock: number | bigint, entries: string): Buffer =>
  hex(`${u32(count)} ${hashLen.toString(16).padStart(2, '0')} ${u64(firstBlock)} ${entries}`);

describe('WEAK_REQUEST', () => {
  it('expands runs into the block list', () => {
    assert.deepEqual(decodeWeakRequest(request(2, run(3, 3), run(10, 2))).blocks, [3, 4, 5, 10, 11]);
    assert.deepEqual(decodeWeakRequest(request(2, run(0, 1), run(2, 1))).blocks, [0, 2]);
    assert.deepEqual(decodeWeakRequest(request(1, run(MAX_SAFE - 2, 2))).blocks, [
      MAX_SAFE - 2,
      MAX_SAFE - 1,
    ]);
    assert.equal(decodeWeakRequest(request(1, run(7, 4096))).blocks.length, 4096);
  });

  it('encodes the blocks as maximal runs', () => {
    assert.equal(
      encodeWeakRequest({ blocks: [1, 2, 3, 7, 9, 10] }).toString('hex'),
      hex(`${u32(3)} ${run(1, 3)} ${run(7, 1)} ${run(9, 2)}`).toString('hex'),
    );
    assert.equal(
      encodeWeakRequest({ blocks: [MAX_SAFE - 1] }).toString('hex'),
      request(1, run(MAX_SAFE - 1, 1)).toString('hex'),
    );
  });

  it('rejects a runCount of 0 or above 4096 before reading runs', () => {
    assertProtocolError(
      () => decodeWeakRequest(hex(u32(0))),
      /^WEAK_REQUEST runCount 0 must be between 1 and 4096 \(offset 0\)$/,
    );
    assertProtocolError(() => decodeWeakRequest(hex(u32(4097))), /runCount 4097/, { value: 4097 });
  });

  it('rejects a run of 0 blocks, and more than 4096 blocks in all', () => {
    assertProtocolError(
      () => decodeWeakRequest(request(1, run(5, 0)), { offset: 100 }),
      /^WEAK_REQUEST run 0 count 0 must be at least 1 \(offset 112\)$/,
    );
    assertProtocolError(
      () => decodeWeakRequest(request(1, run(0, 4097))),
      /^WEAK_REQUEST run 0 count 4097 makes 4097 blocks in all, more than 4096 \(offset 12\)$/,
      { count: 4097, total: 4097 },
    );
    assertProtocolError(
      () => decodeWeakRequest(request(2, run(0, 4000), run(5000, 97))),
      /^WEAK_REQUEST run 1 count 97 makes 4097 blocks in all, more than 4096 \(offset 24\)$/,
      { count: 97, total: 4097, offset: 24 },
    );
    assertProtocolError(() => decodeWeakRequest(request(1, run(0, 0xffffffff))), /count 4294967295 makes/);
  });

  it('rejects runs that touch, overlap or go backwards (runs need a gap between them)', () => {
    assertProtocolError(
      () => decodeWeakRequest(request(2, run(3, 3), run(6, 1))),
      /^WEAK_REQUEST run 1 first 6 must be above 6, where the previous run ends \(runs need a gap between them; adjacent runs are merged\) \(offset 16\)$/,
      { first: 6, previousEnd: 6, offset: 16 },
    );
    assertProtocolError(
      () => decodeWeakRequest(request(2, run(3, 3), run(4, 1))),
      /run 1 first 4 must be above 6/,
    );
    assertProtocolError(
      () => decodeWeakRequest(request(2, run(3, 1), run(0, 1))),
      /run 1 first 0 must be above 4/,
    );
    assertProtocolError(
      () => decodeWeakRequest(request(3, run(0, 1), run(2, 1), run(3, 1))),
      /run 2 first 3 must be above 3, .* \(offset 28\)/,
    );
  });

  it('rejects a run that ends past 2^53-1', () => {
    assertProtocolError(
      () => decodeWeakRequest(request(1, run(MAX_SAFE - 1, 2))),
      /^WEAK_REQUEST run 0 first 9007199254740990 \+ count 2 exceeds 2\^53-1 \(offset 4\)$/,
      { first: MAX_SAFE - 1, count: 2 },
    );
    assertProtocolError(
      () => decodeWeakRequest(request(1, run(MAX_SAFE, 1))),
      /first 9007199254740991 \+ count 1/,
    );
    assertProtocolError(
      () => decodeWeakRequest(request(1, run(2n ** 53n, 1))),
      /run 0 first 9007199254740992 exceeds 2\^53-1 \(offset 4\)/,
    );
  });

  it('refuses to encode what it would not decode (INTERNAL)', () => {
    assertCode('INTERNAL', () => encodeWeakRequest({ blocks: [] }), /WEAK_REQUEST blocks: 0 must be between/);
    const tooMany = Array.from({ length: 4097 }, (_, i) => i * 2);
    assertCode(
      'INTERNAL',
      () => encodeWeakRequest({ blocks: tooMany }),
      /blocks: 4097 must be between 1 and 4096/,
    );
    assertCode(
      'INTERNAL',
      () => encodeWeakRequest({ blocks: [4, 4] }),
      /block 1: 4 is not above .*strictly increase/,
    );
    assertCode('INTERNAL', () => encodeWeakRequest({ blocks: [5, 2] }), /block 1: 2 is not above/);
    assertCode('INTERNAL', () => encodeWeakRequest({ blocks: [-1] }), /block 0: -1 does not fit/);
    assertCode('INTERNAL', () => encodeWeakRequest({ blocks: [1, 1.5] }), /block 1: 1.5 does not fit/);
    assertCode(
      'INTERNAL',
      () => encodeWeakRequest({ blocks: [MAX_SAFE] }),
      /block 0: 9007199254740991 does not fit \(0\.\.9007199254740990\)/,
    );
  });

  it('is compact: 4096 consecutive blocks take 16 bytes, 4096 scattered ones 12 bytes each', () => {
    const consecutive = Array.from({ length: 4096 }, (_, i) => 1000 + i);
    assert.equal(encodeWeakRequest({ blocks: consecutive }).length, 16);
    const scattered = Array.from({ length: 4096 }, (_, i) => i * 2);
    const largest = encodeWeakRequest({ blocks: scattered }).length;
    assert.equal(largest, 4 + 4096 * 12);
    assert.ok(largest <= MAX_FRAME_PAYLOAD);
  });
});

describe('WEAK_SUMS', () => {
  const strong16 = '22'.repeat(16);

  it('decodes the three kinds of entry, for consecutive blocks from firstBlock', () => {
    const got = decodeWeakSums(
      sums(3, 16, 1, `${entry(1, 9, strong16)} ${entry(2, 0)} ${entry(0, 0xffffffff)}`),
    );
    assert.deepStrictEqual(got.entries, [
      { block: 1, zero: false, weak: 9, strong: Buffer.alloc(16, 0x22) },
      { block: 2, zero: true, weak: 0, strong: null },
      { block: 3, zero: false, weak: 0xffffffff, strong: null },
    ]);
  });

  it('rejects a count of 0 or above 4096 before reading entries', () => {
    assertProtocolError(
      () => decodeWeakSums(sums(0, 0, 0, '')),
      /WEAK_SUMS count 0 must be between 1 and 4096/,
    );
    assertProtocolError(() => decodeWeakSums(sums(4097, 0, 0, '')), /count 4097/, { value: 4097 });
  });

  it('checks hashLen: 0, 16 or 32, the agreed one, 0 exactly when no entry has a strong hash', () => {
    assertProtocolError(
      () => decodeWeakSums(sums(1, 20, 0, entry(1, 1, 'aa'.repeat(20)))),
      /hashLen 20 must be one of 0, 16, 32 \(offset 4\)/,
    );
    const sixteen = sums(1, 16, 0, entry(1, 1, strong16));
    assert.equal(decodeWeakSums(sixteen, { hashLen: 16 }).entries.length, 1);
    assertProtocolError(() => decodeWeakSums(sixteen, { hashLen: 32 }), /hashLen 16 must be one of 0, 32/);
    assert.equal(decodeWeakSums(sums(1, 0, 0, entry(0, 1)), { hashLen: 32 }).entries[0]?.strong, null);
    assertProtocolError(
      () => decodeWeakSums(sums(1, 0, 0, entry(1, 1, strong16))),
      /entry 0 flags 0x1 announces a strong hash but hashLen is 0 \(offset 13\)/,
    );
    assertProtocolError(
      () => decodeWeakSums(sums(2, 16, 0, `${entry(0, 1)} ${entry(2, 0)}`), { offset: 100 }),
      /WEAK_SUMS hashLen is 16 but no entry has a strong hash \(must be 0\) \(offset 104\)/,
    );
  });

  it('rejects unknown entry flags, and an all-zero entry with a strong hash or a weak checksum', () => {
    assertProtocolError(
      () => decodeWeakSums(sums(2, 0, 0, `${entry(0, 1)} ${entry(4, 1)}`)),
      /entry 1 flags 0x4 has unknown bits \(offset 18\)/,
      { flags: 4 },
    );
    assertProtocolError(
      () => decodeWeakSums(sums(1, 0, 0, entry(0x80, 1))),
      /entry 0 flags 0x80 has unknown bits \(offset 13\)/,
    );
    assertProtocolError(
      () => decodeWeakSums(sums(1, 16, 0, entry(3, 0, strong16))),
      /entry 0 flags 0x3 marks an all-zero block with a strong hash/,
    );
    assertProtocolError(
      () => decodeWeakSums(sums(1, 0, 0, entry(2, 0x10))),
      /entry 0 weak 0x10 must be 0 in an all-zero entry \(offset 14\)/,
    );
  });

  it('rejects a firstBlock whose last entry would be past 2^53-1', () => {
    const last = decodeWeakSums(sums(2, 0, MAX_SAFE - 2, `${entry(0, 1)} ${entry(0, 2)}`)).entries[1];
    assert.equal(last?.block, MAX_SAFE - 1);
    assertProtocolError(
      () => decodeWeakSums(sums(2, 0, MAX_SAFE - 1, `${entry(0, 1)} ${entry(0, 2)}`), { offset: 8 }),
      /^WEAK_SUMS firstBlock 9007199254740990 \+ count 2 exceeds 2\^53-1 \(offset 13\)$/,
      { firstBlock: MAX_SAFE - 1, count: 2 },
    );
    assertProtocolError(
      () => decodeWeakSums(sums(1, 0, 2n ** 64n - 1n, entry(0, 1))),
      /firstBlock 18446744073709551615 exceeds 2\^53-1 \(offset 5\)/,
    );
  });

  it('refuses to encode what it would not decode (INTERNAL)', () => {
    const e = (over: Partial<WeakSumEntry>): WeakSumEntry => ({
      block: 0,
      zero: false,
      weak: 1,
      strong: null,
      ...over,
    });
    assertCode('INTERNAL', () => encodeWeakSums({ entries: [] }), /count: 0/);
    assertCode(
      'INTERNAL',
      () => encodeWeakSums({ entries: [e({ block: 1 }), e({ block: 0 })] }),
      /entry 1 block: 0 is not 2 \(entries must be for consecutive blocks\)/,
    );
    assertCode(
      'INTERNAL',
      () => encodeWeakSums({ entries: [e({ block: 4 }), e({ block: 5 }), e({ block: 7 })] }),
      /entry 2 block: 7 is not 6/,
    );
    assertCode(
      'INTERNAL',
      () => encodeWeakSums({ entries: [e({ block: MAX_SAFE - 1 }), e({ block: MAX_SAFE })] }),
      /firstBlock: 9007199254740990 must be at most 9007199254740989/,
    );
    assertCode(
      'INTERNAL',
      () => encodeWeakSums({ entries: [e({ block: -1 })] }),
      /firstBlock: -1 does not fit/,
    );
    assertCode('INTERNAL', () => encodeWeakSums({ entries: [e({ zero: true })] }), /all-zero but has/);
    assertCode(
      'INTERNAL',
      () => encodeWeakSums({ entries: [e({ zero: true, weak: 0, strong: Buffer.alloc(16) })] }),
      /all-zero but has/,
    );
    assertCode('INTERNAL', () => encodeWeakSums({ entries: [e({ weak: 2 ** 32 })] }), /entry 0 weak/);
    assertCode(
      'INTERNAL',
      () => encodeWeakSums({ entries: [e({ strong: Buffer.alloc(20) })] }),
      /hashLen: 20 must be one of 0, 16, 32/,
    );
    assertCode(
      'INTERNAL',
      () =>
        encodeWeakSums({
          entries: [e({ strong: Buffer.alloc(16) }), e({ block: 1, strong: Buffer.alloc(32) })],
        }),
      /entry 1 strong: is 32 bytes, not 16/,
    );
  });

  it('is compact: 5 bytes per block without a strong hash, after a 13-byte header', () => {
    const entries = Array.from({ length: 4096 }, (_, i) => ({
      block: 1000 + i,
      zero: false,
      weak: i,
      strong: null,
    }));
    assert.equal(encodeWeakSums({ entries }).length, 13 + 4096 * 5);
  });
});

describe('COPY', () => {
  it('decodes from, to, length up to the exact-number limit', () => {
    assert.deepStrictEqual(decodeCopy(hex(`${u64(1)} ${u64(MAX_SAFE - 1)} ${u64(1)}`)), {
      from: 1,
      to: MAX_SAFE - 1,
      length: 1,
    });
  });

  it('rejects a length of 0 and ranges that end past 2^53-1', () => {
    assertProtocolError(
      () => decodeCopy(hex(`${u64(0)} ${u64(0)} ${u64(0)}`), { offset: 8 }),
      /COPY length 0 must be at least 1 \(offset 24\)/,
    );
    assertProtocolError(
      () => decodeCopy(hex(`${u64(MAX_SAFE)} ${u64(0)} ${u64(1)}`)),
      /COPY from 9007199254740991 \+ length 1 exceeds 2\^53-1 \(offset 0\)/,
    );
    assertProtocolError(
      () => decodeCopy(hex(`${u64(0)} ${u64(MAX_SAFE - 9)} ${u64(10)}`)),
      /COPY to 9007199254740982 \+ length 10 exceeds 2\^53-1 \(offset 8\)/,
    );
    assertProtocolError(
      () => decodeCopy(hex(`${u64(0)} ${u64(0)} ${u64(2n ** 53n)}`)),
      /length .* exceeds 2\^53-1/,
    );
  });

  it('refuses to encode what it would not decode (INTERNAL)', () => {
    assertCode('INTERNAL', () => encodeCopy({ from: 0, to: 0, length: 0 }), /length: 0 must be at least 1/);
    assertCode(
      'INTERNAL',
      () => encodeCopy({ from: MAX_SAFE, to: 0, length: 1 }),
      /from: .* must be at most/,
    );
    assertCode(
      'INTERNAL',
      () => encodeCopy({ from: 0, to: MAX_SAFE - 1, length: 2 }),
      /to: .* must be at most/,
    );
    assertCode('INTERNAL', () => encodeCopy({ from: 0.5, to: 0, length: 1 }), /does not fit/);
  });
});

describe('exactness of the rolling messages', () => {
  const kinds: readonly Message['type'][] = ['WEAK_REQUEST', 'WEAK_SUMS', 'COPY'];

  for (const type of kinds) {
    it(`${type}: every proper prefix is "truncated", one more byte is "trailing", with offsets`, () => {
      fc.assert(
        fc.property(arb.messageOf[type], fc.integer({ min: 0, max: 255 }), (m, extra) => {
          const payload = encodeMessagePayload(m);
          const frame = (p: Buffer) => ({ type: MessageType[type], flags: 0, payload: p, offset: 1000 });
          for (let n = 0; n < payload.length; n++) {
            const err = assertProtocolError(
              () => decodeMessage(frame(payload.subarray(0, n))),
              new RegExp(`^${type} .+: truncated: expected \\d+ bytes, \\d+ available at offset \\d+$`),
              { message: type },
            );
            // the field that ran out starts at `offset`, and `available` bytes of it were there
            assert.equal(Number(err.details['offset']) + Number(err.details['available']), 1008 + n);
          }
          const longer = Buffer.concat([payload, Buffer.from([extra])]);
          assertProtocolError(() => decodeMessage(frame(longer)), /1 trailing bytes after the last field/, {
            message: type,
            offset: 1008 + payload.length,
          });
        }),
        { numRuns: 100 },
      );
    });
  }

  it('decodeMessage returns the new messages typed', () => {
    const msg = decodeMessage({
      type: MessageType.COPY,
      flags: 0,
      payload: encodeCopy({ from: 1, to: 2, length: 3 }),
      offset: 0,
    });
    assert.ok(msg !== null && msg.type === 'COPY');
    assert.equal(msg.body.from + msg.body.to + msg.body.length, 6);
  });

  it('the largest WEAK_SUMS (4096 entries with 32-byte hashes) fits in a frame', () => {
    const entries = Array.from({ length: 4096 }, (_, block) => ({
      block,
      zero: false,
      weak: 0,
      strong: Buffer.alloc(32),
    }));
    const n = encodeWeakSums({ entries }).length;
    assert.equal(n, 13 + 4096 * 37);
    assert.ok(n <= MAX_FRAME_PAYLOAD);
  });
});

describe('rolling range checks', () => {
  it('counts full blocks only', () => {
    assert.equal(fullBlockCount(10 * 4096 + 100, 4096), 10);
    assert.equal(fullBlockCount(4095, 4096), 0);
    assert.equal(fullBlockCount(8192, 4096), 2);
  });

  it('rejects a WEAK_REQUEST for a block that is not a full block of the target', () => {
    validateWeakRequest([0, 9], 10);
    assertProtocolError(
      () => validateWeakRequest([3, 10], 10),
      /^WEAK_REQUEST: block 10 is not a full block of the target \(it has 10 full blocks\)$/,
      { block: 10, fullBlocks: 10 },
    );
    assertProtocolError(() => validateWeakRequest([0], 0), /block 0 is not a full block .* 0 full blocks/);
  });

  it('rejects a COPY that reads past the read limit or writes past the write limit', () => {
    validateCopyRange({ from: 100, to: 0, length: 900 }, 1000, 900);
    validateCopyRange({ from: 0, to: 0, length: 1 }, 1, 1);
    assertProtocolError(
      () => validateCopyRange({ from: 100, to: 0, length: 901 }, 1000, 5000),
      /^COPY: source range \[100, 1001\) runs past the read limit 1000$/,
      { from: 100, length: 901, readLimit: 1000 },
    );
    assertProtocolError(
      () => validateCopyRange({ from: 0, to: 4000, length: 1001 }, 8000, 5000),
      /^COPY: destination range \[4000, 5001\) runs past the write limit 5000$/,
      { to: 4000, length: 1001, writeLimit: 5000 },
    );
  });
});
