/**
 * Framing: header encoding and validation, and FrameReader's incremental behaviour (any chunking
 * gives the same frames; oversized lengths fail before any payload is buffered; truncation).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeFrame, encodeFrameHeader, type Frame } from '../../../src/format/frame.js';
import { FrameReader } from '../../../src/format/frame-reader.js';
import { MAX_FRAME_PAYLOAD } from '../../../src/format/wire-constants.js';
import { assertCode, assertProtocolError, hex } from './protocol-error.js';

/** All frames in `chunks`, pushed one by one. */
function readAll(chunks: readonly Buffer[], maxPayload?: number): Frame[] {
  const reader = new FrameReader(maxPayload === undefined ? {} : { maxPayload });
  const out: Frame[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let f = reader.next(); f !== null; f = reader.next()) out.push(f);
  }
  reader.end();
  return out;
}

const plain = (frames: Frame[]): unknown[] =>
  frames.map((f) => ({ ...f, payload: f.payload.toString('hex') }));

const STREAM = Buffer.concat([
  encodeFrame(1, Buffer.from('first payload')),
  encodeFrame(9, Buffer.alloc(0)),
  encodeFrame(200, Buffer.from([1, 2, 3]), 0x01),
  encodeFrame(8, Buffer.alloc(300, 0x5a)),
]);

describe('frame header', () => {
  it('is u32 BE length, type, flags, u16 reserved', () => {
    assert.equal(encodeFrameHeader(0x0b, 0x00fedcba, 1).toString('hex'), '00fedcba0b010000');
  });

  it('refuses to encode unknown flags, a non-u8 type or an oversized payload (INTERNAL)', () => {
    assertCode('INTERNAL', () => encodeFrameHeader(1, 0, 0x02), /flags/);
    assertCode('INTERNAL', () => encodeFrameHeader(256, 0), /type/);
    assertCode('INTERNAL', () => encodeFrameHeader(1, MAX_FRAME_PAYLOAD + 1), /length/);
  });
});

