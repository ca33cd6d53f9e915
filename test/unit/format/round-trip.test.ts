/**
 * Round trips: for arbitrary values of every field, decode(encode(m)) deep-equals m, both for
 * each codec alone and for whole frames through FrameReader and decodeMessage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeFrame } from '../../../src/format/frame.js';
import { FrameReader } from '../../../src/format/frame-reader.js';
import { decodeMessage, encodeMessage, type Message } from '../../../src/format/messages.js';
import { MessageType } from '../../../src/format/wire-constants.js';
import * as blocks from '../../../src/format/messages-blocks.js';
import * as data from '../../../src/format/messages-data.js';
import * as handshake from '../../../src/format/messages-handshake.js';
import * as openCodec from '../../../src/format/messages-open.js';
import * as rolling from '../../../src/format/messages-rolling.js';
import * as status from '../../../src/format/messages-status.js';
import * as arb from './arbitraries.js';

const RUNS = { numRuns: 300 };

function roundTrip<T>(name: string, a: fc.Arbitrary<T>, enc: (m: T) => Buffer, dec: (b: Buffer) => T): void {
  it(`${name}: decode(encode(m)) equals m`, () => {
    fc.assert(
      fc.property(a, (m) => {
        assert.deepStrictEqual(dec(enc(m)), m);
      }),
      RUNS,
    );
  });
}

describe('round trips', () => {
  roundTrip('HELLO', arb.hello, handshake.encodeHello, (b) => handshake.decodeHello(b));
  roundTrip('HELLO_ACK', arb.helloAck, handshake.encodeHelloAck, (b) => handshake.decodeHelloAck(b));
  roundTrip('OPEN', arb.open, openCodec.encodeOpen, (b) => openCodec.decodeOpen(b));
  roundTrip('FILE_INFO', arb.fileInfo, blocks.encodeFileInfo, (b) => blocks.decodeFileInfo(b));
  roundTrip('BLOCK_HASHES', arb.blockHashes(), blocks.encodeBlockHashes, (b) => blocks.decodeBlockHashes(b));
  roundTrip('SUBHASH_REQUEST', arb.subhashRequest, blocks.encodeSubhashRequest, (b) =>
    blocks.decodeSubhashRequest(b),
  );
  roundTrip('SUBHASHES', arb.subhashes, blocks.encodeSubhashes, (b) => blocks.decodeSubhashes(b));
  roundTrip('DATA', arb.data, data.encodeData, (b) => data.decodeData(b));
  roundTrip('DONE', arb.done, data.encodeDone, (b) => data.decodeDone(b));
  roundTrip('RESULT', arb.result, status.encodeResult, (b) => status.decodeResult(b));
  roundTrip('ERROR', arb.errorMessage, status.encodeError, (b) => status.decodeError(b));
  roundTrip('WEAK_REQUEST', arb.weakRequest, rolling.encodeWeakRequest, (b) => rolling.decodeWeakRequest(b));
  roundTrip('WEAK_SUMS', arb.weakSums(), rolling.encodeWeakSums, (b) => rolling.decodeWeakSums(b));
  roundTrip('COPY', arb.copy, rolling.encodeCopy, (b) => rolling.decodeCopy(b));

  it('full batches round-trip at the limits (4096 block hashes, weak requests and sums, 16384 subhashes)', () => {
    const hashes = Array.from({ length: 4096 }, (_, i) => (i % 3 === 0 ? null : Buffer.alloc(32, i)));
    const bh = { firstBlock: 0, hashLen: 32, hashes };
    assert.deepStrictEqual(blocks.decodeBlockHashes(blocks.encodeBlockHashes(bh)), bh);
    const sub = {
      block: 1,
      pageSize: 4096,
      hashLen: 32,
      hashes: Array.from({ length: 16384 }, (_, i) => Buffer.alloc(32, i)),
    };
    assert.deepStrictEqual(blocks.decodeSubhashes(blocks.encodeSubhashes(sub)), sub);
    const big = {
      offset: 0,
      length: 16 * 1024 * 1024,
      encoding: 0 as const,
      payload: Buffer.alloc(16 * 1024 * 1024, 7),
    };
    assert.deepStrictEqual(data.decodeData(data.encodeData(big)), big);
    // 4096 runs of one block each (the most runs), then one run of 4096 blocks
    const scattered = { blocks: Array.from({ length: 4096 }, (_, i) => i * 2 + 1) };
    assert.deepStrictEqual(rolling.decodeWeakRequest(rolling.encodeWeakRequest(scattered)), scattered);
    const oneRun = { blocks: Array.from({ length: 4096 }, (_, i) => Number.MAX_SAFE_INTEGER - 4096 + i) };
    assert.deepStrictEqual(rolling.decodeWeakRequest(rolling.encodeWeakRequest(oneRun)), oneRun);
    const sums = {
      entries: oneRun.blocks.map((block, i) => ({
        block,
        zero: i % 5 === 0,
        weak: i % 5 === 0 ? 0 : 0xffffffff - i,
        strong: i % 5 === 0 || i % 2 === 0 ? null : Buffer.alloc(32, i),
      })),
    };
    assert.deepStrictEqual(rolling.decodeWeakSums(rolling.encodeWeakSums(sums), { hashLen: 32 }), sums);
  });

  it('a DATA frame built in one buffer is the frame of its encoded payload, byte for byte', () => {
    fc.assert(
      fc.property(arb.data, (m) => {
        const one = encodeMessage({ type: 'DATA', body: m });
        assert.ok(one.equals(encodeFrame(MessageType.DATA, data.encodeData(m))));
      }),
      RUNS,
    );
  });

  it('any sequence of messages survives encodeMessage -> FrameReader -> decodeMessage', () => {
    fc.assert(
      fc.property(fc.array(arb.message, { maxLength: 8 }), (msgs) => {
        const reader = new FrameReader();
        reader.push(Buffer.concat(msgs.map(encodeMessage)));
        reader.end();
        const out: (Message | null)[] = [];
        for (let f = reader.next(); f !== null; f = reader.next()) out.push(decodeMessage(f));
        assert.deepStrictEqual(out, msgs);
      }),
      { numRuns: 200 },
    );
  });
});
