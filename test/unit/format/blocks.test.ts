/**
 * FILE_INFO, BLOCK_HASHES, SUBHASH_REQUEST, SUBHASHES: rejections, and the range checks against
 * the file size (block-range.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockCount,
  validateBlockList,
  validateBlockRange,
  validateDataRange,
  validateSubhashes,
} from '../../../src/format/block-range.js';
import {
  decodeBlockHashes,
  decodeFileInfo,
  decodeSubhashRequest,
  decodeSubhashes,
  encodeBlockHashes,
  encodeSubhashRequest,
} from '../../../src/format/messages-blocks.js';
import { assertCode, assertProtocolError, hex } from './protocol-error.js';

const u64 = (n: number): string => n.toString(16).padStart(16, '0');
const u32 = (n: number): string => n.toString(16).padStart(8, '0');
const hashes = (count: number, hashLen: number): string => `00${'ab'.repeat(hashLen)}`.repeat(count);

describe('FILE_INFO', () => {
  it('rejects a bad block size, kind, or a size past 2^53-1', () => {
    assertProtocolError(() => decodeFileInfo(hex(`${u64(1)} ${u32(1000)} 01`)), /blockSize 1000/);
    assertProtocolError(() => decodeFileInfo(hex(`${u64(1)} ${u32(4096)} 03`)), /kind 3 must be one of 1, 2/);
    assertProtocolError(
      () => decodeFileInfo(hex(`ffffffffffffffff ${u32(4096)} 01`)),
      /size .* exceeds 2\^53-1/,
    );
  });
});

describe('BLOCK_HASHES', () => {
  it('rejects a count of 0 or above 4096 before reading entries', () => {
    assertProtocolError(
      () => decodeBlockHashes(hex(`${u64(0)} ${u32(0)} 10`)),
      /count 0 must be between 1 and 4096/,
    );
    assertProtocolError(() => decodeBlockHashes(hex(`${u64(0)} ${u32(4097)} 10`)), /count 4097/, {
      value: 4097,
    });
    assertCode('INTERNAL', () => encodeBlockHashes({ firstBlock: 0, hashLen: 16, hashes: [] }), /count/);
  });

  it('rejects a hash length other than 16/32, or other than the agreed one', () => {
    assertProtocolError(
      () => decodeBlockHashes(hex(`${u64(0)} ${u32(1)} 14 ${hashes(1, 20)}`)),
      /hashLen 20 must be one of 16, 32/,
    );
    const sixteen = hex(`${u64(0)} ${u32(1)} 10 ${hashes(1, 16)}`);
    assert.equal(decodeBlockHashes(sixteen, { hashLen: 16 }).hashes.length, 1);
    assertProtocolError(() => decodeBlockHashes(sixteen, { hashLen: 32 }), /hashLen 16 must be one of 32/);
    assertCode(
      'INTERNAL',
      () => encodeBlockHashes({ firstBlock: 0, hashLen: 32, hashes: [Buffer.alloc(16)] }),
      /16 bytes, not 32/,
    );
  });

  it('rejects unknown entry flags', () => {
    assertProtocolError(
      () => decodeBlockHashes(hex(`${u64(0)} ${u32(2)} 10 01 02`)),
      /entry 1 flags 0x2 has unknown bits/,
      {
        offset: 14,
      },
    );
    assertProtocolError(() => decodeBlockHashes(hex(`${u64(0)} ${u32(1)} 10 03`)), /0x3 has unknown bits/);
  });

  it('rejects a first block so large that the range is not exact', () => {
    const tooFar = Number.MAX_SAFE_INTEGER - 4095;
    assertProtocolError(() => decodeBlockHashes(hex(`${u64(tooFar)} ${u32(1)} 10 01`)), /firstBlock/);
  });
});

describe('SUBHASH_REQUEST', () => {
  it('rejects a bad count and block lists that do not strictly increase', () => {
    assertProtocolError(() => decodeSubhashRequest(hex(u32(0))), /count 0/);
    assertProtocolError(() => decodeSubhashRequest(hex(u32(4097))), /count 4097/);
    assertProtocolError(
      () => decodeSubhashRequest(hex(`${u32(2)} ${u64(5)} ${u64(5)}`)),
      /block 1 5 is not above the previous/,
      {
        block: 5,
        previous: 5,
      },
    );
    assertProtocolError(
      () => decodeSubhashRequest(hex(`${u32(2)} ${u64(5)} ${u64(4)}`)),
      /strictly increase/,
    );
    assertCode('INTERNAL', () => encodeSubhashRequest({ blocks: [2, 1] }), /strictly increase/);
  });
});

describe('SUBHASHES', () => {
  const sub = (
    pageSize: number,
    count: number,
    hashLen: number,
    body = 'aa'.repeat(count * hashLen),
  ): Buffer =>
    hex(
      `${u64(0)} ${u32(pageSize)} ${count.toString(16).padStart(4, '0')} ${hashLen.toString(16).padStart(2, '0')} ${body}`,
    );

  it('rejects page sizes, counts and hash lengths out of bounds', () => {
    assertProtocolError(() => decodeSubhashes(sub(2048, 1, 8)), /pageSize 2048/);
    assertProtocolError(
      () => decodeSubhashes(sub(8192, 1, 8), { blockSize: 4096 }),
      /pageSize 8192 must be between 4096 and 4096/,
    );
    assertProtocolError(() => decodeSubhashes(sub(4096, 0, 8)), /count 0/);
    assertProtocolError(
      () => decodeSubhashes(sub(4096, 16385, 8)),
      /count 16385 must be between 1 and 16384/,
    );
    assertProtocolError(() => decodeSubhashes(sub(4096, 1, 7)), /hashLen 7 must be between 8 and 32/);
    assertProtocolError(() => decodeSubhashes(sub(4096, 1, 33)), /hashLen 33/);
    assertProtocolError(
      () => decodeSubhashes(sub(4096, 2, 8, 'aa'.repeat(12))),
      /hash 1: truncated: expected 8 bytes, 4/,
    );
  });
});

describe('range checks against the file', () => {
  const file = { size: 10 * 4096 + 100, blockSize: 4096 }; // 11 blocks, the last one 100 bytes

  it('counts blocks, the last one short', () => {
    assert.equal(blockCount(file.size, file.blockSize), 11);
    assert.equal(blockCount(0, 4096), 0);
  });

  it('rejects block ranges and lists past the last block', () => {
    validateBlockRange(0, 11, 11);
    assertProtocolError(() => validateBlockRange(8, 4, 11), /blocks 8\.\.11 run past the last block 10/, {
      firstBlock: 8,
      count: 4,
      totalBlocks: 11,
    });
    validateBlockList([0, 10], 11);
    assertProtocolError(() => validateBlockList([3, 11], 11), /block 11 is past the last block 10/);
  });

  it('checks SUBHASHES against the block it describes', () => {
    const hashes = (n: number): Buffer[] => Array.from({ length: n }, () => Buffer.alloc(8));
    validateSubhashes({ block: 0, pageSize: 4096, hashLen: 8, hashes: hashes(1) }, file);
    validateSubhashes({ block: 10, pageSize: 4096, hashLen: 8, hashes: hashes(1) }, file);
    const big = { size: 1 << 20, blockSize: 65536 };
    validateSubhashes({ block: 15, pageSize: 4096, hashLen: 8, hashes: hashes(16) }, big);
    assertProtocolError(
      () => validateSubhashes({ block: 15, pageSize: 4096, hashLen: 8, hashes: hashes(15) }, big),
      /16 pages/,
      {
        expected: 16,
        available: 15,
      },
    );
    assertProtocolError(
      () => validateSubhashes({ block: 16, pageSize: 4096, hashLen: 8, hashes: hashes(16) }, big),
      /past the last/,
    );
    assertProtocolError(
      () => validateSubhashes({ block: 0, pageSize: 8192, hashLen: 8, hashes: hashes(1) }, file),
      /exceeds the block size/,
    );
  });

  it('rejects DATA past the end of the file', () => {
    validateDataRange({ offset: file.size - 100, length: 100 }, file.size);
    assertProtocolError(
      () => validateDataRange({ offset: file.size - 100, length: 101 }, file.size),
      /runs past the end/,
    );
  });
});
