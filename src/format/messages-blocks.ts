/**
 * The comparison messages: FILE_INFO (both ways), BLOCK_HASHES (receiver to sender),
 * SUBHASH_REQUEST (sender to receiver) and SUBHASHES (receiver to sender). Decoders check the
 * layout and its limits; whether block numbers fit the file is checked by block-range.ts, which
 * knows the file size. Hash buffers in decoded messages are views of the payload.
 */
import type { Buffer } from 'node:buffer';
import { decodeBlockList, encodeBlockList } from './block-list.js';
import { ByteReader, type DecodeOptions } from './byte-reader.js';
import { ByteWriter, encodeFailure } from './byte-writer.js';
import { BLOCK_SIZE_RULE, countRule, pageSizeRule } from './field-rules.js';
import {
  ENTRY_FLAG_ZERO,
  KIND_BLOCK_DEVICE,
  KIND_REGULAR,
  MAX_BLOCKS_PER_BATCH,
  MAX_SUBHASHES,
  MAX_SUBHASH_LENGTH,
  MIN_SUBHASH_LENGTH,
  WIRE_MAX_BLOCK_SIZE,
  type FileKind,
} from './wire-constants.js';

/** FILE_INFO: the size and kind of one side's file, and the block size in use. */
export interface FileInfo {
  /** Size in bytes (0..2^53-1). */
  readonly size: number;
  /** Block size (4 KiB..64 MiB, multiple of 512). */
  readonly blockSize: number;
  /** KIND_REGULAR or KIND_BLOCK_DEVICE. */
  readonly kind: FileKind;
}

/** BLOCK_HASHES: hashes of `hashes.length` consecutive blocks from `firstBlock`. */
export interface BlockHashes {
  readonly firstBlock: number;
  /** 16 (GMAC-AES-128) or 32 (SHA-256). */
  readonly hashLen: number;
  /** One entry per block: its hash (hashLen bytes), or null for an all-zero block. 1..4096 entries. */
  readonly hashes: readonly (Buffer | null)[];
}

/** SUBHASH_REQUEST: blocks whose page hashes the sender wants (strictly increasing, 1..4096). */
export interface SubhashRequest {
  readonly blocks: readonly number[];
}

/** SUBHASHES: per-page hashes of one block. */
export interface Subhashes {
  readonly block: number;
  /** Page size (4096..blockSize, multiple of 512). */
  readonly pageSize: number;
  /** 8..32. */
  readonly hashLen: number;
  /** One hash per page, each hashLen bytes; 1..16384 of them. */
  readonly hashes: readonly Buffer[];
}

/** Options of {@link decodeBlockHashes}. */
export interface BlockHashesDecodeOptions extends DecodeOptions {
  /** The hash length the session agreed on (from OPEN's algorithm); any other fails. */
  readonly hashLen?: number;
}

/** Options of {@link decodeSubhashes}. */
export interface SubhashesDecodeOptions extends DecodeOptions {
  /** The session's block size: pageSize may not exceed it (default 64 MiB). */
  readonly blockSize?: number;
}

const KIND_RULE = { oneOf: [KIND_REGULAR, KIND_BLOCK_DEVICE] };
const HASH_LEN_RULE = { oneOf: [16, 32] };
const SUBHASH_LEN_RULE = { min: MIN_SUBHASH_LENGTH, max: MAX_SUBHASH_LENGTH };
/** Keeps firstBlock + count exact as a JS number. */
const FIRST_BLOCK_RULE = { max: Number.MAX_SAFE_INTEGER - MAX_BLOCKS_PER_BATCH };

/** Encodes a FILE_INFO payload. @throws BigsyncError INTERNAL for out-of-range fields. */
export function encodeFileInfo(info: FileInfo): Buffer {
  return new ByteWriter('FILE_INFO', 13)
    .u64(info.size, 'size')
    .u32(info.blockSize, 'blockSize', BLOCK_SIZE_RULE)
    .u8(info.kind, 'kind', KIND_RULE)
    .finish();
}

/** Decodes a FILE_INFO payload. @throws BigsyncError PROTOCOL_ERROR for any bad field or length. */
export function decodeFileInfo(payload: Buffer, opts: DecodeOptions = {}): FileInfo {
  const r = new ByteReader(payload, 'FILE_INFO', opts.offset);
  const size = r.u64('size');
  const blockSize = r.u32('blockSize', BLOCK_SIZE_RULE);
  const kind = r.u8('kind', KIND_RULE) as FileKind;
  r.expectEnd();
  return { size, blockSize, kind };
}

