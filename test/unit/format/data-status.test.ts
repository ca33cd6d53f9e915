/**
 * DATA, DONE, RESULT, ERROR: rejections; and the rule for unknown message types.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { errorFromData } from '../../../src/errors.js';
import { decodeMessage } from '../../../src/format/messages.js';
import { decodeData, decodeDone, encodeData, encodeDataHeader } from '../../../src/format/messages-data.js';
import { clipUtf8 } from '../../../src/format/byte-writer.js';
import {
  decodeError,
  decodeResult,
  encodeError,
  encodeResult,
  errorMessageFrom,
} from '../../../src/format/messages-status.js';
import { FRAME_FLAG_OPTIONAL } from '../../../src/format/wire-constants.js';
import { assertCode, assertProtocolError, hex } from './protocol-error.js';

const dataHeader = (length: number, encoding: number): string =>
  `0000000000001000 ${length.toString(16).padStart(8, '0')} ${encoding.toString(16).padStart(2, '0')}`;
const json = (s: string): string => Buffer.from(s).toString('hex');

describe('DATA', () => {
  it('rejects a raw payload whose size is not the length', () => {
    assertProtocolError(
      () => decodeData(hex(`${dataHeader(4, 0)} 616263`)),
      /payload is 3 bytes; encoding 0 with length 4 needs 4\.\.4/,
      {
        expected: 4,
        available: 3,
      },
    );
    assertProtocolError(() => decodeData(hex(`${dataHeader(2, 0)} 616263`)), /payload is 3 bytes/);
  });

  it('bounds zstd payloads by length + 1024 and zero runs to no payload', () => {
    assert.equal(decodeData(hex(`${dataHeader(1, 1)} ${'00'.repeat(1025)}`)).payload.length, 1025);
    assertProtocolError(() => decodeData(hex(`${dataHeader(1, 1)} ${'00'.repeat(1026)}`)), /needs 1\.\.1025/);
    assertProtocolError(() => decodeData(hex(dataHeader(1, 1))), /payload is 0 bytes/);
    assertProtocolError(
      () => decodeData(hex(`${dataHeader(5, 2)} 00`)),
      /encoding 2 with length 5 needs 0\.\.0/,
    );
  });

  it('rejects a length of 0 or above 16 MiB, an unknown encoding, and offsets past 2^53-1', () => {
    assertProtocolError(() => decodeData(hex(dataHeader(0, 2))), /length 0 must be between 1 and 16777216/);
    assertProtocolError(() => decodeData(hex(dataHeader(16 * 1024 * 1024 + 1, 2))), /length 16777217/);
    assertProtocolError(() => decodeData(hex(dataHeader(1, 3))), /encoding 3 must be one of 0, 1, 2/);
    assertProtocolError(() => decodeData(hex('001fffffffffffff 00000002 02')), /offset .* exceeds 2\^53-1/);
  });

  it('refuses to encode a payload its encoding forbids (INTERNAL)', () => {
    assertCode(
      'INTERNAL',
      () => encodeData({ offset: 0, length: 4, encoding: 0, payload: Buffer.alloc(3) }),
      /needs 4\.\.4/,
    );
    assertCode(
      'INTERNAL',
      () => encodeDataHeader({ offset: 0, length: 4, encoding: 2, payload: Buffer.alloc(1) }),
      /0\.\.0/,
    );
  });
});

describe('DONE', () => {
  it('needs a known algorithm and a digest of its length', () => {
    assert.equal(decodeDone(hex(`01 ${'00'.repeat(16)}`)).digest.length, 16);
    assertProtocolError(
      () => decodeDone(hex(`02 ${'00'.repeat(16)}`)),
      /digest: truncated: expected 32 bytes, 16 available/,
    );
    assertProtocolError(() => decodeDone(hex(`01 ${'00'.repeat(32)}`)), /16 trailing bytes/);
    assertProtocolError(() => decodeDone(hex(`07 ${'00'.repeat(32)}`)), /algorithm 7 must be one of 1, 2/);
  });
});

describe('RESULT', () => {
  it('rejects an unknown status and stats that are not a bounded JSON object', () => {
    assertProtocolError(() => decodeResult(hex(`02 ${json('{}')}`)), /status 2 must be one of 0, 1/);
    assertProtocolError(() => decodeResult(hex('00')), /must be a JSON object/);
    assertProtocolError(() => decodeResult(hex(`00 ${json('[1]')}`)), /must be a JSON object/);
    assertProtocolError(() => decodeResult(hex(`00 ${json(' {}')}`)), /no surrounding whitespace/);
    assertProtocolError(() => decodeResult(hex(`00 ${json('{"a":}')}`)), /stats is not valid JSON/);
    assertProtocolError(() => decodeResult(hex(`00 ${json('{"a":1e400}')}`)), /non-finite number/);
    const deep = `{"a":${'['.repeat(16)}${']'.repeat(16)}}`;
    assertProtocolError(() => decodeResult(hex(`00 ${json(deep)}`)), /nests deeper than 16 levels/);
    const huge = `{"a":"${'x'.repeat(64 * 1024)}"}`;
    assertProtocolError(() => decodeResult(hex(`00 ${json(huge)}`)), /length 65544 exceeds 65536/);
  });

  it('refuses to encode stats that are not plain JSON (INTERNAL)', () => {
    assertCode('INTERNAL', () => encodeResult({ status: 0, stats: { n: Number.NaN } }), /non-finite/);
    const date = new Date(0) as unknown as string;
    assertCode('INTERNAL', () => encodeResult({ status: 0, stats: { d: date } }), /not plain JSON/);
  });
});

describe('ERROR', () => {
  const err = (code: string, message: string, details: string): Buffer => {
    const c = Buffer.from(code, 'latin1');
    const m = Buffer.from(message);
    const d = Buffer.from(details);
    const len = Buffer.alloc(8);
    len.writeUInt16BE(c.length, 0);
    len.writeUInt16BE(m.length, 2);
    len.writeUInt32BE(d.length, 4);
    return Buffer.concat([len.subarray(0, 2), c, len.subarray(2, 4), m, len.subarray(4, 8), d]);
  };

  it('decodes into data errorFromData rebuilds', () => {
    const body = decodeError(err('NO_SPACE', 'disk full', '{"offset":4096}'));
    assert.equal(errorFromData(body).code, 'NO_SPACE');
    assert.equal(errorFromData(decodeError(err('FROM_THE_FUTURE', 'x', '{}'))).code, 'INTERNAL');
  });

  it('rejects bad codes, long messages and details that are not flat JSON objects', () => {
    assertProtocolError(() => decodeError(err('', 'x', '{}')), /code length 0/);
    assertProtocolError(() => decodeError(err('A'.repeat(65), 'x', '{}')), /code length 65/);
    assertProtocolError(() => decodeError(err('no_space', 'x', '{}')), /other than A-Z and _/);
    assertProtocolError(
      () => decodeError(err('A', 'x'.repeat(4097), '{}')),
      /message length 4097 must be at most 4096/,
    );
    assertProtocolError(() => decodeError(err('A', 'x', '')), /details must be a JSON object/);
    assertProtocolError(() => decodeError(err('A', 'x', '{"a":{"b":1}}')), /non-scalar value at key "a"/);
    assertProtocolError(() => decodeError(err('A', 'x', `{"a":"${'x'.repeat(65530)}"}`)), /exceeds 65536/);
    assertCode('INTERNAL', () => encodeError({ code: 'bad', message: '', details: {} }), /A-Z and _/);
  });
});

describe('errorMessageFrom', () => {
  it('turns any error data into an ERROR that encodes and round-trips', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.constant(-0),
      fc.boolean(),
      fc.constant(null),
    );
    const data = fc.record({
      code: fc.oneof(fc.constantFrom('NO_SPACE', 'IO_ERROR'), fc.string()),
      message: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.string({ unit: 'binary-ascii', maxLength: 9000 }),
      ),
      details: fc.dictionary(fc.string(), scalar, { maxKeys: 5 }),
    });
    fc.assert(
      fc.property(data, (d) => {
        const body = errorMessageFrom(d);
        assert.deepStrictEqual(decodeError(encodeError(body)), body);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a valid code, clips the message at a character boundary, drops huge details', () => {
    const body = errorMessageFrom({
      code: 'NO_SPACE',
      message: 'é'.repeat(3000),
      details: { big: 'x'.repeat(70000) },
    });
    assert.equal(body.code, 'NO_SPACE');
    assert.equal(body.message, 'é'.repeat(2048));
    assert.equal(Buffer.byteLength(body.details['big'] as string), 4096);
    assert.equal(errorMessageFrom({ code: 'bad code', message: '' }).code, 'INTERNAL');
    assert.equal(clipUtf8('a\ud800b', 10), 'a\ufffdb');
    assert.equal(clipUtf8('a😀', 4), 'a');
  });
});

describe('unknown message types', () => {
  const frame = (type: number, flags: number) => ({ type, flags, payload: Buffer.alloc(3), offset: 77 });

  it('skips an unknown type marked OPTIONAL and rejects one that is not', () => {
    assert.equal(decodeMessage(frame(0x42, FRAME_FLAG_OPTIONAL)), null);
    assertProtocolError(
      () => decodeMessage(frame(0x42, 0)),
      /unknown message type 66 at offset 77 \(not marked optional\)/,
    );
    assertProtocolError(() => decodeMessage(frame(0, 0)), /unknown message type 0/);
  });

  it('decodes a known type even when marked OPTIONAL, and reports stream offsets', () => {
    assert.deepStrictEqual(
      decodeMessage({ type: 2, flags: 1, payload: hex('0001 0000000000000000'), offset: 0 }),
      {
        type: 'HELLO_ACK',
        body: { version: 1, capabilities: 0n },
      },
    );
    assertProtocolError(() => decodeMessage(frame(2, 0)), /\(offset 85\)/, { offset: 85 });
  });
});