describe('FrameReader', () => {
  it('returns frames with type, flags, payload and stream offset', () => {
    const frames = readAll([STREAM]);
    assert.deepEqual(
      frames.map((f) => [f.type, f.flags, f.payload.length, f.offset]),
      [
        [1, 0, 13, 0],
        [9, 0, 0, 21],
        [200, 1, 3, 29],
        [8, 0, 300, 40],
      ],
    );
  });

  it('gives the same frames whatever the split point', () => {
    const expected = plain(readAll([STREAM]));
    for (let i = 0; i <= STREAM.length; i++) {
      assert.deepEqual(
        plain(readAll([STREAM.subarray(0, i), STREAM.subarray(i)])),
        expected,
        `split at ${i}`,
      );
    }
    const bytes = Array.from(STREAM, (b) => Buffer.from([b]));
    assert.deepEqual(plain(readAll(bytes)), expected, 'one byte at a time');
  });

  it('gives the same frames for any random chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 20 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), STREAM.length];
        const chunks = points.slice(1).map((end, i) => STREAM.subarray(points[i], end));
        assert.deepEqual(plain(readAll(chunks)), plain(readAll([STREAM])));
      }),
    );
  });

  it('rejects a header claiming 2 GiB at once, before any payload arrives', () => {
    const reader = new FrameReader();
    const err = assertProtocolError(() => reader.push(hex('80000000 08 00 0000')), /frame too large/, {
      length: 2 ** 31,
      limit: MAX_FRAME_PAYLOAD,
      offset: 0,
    });
    assert.match(err.message, /2147483648 exceeds the limit 16842752/);
    assert.throws(
      () => reader.push(Buffer.alloc(1)),
      (e) => e === err,
      'the reader stays failed',
    );
    assert.throws(
      () => reader.end(),
      (e) => e === err,
    );
  });

  it('reports the stream offset of an oversized frame after good ones', () => {
    const reader = new FrameReader({ maxPayload: 16 });
    const good = encodeFrame(3, Buffer.alloc(16));
    assertProtocolError(() => reader.push(Buffer.concat([good, hex('00000011 03 00 0000')])), /offset 24/, {
      length: 17,
      limit: 16,
      offset: 24,
    });
    assert.equal(reader.next()?.payload.length, 16, 'the good frame is still delivered');
    assertProtocolError(() => reader.next(), /frame too large/);
  });

  it('says when the stream starts with text (a chatty login script)', () => {
    const reader = new FrameReader();
    assertProtocolError(() => reader.push(Buffer.from('Welcome to host\n')), /login script/);
  });

  it('rejects unknown flag bits and a non-zero reserved field', () => {
    assertProtocolError(() => new FrameReader().push(hex('00000000 01 02 0000')), /unknown frame flags 0x2/, {
      flags: 2,
    });
    assertProtocolError(() => new FrameReader().push(hex('00000000 01 80 0000')), /unknown frame flags 0x80/);
    assertProtocolError(() => new FrameReader().push(hex('00000000 01 00 0001')), /reserved field is 1/, {
      reserved: 1,
    });
  });

  it('end() reports a truncated header or payload', () => {
    const r1 = new FrameReader();
    r1.push(hex('000000'));
    assertProtocolError(() => r1.end(), /truncated frame/, { expected: 8, available: 3, offset: 0 });
    const r2 = new FrameReader();
    r2.push(STREAM.subarray(0, STREAM.length - 1));
    while (r2.next() !== null);
    assertProtocolError(() => r2.end(), /truncated frame at offset 40/, { expected: 308, available: 307 });
    const r3 = new FrameReader();
    r3.push(STREAM);
    r3.end(); // a clean boundary is fine
  });

  it('accepts a payload of exactly maxPayload and rejects a bad limit', () => {
    assert.equal(readAll([encodeFrame(8, Buffer.alloc(1000))], 1000)[0]?.payload.length, 1000);
    assertCode('INTERNAL', () => new FrameReader({ maxPayload: MAX_FRAME_PAYLOAD + 1 }));
  });

  it('is linear in the number of chunks (1 MiB frame pushed a byte at a time)', () => {
    const frame = encodeFrame(8, Buffer.alloc(1 << 20, 1));
    const reader = new FrameReader();
    const start = process.hrtime.bigint();
    for (let i = 0; i < frame.length; i++) reader.push(frame.subarray(i, i + 1));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.equal(reader.next()?.payload.length, 1 << 20);
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  it('returns a view of the chunk when a frame lies inside one chunk', () => {
    const chunk = encodeFrame(8, Buffer.from('xyz'));
    const reader = new FrameReader();
    reader.push(chunk);
    assert.equal(reader.next()?.payload.buffer, chunk.buffer);
  });

  it('reuses a recycled payload for a later split frame, and ignores views and foreign buffers', () => {
    const big = (fill: number, n: number): Buffer => encodeFrame(3, Buffer.alloc(n, fill));
    const reader = new FrameReader();
    const split = (frame: Buffer): Frame => {
      reader.push(frame.subarray(0, 1000));
      assert.equal(reader.next(), null);
      reader.push(frame.subarray(1000));
      const f = reader.next();
      assert.ok(f !== null);
      return f;
    };
    const first = split(big(1, 130_000));
    assert.ok(first.payload.equals(Buffer.alloc(130_000, 1)));
    const store = first.payload.buffer;
    reader.recycle(first.payload);
    // a frame of another size that fits the recycled capacity takes it, filled with its own bytes
    const second = split(big(2, 100_000));
    assert.equal(second.payload.buffer, store);
    assert.ok(second.payload.equals(Buffer.alloc(100_000, 2)));
    // not recycled: the next split frame gets fresh memory
    const third = split(big(3, 100_000));
    assert.notEqual(third.payload.buffer, store);
    assert.ok(second.payload.equals(Buffer.alloc(100_000, 2)), 'an unrecycled payload is never reused');
    // a frame inside one chunk is a view of it: recycling it does nothing
    const inChunk = big(4, 70_000);
    reader.push(inChunk);
    const view = reader.next();
    assert.ok(view !== null);
    reader.recycle(view.payload);
    reader.recycle(Buffer.alloc(200_000)); // not the reader's
    reader.recycle(second.payload);
    reader.recycle(second.payload); // twice: once only
    const fourth = split(big(5, 120_000));
    assert.equal(fourth.payload.buffer, store);
    const fifth = split(big(6, 120_000));
    assert.notEqual(fifth.payload.buffer, store);
    assert.notEqual(fifth.payload.buffer, inChunk.buffer);
    assert.ok(inChunk.subarray(8).equals(Buffer.alloc(70_000, 4)), 'a pushed chunk is never written');
  });
});
