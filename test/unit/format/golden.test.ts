/**
 * Golden bytes: the expected hex of each case was written by hand from the byte tables in
 * docs/protocol.md (field by field, one field per group below), not produced by the encoder. A
 * change to the layout fails here; fix the spec and its "Changes" section first.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, type Message } from '../../../src/format/messages.js';
import { FrameReader } from '../../../src/format/frame-reader.js';
import { hex } from './protocol-error.js';

interface Golden {
  readonly name: string;
  readonly msg: Message;
  readonly frame: string;
}

const GOLDEN: readonly Golden[] = [
  {
    name: 'HELLO v1..1, caps ZSTD|SPARSE, "bigsync 0.2.0"',
    msg: {
      type: 'HELLO',
      body: { minVersion: 1, maxVersion: 1, capabilities: 5n, software: 'bigsync 0.2.0' },
    },
    frame: `00000023 01 00 0000
            4249475359 4e4300  0001 0001  0000000000000005
            000d 62696773796e6320302e322e30`,
  },
  {
    name: 'HELLO_ACK v1, caps SPARSE',
    msg: { type: 'HELLO_ACK', body: { version: 1, capabilities: 4n } },
    frame: '0000000a 02 00 0000  0001 0000000000000004',
  },
  {
    name: 'OPEN push /dev/sdb, 128 KiB blocks, dryRun|compress, SHA-256',
    msg: {
      type: 'OPEN',
      body: {
        role: 1,
        path: '/dev/sdb',
        blockSize: 131072,
        flags: { dryRun: true, wholeFile: false, noSparse: false, compress: true },
        hashAlgorithm: 2,
      },
    },
    frame: `0000002a 03 00 0000  01
            0001 00000008 2f6465762f736462
            0002 00000004 00020000
            0003 00000004 00000009
            0005 00000001 02`,
  },
  {
    name: 'FILE_INFO 1 GiB + 1, 128 KiB, block device',
    msg: { type: 'FILE_INFO', body: { size: 2 ** 30 + 1, blockSize: 131072, kind: 2 } },
    frame: '0000000d 04 00 0000  0000000040000001 00020000 02',
  },
  {
    name: 'BLOCK_HASHES from block 7: one 16-byte hash, one zero block',
    msg: {
      type: 'BLOCK_HASHES',
      body: { firstBlock: 7, hashLen: 16, hashes: [Buffer.alloc(16, 0x11), null] },
    },
    frame: `0000001f 05 00 0000  0000000000000007 00000002 10
            00 11111111111111111111111111111111
            01`,
  },
  {
    name: 'SUBHASH_REQUEST blocks 3 and 10',
    msg: { type: 'SUBHASH_REQUEST', body: { blocks: [3, 10] } },
    frame: '00000014 06 00 0000  00000002 0000000000000003 000000000000000a',
  },
  {
    name: 'SUBHASHES block 2, 4 KiB pages, two 8-byte hashes',
    msg: {
      type: 'SUBHASHES',
      body: { block: 2, pageSize: 4096, hashLen: 8, hashes: [Buffer.alloc(8, 0xaa), Buffer.alloc(8, 0xbb)] },
    },
    frame: '0000001f 07 00 0000  0000000000000002 00001000 0002 08 aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb',
  },
  {
    name: 'DATA raw "abc" at 4096',
    msg: { type: 'DATA', body: { offset: 4096, length: 3, encoding: 0, payload: Buffer.from('abc') } },
    frame: '00000010 08 00 0000  0000000000001000 00000003 00 616263',
  },
  {
    name: 'DATA zero run of 1 MiB at 0',
    msg: { type: 'DATA', body: { offset: 0, length: 1 << 20, encoding: 2, payload: Buffer.alloc(0) } },
    frame: '0000000d 08 00 0000  0000000000000000 00100000 02',
  },
  {
    name: 'DONE SHA-256',
    msg: { type: 'DONE', body: { algorithm: 2, digest: Buffer.alloc(32, 0xcd) } },
    frame: `00000021 09 00 0000  02
            cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd`,
  },
  {
    name: 'RESULT ok {"blocks":3}',
    msg: { type: 'RESULT', body: { status: 0, stats: { blocks: 3 } } },
    frame: '0000000d 0a 00 0000  00 7b22626c6f636b73223a337d',
  },
  {
    name: 'ERROR NO_SPACE "disk full" {}',
    msg: { type: 'ERROR', body: { code: 'NO_SPACE', message: 'disk full', details: {} } },
    frame: '0000001b 0b 00 0000  0008 4e4f5f5350414345  0009 6469736b2066756c6c  00000002 7b7d',
  },
  {
    name: 'OPEN pull /x, no flags, match rolling',
    msg: {
      type: 'OPEN',
      body: {
        role: 2,
        path: '/x',
        flags: { dryRun: false, wholeFile: false, noSparse: false, compress: false },
        match: 'rolling',
      },
    },
    frame: `0000001a 03 00 0000  02
            0001 00000002 2f78
            0003 00000004 00000000
            0006 00000001 02`,
  },
  {
    name: 'WEAK_REQUEST blocks 3, 4, 5, 10, 11: two runs',
    msg: { type: 'WEAK_REQUEST', body: { blocks: [3, 4, 5, 10, 11] } },
    frame: `0000001c 0c 00 0000  00000002
            0000000000000003 00000003
            000000000000000a 00000002`,
  },
  {
    name: 'WEAK_REQUEST blocks 0..4095: one run',
    msg: { type: 'WEAK_REQUEST', body: { blocks: Array.from({ length: 4096 }, (_, i) => i) } },
    frame: '00000010 0c 00 0000  00000001  0000000000000000 00001000',
  },
  {
    name: 'WEAK_SUMS blocks 5 (with a 16-byte hash), 6 (all zero), 7 (weak only)',
    msg: {
      type: 'WEAK_SUMS',
      body: {
        entries: [
          { block: 5, zero: false, weak: 0x12345678, strong: Buffer.alloc(16, 0x22) },
          { block: 6, zero: true, weak: 0, strong: null },
          { block: 7, zero: false, weak: 0xdeadbeef, strong: null },
        ],
      },
    },
    frame: `0000002c 0d 00 0000  00000003 10 0000000000000005
            01 12345678 22222222222222222222222222222222
            02 00000000
            00 deadbeef`,
  },
  {
    name: 'WEAK_SUMS block 0, weak 1, no strong hash (hashLen 0)',
    msg: { type: 'WEAK_SUMS', body: { entries: [{ block: 0, zero: false, weak: 1, strong: null }] } },
    frame: '00000012 0d 00 0000  00000001 00 0000000000000000  00 00000001',
  },
  {
    name: 'COPY 8 KiB from 4096 to 0',
    msg: { type: 'COPY', body: { from: 4096, to: 0, length: 8192 } },
    frame: '00000018 0e 00 0000  0000000000001000 0000000000000000 0000000000002000',
  },
];

describe('golden bytes', () => {
  for (const g of GOLDEN) {
    it(`${g.name}: encodes to the documented bytes and decodes back`, () => {
      const expected = hex(g.frame);
      assert.equal(encodeMessage(g.msg).toString('hex'), expected.toString('hex'));
      const reader = new FrameReader();
      reader.push(expected);
      const frame = reader.next();
      assert.ok(frame !== null);
      assert.deepStrictEqual(decodeMessage(frame), g.msg);
      assert.equal(reader.next(), null);
    });
  }
});
