/**
 * HELLO, HELLO_ACK and OPEN: rejections (bad magic, versions, TLV rules) and the version
 * negotiation rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeHello,
  decodeHelloAck,
  encodeHello,
  type Hello,
} from '../../../src/format/messages-handshake.js';
import {
  decodeOpen,
  encodeOpen,
  matchModeId,
  matchModeOf,
  type MatchMode,
  type OpenRequest,
} from '../../../src/format/messages-open.js';
import { checkHelloAck, chooseVersion, grantCapabilities } from '../../../src/format/version-negotiation.js';
import {
  CAP_ROLLING,
  CAP_SPARSE,
  CAP_ZSTD,
  CAPS_KNOWN,
  MATCH_ALIGNED,
  MATCH_AUTO,
  MATCH_ROLLING,
} from '../../../src/format/wire-constants.js';
import { assertCode, assertProtocolError, hex } from './protocol-error.js';

const HELLO: Hello = { minVersion: 1, maxVersion: 3, capabilities: CAP_ZSTD | (1n << 40n), software: 'x' };
const NO_FLAGS = { dryRun: false, wholeFile: false, noSparse: false, compress: false };
const tlv = (tag: number, value: string): string =>
  `${tag.toString(16).padStart(4, '0')} ${(value.replace(/\s/g, '').length / 2).toString(16).padStart(8, '0')} ${value}`;
const PATH = tlv(1, '2f78'); // "/x"

describe('HELLO / HELLO_ACK', () => {
  it('rejects a bad magic', () => {
    const good = encodeHello(HELLO);
    const bad = Buffer.from(good);
    bad[0] = 0x62; // "bIGSYNC"
    assertProtocolError(() => decodeHello(bad), /magic is 6249.*not a bigsync peer/, {
      field: 'magic',
      offset: 0,
    });
    assertProtocolError(
      () => decodeHello(Buffer.from('SSH-2.0-OpenSSH_9.6 hello there')),
      /not a bigsync peer/,
    );
  });

  it('rejects version 0, an empty range and an oversized software string', () => {
    const magic = '4249475359 4e4300';
    assertProtocolError(() => decodeHello(hex(`${magic} 0000 0001 0000000000000000 0000`)), /minVersion 0/);
    assertProtocolError(
      () => decodeHello(hex(`${magic} 0002 0001 0000000000000000 0000`)),
      /above maxVersion/,
    );
    const long = `${magic} 0001 0001 0000000000000000 0101 ${'61'.repeat(257)}`;
    assertProtocolError(() => decodeHello(hex(long)), /software length 257 must be at most 256/);
    assertCode(
      'INTERNAL',
      () => encodeHello({ ...HELLO, software: 'é'.repeat(129) }),
      /258 bytes exceeds 256/,
    );
    assertProtocolError(() => decodeHelloAck(hex('0000 0000000000000000')), /version 0/);
  });

  it('negotiates the highest common version and the common known capabilities', () => {
    assert.equal(chooseVersion(HELLO), 1);
    assert.equal(chooseVersion(HELLO, { min: 1, max: 2 }), 2);
    assertCode(
      'PROTOCOL_VERSION',
      () => chooseVersion({ ...HELLO, minVersion: 2 }),
      /client speaks 2\.\.3, this side 1\.\.1/,
    );
    assert.equal(grantCapabilities(HELLO.capabilities, CAPS_KNOWN), CAP_ZSTD, 'unknown bit 40 is dropped');
    assert.equal(grantCapabilities(CAP_ROLLING | CAP_ZSTD, CAP_ROLLING), CAP_ROLLING, 'CAP_ROLLING is known');
    assert.equal(grantCapabilities(CAP_ZSTD, CAP_ROLLING), 0n, 'granted only when both sides have it');
    checkHelloAck({ version: 2, capabilities: CAP_ZSTD }, HELLO);
    assertProtocolError(
      () => checkHelloAck({ version: 4, capabilities: 0n }, HELLO),
      /outside the offered 1\.\.3/,
    );
    assertProtocolError(() => checkHelloAck({ version: 1, capabilities: CAP_SPARSE }, HELLO), /not offered/);
  });
});

describe('OPEN', () => {
  it('needs a path; everything else has a default', () => {
    assert.deepStrictEqual(decodeOpen(hex(`02 ${PATH}`)), { role: 2, path: '/x', flags: NO_FLAGS });
    assertProtocolError(() => decodeOpen(hex('01')), /path is missing/);
    assertProtocolError(() => decodeOpen(hex(`01 ${tlv(2, '00020000')}`)), /path is missing/);
  });

  it('rejects an unknown role', () => {
    assertProtocolError(() => decodeOpen(hex(`03 ${PATH}`)), /role 3 must be one of 1, 2/);
  });

  it('skips an unknown non-critical option and reports it', () => {
    const skipped: number[] = [];
    const open = decodeOpen(hex(`01 ${tlv(0x0077, 'deadbeef')} ${PATH}`), {
      onSkippedTag: (t) => skipped.push(t),
    });
    assert.equal(open.path, '/x');
    assert.deepEqual(skipped, [0x77]);
  });

  it('rejects an unknown critical option', () => {
    assertProtocolError(
      () => decodeOpen(hex(`01 ${PATH} ${tlv(0x8077, '00')}`), { offset: 8 }),
      /0x8077 is critical/,
      {
        offset: 8 + 9,
      },
    );
  });

  it('accepts a known option with the critical bit', () => {
    assert.equal(decodeOpen(hex(`01 ${tlv(0x8001, '2f79')}`)).path, '/y');
  });

  it('rejects duplicate options, with or without the critical bit', () => {
    assertProtocolError(() => decodeOpen(hex(`01 ${PATH} ${PATH}`)), /option 1 appears twice/);
    assertProtocolError(() => decodeOpen(hex(`01 ${PATH} ${tlv(0x8001, '2f79')}`)), /appears twice/);
    assertProtocolError(
      () => decodeOpen(hex(`01 ${PATH} ${tlv(9, '')} ${tlv(9, '')}`)),
      /option 9 appears twice/,
    );
  });

  it('checks every option value', () => {
    const bad = (options: string, pattern: RegExp): BigsyncErrorLike =>
      assertProtocolError(() => decodeOpen(hex(`01 ${PATH} ${options}`)), pattern);
    bad(tlv(2, '00000fff'), /blockSize 4095 must be between 4096 and 67108864/);
    bad(tlv(2, '00001001'), /blockSize 4097 must be a multiple of 512/);
    bad(tlv(2, '04000200'), /blockSize 67109376 must be between/);
    bad(tlv(2, '0000100000'), /trailing bytes/);
    bad(tlv(3, '00000010'), /flags 0x10 has unknown bits/);
    bad(tlv(4, '00'.repeat(15)), /hashKey: truncated: expected 16 bytes, 15 available/);
    bad(tlv(5, '03'), /hashAlgorithm 3 must be one of 1, 2/);
    bad(tlv(5, '01'), /hashKey is required by hashAlgorithm 1/);
    bad(tlv(4, '00'.repeat(16)), /hashKey is only allowed with hashAlgorithm 1/);
    bad(`${tlv(4, '00'.repeat(16))} ${tlv(5, '02')}`, /only allowed with hashAlgorithm 1/);
    bad('0003 0000ffff 00', /option 3 value: truncated/);
  });

  it('reads the match option (tag 6): absent, 0 auto, 1 aligned, 2 rolling; other values fail', () => {
    assert.equal(decodeOpen(hex(`01 ${PATH}`)).match, undefined);
    assert.equal(decodeOpen(hex(`01 ${PATH} ${tlv(6, '00')}`)).match, 'auto');
    assert.equal(decodeOpen(hex(`01 ${PATH} ${tlv(6, '01')}`)).match, 'aligned');
    assert.equal(decodeOpen(hex(`01 ${PATH} ${tlv(0x8006, '02')}`)).match, 'rolling');
    assertProtocolError(
      () => decodeOpen(hex(`01 ${PATH} ${tlv(6, '03')}`), { offset: 100 }),
      /^OPEN match 3 is not a known match mode \(0 auto, 1 aligned, 2 rolling\) \(offset 115\)$/,
      { field: 'match', offset: 115 },
    );
    assertProtocolError(() => decodeOpen(hex(`01 ${PATH} ${tlv(6, '0200')}`)), /1 trailing bytes/);
    assertProtocolError(
      () => decodeOpen(hex(`01 ${PATH} ${tlv(6, '')}`)),
      /match: truncated: expected 1 bytes, 0/,
    );
    assertProtocolError(
      () => decodeOpen(hex(`01 ${PATH} ${tlv(6, '00')} ${tlv(6, '00')}`)),
      /option 6 appears twice/,
    );
  });

  it('converts match modes to and from their wire values', () => {
    assert.deepEqual((['auto', 'aligned', 'rolling'] as const).map(matchModeId), [
      MATCH_AUTO,
      MATCH_ALIGNED,
      MATCH_ROLLING,
    ]);
    assert.deepEqual([0, 1, 2, 3].map(matchModeOf), ['auto', 'aligned', 'rolling', undefined]);
    assertCode('INTERNAL', () => matchModeId('fast' as MatchMode), /"fast" is not auto, aligned or rolling/);
    assertCode('INTERNAL', () => matchModeId('toString' as MatchMode), /is not auto/);
  });

  it('an older peer skips the match option (non-critical): the encoder writes tag 6 without 0x8000', () => {
    const bytes = encodeOpen({ role: 1, path: '/x', flags: NO_FLAGS, match: 'aligned' });
    assert.equal(bytes.subarray(-7).toString('hex'), '00060000000101');
  });

  it('checks the path: 1..4096 bytes of UTF-8 without NUL', () => {
    assertProtocolError(() => decodeOpen(hex(`01 ${tlv(1, '')}`)), /path length 0 is outside 1\.\.4096/);
    assertProtocolError(() => decodeOpen(hex(`01 ${tlv(1, '61'.repeat(4097))}`)), /path length 4097/);
    assert.equal(decodeOpen(hex(`01 ${tlv(1, '61'.repeat(4096))}`)).path.length, 4096);
    assertProtocolError(() => decodeOpen(hex(`01 ${tlv(1, '2f00')}`)), /contains a NUL byte/);
    assertProtocolError(() => decodeOpen(hex(`01 ${tlv(1, '2fff')}`)), /not valid UTF-8/);
  });

  it('refuses to encode what it would not decode (INTERNAL)', () => {
    const base: OpenRequest = { role: 1, path: '/x', flags: NO_FLAGS };
    assertCode('INTERNAL', () => encodeOpen({ ...base, path: '' }), /path/);
    assertCode('INTERNAL', () => encodeOpen({ ...base, path: 'a\0b' }), /NUL/);
    assertCode('INTERNAL', () => encodeOpen({ ...base, path: 'a'.repeat(4097) }), /4097 bytes exceeds 4096/);
    assertCode('INTERNAL', () => encodeOpen({ ...base, path: '\ud800' }), /lone surrogate/);
    assertCode('INTERNAL', () => encodeOpen({ ...base, blockSize: 1000 }), /blockSize: 1000 must be between/);
    assertCode('INTERNAL', () => encodeOpen({ ...base, hashAlgorithm: 1 }), /hashKey: is required/);
    assertCode(
      'INTERNAL',
      () => encodeOpen({ ...base, hashAlgorithm: 1, hashKey: Buffer.alloc(8) }),
      /16 bytes/,
    );
  });
});

type BigsyncErrorLike = ReturnType<typeof assertProtocolError>;