/** Encodes a BLOCK_HASHES payload. @throws BigsyncError INTERNAL for bad counts or hash lengths. */
export function encodeBlockHashes(msg: BlockHashes): Buffer {
  const out = new ByteWriter('BLOCK_HASHES', 13 + msg.hashes.length * (1 + msg.hashLen))
    .u64(msg.firstBlock, 'firstBlock', FIRST_BLOCK_RULE)
    .u32(msg.hashes.length, 'count', countRule(MAX_BLOCKS_PER_BATCH))
    .u8(msg.hashLen, 'hashLen', HASH_LEN_RULE);
  msg.hashes.forEach((hash, i) => {
    if (hash === null) {
      out.u8(ENTRY_FLAG_ZERO, 'entryFlags');
      return;
    }
    if (hash.length !== msg.hashLen)
      encodeFailure('BLOCK_HASHES', `hash ${i}`, `is ${hash.length} bytes, not ${msg.hashLen}`);
    out.u8(0, 'entryFlags').bytes(hash);
  });
  return out.finish();
}

/**
 * Decodes a BLOCK_HASHES payload.
 * @throws BigsyncError PROTOCOL_ERROR for a count outside 1..4096, a hashLen other than 16/32 (or
 *   other than opts.hashLen), unknown entry flag bits, a block number past 2^53-1, truncation or
 *   trailing bytes.
 */
export function decodeBlockHashes(payload: Buffer, opts: BlockHashesDecodeOptions = {}): BlockHashes {
  const r = new ByteReader(payload, 'BLOCK_HASHES', opts.offset);
  const firstBlock = r.u64('firstBlock', FIRST_BLOCK_RULE);
  const count = r.u32('count', countRule(MAX_BLOCKS_PER_BATCH));
  const hashLen = r.u8('hashLen', opts.hashLen === undefined ? HASH_LEN_RULE : { oneOf: [opts.hashLen] });
  const hashes: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.position;
    const entryFlags = r.u8(`entry ${i} flags`);
    if ((entryFlags & ~ENTRY_FLAG_ZERO) !== 0)
      r.failAt(at, `entry ${i} flags`, `0x${entryFlags.toString(16)} has unknown bits`);
    hashes.push(entryFlags === ENTRY_FLAG_ZERO ? null : r.bytes(hashLen, `entry ${i} hash`));
  }
  r.expectEnd();
  return { firstBlock, hashLen, hashes };
}

/** Encodes a SUBHASH_REQUEST payload. @throws BigsyncError INTERNAL for a bad count or order. */
export function encodeSubhashRequest(msg: SubhashRequest): Buffer {
  return encodeBlockList('SUBHASH_REQUEST', msg.blocks);
}

/**
 * Decodes a SUBHASH_REQUEST payload.
 * @throws BigsyncError PROTOCOL_ERROR for a count outside 1..4096, block numbers that do not
 *   strictly increase or exceed 2^53-1, truncation or trailing bytes.
 */
export function decodeSubhashRequest(payload: Buffer, opts: DecodeOptions = {}): SubhashRequest {
  return { blocks: decodeBlockList('SUBHASH_REQUEST', payload, opts) };
}

/** Encodes a SUBHASHES payload. @throws BigsyncError INTERNAL for bad sizes, counts or lengths. */
export function encodeSubhashes(msg: Subhashes): Buffer {
  const w = new ByteWriter('SUBHASHES', 15 + msg.hashes.length * msg.hashLen)
    .u64(msg.block, 'block')
    .u32(msg.pageSize, 'pageSize', pageSizeRule(WIRE_MAX_BLOCK_SIZE))
    .u16(msg.hashes.length, 'count', countRule(MAX_SUBHASHES))
    .u8(msg.hashLen, 'hashLen', SUBHASH_LEN_RULE);
  msg.hashes.forEach((hash, i) => {
    if (hash.length !== msg.hashLen)
      encodeFailure('SUBHASHES', `hash ${i}`, `is ${hash.length} bytes, not ${msg.hashLen}`);
    w.bytes(hash);
  });
  return w.finish();
}

/**
 * Decodes a SUBHASHES payload.
 * @throws BigsyncError PROTOCOL_ERROR for a pageSize outside 4096..blockSize or not a multiple of
 *   512, a count outside 1..16384, a hashLen outside 8..32, truncation or trailing bytes.
 */
export function decodeSubhashes(payload: Buffer, opts: SubhashesDecodeOptions = {}): Subhashes {
  const r = new ByteReader(payload, 'SUBHASHES', opts.offset);
  const block = r.u64('block');
  const pageSize = r.u32('pageSize', pageSizeRule(opts.blockSize ?? WIRE_MAX_BLOCK_SIZE));
  const count = r.u16('count', countRule(MAX_SUBHASHES));
  const hashLen = r.u8('hashLen', SUBHASH_LEN_RULE);
  const hashes: Buffer[] = [];
  for (let i = 0; i < count; i++) hashes.push(r.bytes(hashLen, `hash ${i}`));
  r.expectEnd();
  return { block, pageSize, hashLen, hashes };
}
