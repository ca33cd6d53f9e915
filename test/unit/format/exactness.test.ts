/**
 * Every decoder is exact: a truncated payload and a payload with trailing bytes both fail with
 * PROTOCOL_ERROR; errors name the message, the field, the sizes and the stream offset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteReader } from '../../../src/format/byte-reader.js';
import { decodeMessage, encodeMessagePayload, type Message } from '../../../src/format/messages.js';
import { MessageType } from '../../../src/format/wire-constants.js';
import * as arb from './arbitraries.js';
import { assertProtocolError, hex } from './protocol-error.js';

/** Decodes `payload` as `type`, as if its frame started at stream offset 1000. */
function decodeAs(type: Message['type'], payload: Buffer): Message | null {
  return decodeMessage({ type: MessageType[type], flags: 0, payload, offset: 1000 });
}

/** OPEN ends at any option boundary and a zstd payload may have any size in its bounds. */
const prefixClosed = (m: Message): boolean =>
  m.type === 'OPEN' || (m.type === 'DATA' && m.body.encoding === 1);

describe('exact decoding', () => {
  it('every proper prefix of a payload fails with PROTOCOL_ERROR', () => {
    fc.assert(
      fc.property(
        arb.message.filter((m) => !prefixClosed(m)),
        (m) => {
          const payload = encodeMessagePayload(m);
          for (let n = 0; n < payload.length; n++)
            assertProtocolError(() => decodeAs(m.type, payload.subarray(0, n)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a prefix of OPEN fails unless it ends on an option boundary after the path', () => {
    fc.assert(
      fc.property(arb.open, (open) => {
        const payload = encodeMessagePayload({ type: 'OPEN', body: open });
        const pathEnd = 1 + 6 + payload.readUInt32BE(3);
        for (let n = 0; n < pathEnd; n++) assertProtocolError(() => decodeAs('OPEN', payload.subarray(0, n)));
        for (let n = pathEnd + 1; n < pathEnd + 6; n++) {
          assertProtocolError(() => decodeAs('OPEN', payload.subarray(0, n)), /truncated/);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a payload with one more byte fails with PROTOCOL_ERROR', () => {
    fc.assert(
      fc.property(
        arb.message.filter((m) => !(m.type === 'DATA' && m.body.encoding === 1)),
        fc.integer({ min: 0, max: 255 }),
        (m, extra) => {
          const payload = Buffer.concat([encodeMessagePayload(m), Buffer.from([extra])]);
          assertProtocolError(() => decodeAs(m.type, payload));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports trailing bytes with the stream offset', () => {
    assertProtocolError(() => decodeAs('HELLO_ACK', hex('0001 0000000000000000 ff')), /1 trailing bytes/, {
      message: 'HELLO_ACK',
      offset: 1018,
    });
  });

  it('reports truncation with field, expected and available bytes and the stream offset', () => {
    const err = assertProtocolError(() => decodeAs('FILE_INFO', hex('0000000000000001 0002')), /blockSize/, {
      message: 'FILE_INFO',
      field: 'blockSize',
      expected: 4,
      available: 2,
      offset: 1016,
    });
    assert.match(err.message, /expected 4 bytes, 2 available at offset 1016/);
  });
});

describe('ByteReader', () => {
  it('fails a u64 above 2^53-1 and reads 2^53-1', () => {
    assert.equal(new ByteReader(hex('001fffffffffffff'), 'T').u64('n'), Number.MAX_SAFE_INTEGER);
    assertProtocolError(
      () => new ByteReader(hex('0020000000000000'), 'T').u64('n'),
      /T n 9007199254740992 exceeds 2\^53-1/,
    );
  });

  it('reads strict UTF-8 only', () => {
    assert.equal(new ByteReader(hex('efbbbf41'), 'T').utf8(4, 's'), '\ufeffA', 'a BOM is kept');
    assertProtocolError(() => new ByteReader(hex('c328'), 'T').utf8(2, 's'), /not valid UTF-8/);
    assertProtocolError(() => new ByteReader(hex('eda080'), 'T').utf8(3, 's'), /not valid UTF-8/, {
      field: 's',
    });
  });

  it('checks integer rules with the field name and value', () => {
    const r = new ByteReader(hex('0003'), 'T', 50);
    assertProtocolError(
      () => r.u16('count', { min: 4, max: 9 }),
      /T count 3 must be between 4 and 9 \(offset 50\)/,
      {
        value: 3,
        offset: 50,
      },
    );
  });
});
