/**
 * OPEN (client to server): the role and the options of one transfer, as TLV options so that
 * later versions can add options. See docs/protocol.md, "OPEN".
 */
import type { Buffer } from 'node:buffer';
import { ByteReader, type DecodeOptions } from './byte-reader.js';
import { ByteWriter, encodeFailure, utf8Field } from './byte-writer.js';
import { BLOCK_SIZE_RULE } from './field-rules.js';
import {
  HASH_GMAC_AES128,
  HASH_KEY_LENGTH,
  HASH_SHA256,
  MATCH_ALIGNED,
  MATCH_AUTO,
  MATCH_ROLLING,
  MAX_PATH_BYTES,
  OPEN_FLAGS_KNOWN,
  OPEN_FLAG_COMPRESS,
  OPEN_FLAG_DRY_RUN,
  OPEN_FLAG_NO_SPARSE,
  OPEN_FLAG_WHOLE_FILE,
  OpenTag,
  ROLE_SERVER_RECEIVES,
  ROLE_SERVER_SENDS,
  TLV_CRITICAL,
  type HashAlgorithm,
  type MatchModeId,
  type OpenRole,
} from './wire-constants.js';

/**
 * How the sender matches the source against the target: `aligned` compares blocks at the same
 * offset only, `rolling` also searches for data that moved, `auto` lets the sender decide.
 */
export type MatchMode = 'auto' | 'aligned' | 'rolling';

/** The OPEN flags option, one boolean per bit. */
export interface OpenFlags {
  readonly dryRun: boolean;
  readonly wholeFile: boolean;
  readonly noSparse: boolean;
  readonly compress: boolean;
}

/** OPEN: what the server is asked to do with which file. */
export interface OpenRequest {
  /** ROLE_SERVER_RECEIVES (push) or ROLE_SERVER_SENDS (pull). */
  readonly role: OpenRole;
  /** The server-side path, 1..MAX_PATH_BYTES UTF-8 bytes, no NUL. Confinement is the session's job. */
  readonly path: string;
  /** Block size (4 KiB..64 MiB, multiple of 512); absent: the server's default. */
  readonly blockSize?: number;
  /** Transfer flags (always encoded; absent on the wire means all false). */
  readonly flags: OpenFlags;
  /** The 16-byte GMAC key; present exactly when hashAlgorithm is HASH_GMAC_AES128. */
  readonly hashKey?: Buffer;
  /** Block hash algorithm; absent means HASH_SHA256. */
  readonly hashAlgorithm?: HashAlgorithm;
  /** The match mode asked for; absent means 'auto'. Only acted on when both sides have CAP_ROLLING. */
  readonly match?: MatchMode;
}

/** Options of {@link decodeOpen}. */
export interface OpenDecodeOptions extends DecodeOptions {
  /** Called for each unknown non-critical option skipped (for a warning); may be omitted. */
  readonly onSkippedTag?: (tag: number, length: number) => void;
}

const FLAG_BITS: readonly [keyof OpenFlags, number][] = [
  ['dryRun', OPEN_FLAG_DRY_RUN],
  ['wholeFile', OPEN_FLAG_WHOLE_FILE],
  ['noSparse', OPEN_FLAG_NO_SPARSE],
  ['compress', OPEN_FLAG_COMPRESS],
];
const ROLE_RULE = { oneOf: [ROLE_SERVER_RECEIVES, ROLE_SERVER_SENDS] };
const HASH_RULE = { oneOf: [HASH_GMAC_AES128, HASH_SHA256] };
const MATCH_MODES: readonly (readonly [MatchMode, MatchModeId])[] = [
  ['auto', MATCH_AUTO],
  ['aligned', MATCH_ALIGNED],
  ['rolling', MATCH_ROLLING],
];
const ID_OF_MODE = new Map<string, MatchModeId>(MATCH_MODES);
const MODE_OF_ID = new Map<number, MatchMode>(MATCH_MODES.map(([mode, id]) => [id, mode]));

/** The wire value of match mode `mode`. @throws BigsyncError INTERNAL for an unknown mode. */
export function matchModeId(mode: MatchMode): MatchModeId {
  const id = ID_OF_MODE.get(mode);
  if (id === undefined)
    encodeFailure('OPEN', 'match', `${JSON.stringify(mode)} is not auto, aligned or rolling`);
  return id;
}

/** The match mode of wire value `id`, or undefined if this version does not define it. */
export function matchModeOf(id: number): MatchMode | undefined {
  return MODE_OF_ID.get(id);
}

/** Encodes an OPEN payload. @throws BigsyncError INTERNAL for values the layout does not allow. */
export function encodeOpen(open: OpenRequest): Buffer {
  const w = new ByteWriter('OPEN', 64 + open.path.length * 3);
  w.u8(open.role, 'role', ROLE_RULE);
  const path = utf8Field('OPEN', 'path', open.path, MAX_PATH_BYTES);
  if (path.length === 0 || path.includes(0)) encodeFailure('OPEN', 'path', 'is empty or contains a NUL byte');
  w.u16(OpenTag.PATH, 'tag').u32(path.length, 'length').bytes(path);
  if (open.blockSize !== undefined) {
    w.u16(OpenTag.BLOCK_SIZE, 'tag').u32(4, 'length').u32(open.blockSize, 'blockSize', BLOCK_SIZE_RULE);
  }
  const bits = FLAG_BITS.reduce((acc, [name, bit]) => (open.flags[name] ? acc | bit : acc), 0);
  w.u16(OpenTag.FLAGS, 'tag').u32(4, 'length').u32(bits, 'flags');
  const keyProblem = hashKeyProblem(open.hashKey?.length, open.hashAlgorithm);
  if (keyProblem !== undefined) encodeFailure('OPEN', 'hashKey', keyProblem);
  if (open.hashKey !== undefined) {
    w.u16(OpenTag.HASH_KEY, 'tag').u32(HASH_KEY_LENGTH, 'length').bytes(open.hashKey);
  }
  if (open.hashAlgorithm !== undefined) {
    w.u16(OpenTag.HASH_ALGORITHM, 'tag').u32(1, 'length').u8(open.hashAlgorithm, 'hashAlgorithm', HASH_RULE);
  }
  if (open.match !== undefined) {
    w.u16(OpenTag.MATCH, 'tag').u32(1, 'length').u8(matchModeId(open.match), 'match');
  }
  return w.finish();
}

/** The options read so far while decoding. */
interface OpenFields {
  path?: string;
  blockSize?: number;
  flags?: OpenFlags;
  hashKey?: Buffer;
  hashAlgorithm?: HashAlgorithm;
  match?: MatchMode;
}

/**
 * Decodes an OPEN payload: role, then options until the payload ends. Unknown options are
 * skipped unless their tag has the critical bit (0x8000); tags are compared without that bit.
 * @throws BigsyncError PROTOCOL_ERROR for an unknown role, an unknown critical option, a
 *   duplicate option, a value of the wrong length or out of bounds, unknown flag bits, an unknown
 *   match mode, a path that is empty, too long, not UTF-8 or holds NUL, a missing path, a hashKey
 *   without GMAC or GMAC without a hashKey, or truncation.
 */
export function decodeOpen(payload: Buffer, opts: OpenDecodeOptions = {}): OpenRequest {
  const r = new ByteReader(payload, 'OPEN', opts.offset);
  const role = r.u8('role', ROLE_RULE) as OpenRole;
  const fields: OpenFields = {};
  const seen = new Set<number>();
  while (r.remaining > 0) {
    const at = r.position;
    const rawTag = r.u16('option tag');
    const tag = rawTag & ~TLV_CRITICAL;
    const length = r.u32(`option ${tag} length`);
    if (seen.has(tag)) r.failAt(at, `option ${tag}`, 'appears twice', { tag });
    seen.add(tag);
    const value = new ByteReader(r.bytes(length, `option ${tag} value`), 'OPEN', r.offset - length);
    if (!readOption(fields, tag, value)) {
      if ((rawTag & TLV_CRITICAL) !== 0)
        r.failAt(at, `option 0x${rawTag.toString(16)}`, 'is critical and unknown');
      opts.onSkippedTag?.(rawTag, length);
    }
  }
  const path = fields.path;
  if (path === undefined) return r.failAt(r.position, 'path', 'is missing (option 1 is required)');
  const keyProblem = hashKeyProblem(fields.hashKey?.length, fields.hashAlgorithm);
  if (keyProblem !== undefined) r.failAt(r.position, 'hashKey', keyProblem);
  return { role, ...fields, path, flags: fields.flags ?? decodeFlags(0) };
}

/** Reads one known option's value into `fields`; false if the tag is unknown. */
function readOption(fields: OpenFields, tag: number, v: ByteReader): boolean {
  switch (tag) {
    case OpenTag.PATH:
      fields.path = readPath(v);
      break;
    case OpenTag.BLOCK_SIZE:
      fields.blockSize = v.u32('blockSize', BLOCK_SIZE_RULE);
      break;
    case OpenTag.FLAGS: {
      const bits = v.u32('flags');
      if ((bits & ~OPEN_FLAGS_KNOWN) !== 0) v.failAt(0, 'flags', `0x${bits.toString(16)} has unknown bits`);
      fields.flags = decodeFlags(bits);
      break;
    }
    case OpenTag.HASH_KEY:
      fields.hashKey = v.bytes(HASH_KEY_LENGTH, 'hashKey');
      break;
    case OpenTag.HASH_ALGORITHM:
      fields.hashAlgorithm = v.u8('hashAlgorithm', HASH_RULE) as HashAlgorithm;
      break;
    case OpenTag.MATCH: {
      const id = v.u8('match');
      const mode = matchModeOf(id);
      if (mode === undefined)
        v.failAt(0, 'match', `${id} is not a known match mode (0 auto, 1 aligned, 2 rolling)`);
      fields.match = mode;
      break;
    }
    default:
      return false;
  }
  v.expectEnd();
  return true;
}

function readPath(v: ByteReader): string {
  const n = v.remaining;
  if (n === 0 || n > MAX_PATH_BYTES) v.failAt(0, 'path', `length ${n} is outside 1..${MAX_PATH_BYTES}`);
  const path = v.utf8(n, 'path');
  if (path.includes('\0')) v.failAt(0, 'path', 'contains a NUL byte');
  return path;
}

function decodeFlags(bits: number): OpenFlags {
  return {
    dryRun: (bits & OPEN_FLAG_DRY_RUN) !== 0,
    wholeFile: (bits & OPEN_FLAG_WHOLE_FILE) !== 0,
    noSparse: (bits & OPEN_FLAG_NO_SPARSE) !== 0,
    compress: (bits & OPEN_FLAG_COMPRESS) !== 0,
  };
}

/** Why a hashKey of `keyLength` bytes (or none) does not go with `algorithm`, if it does not. */
function hashKeyProblem(
  keyLength: number | undefined,
  algorithm: HashAlgorithm | undefined,
): string | undefined {
  if (keyLength !== undefined && keyLength !== HASH_KEY_LENGTH) return `must be ${HASH_KEY_LENGTH} bytes`;
  const gmac = algorithm === HASH_GMAC_AES128;
  if (gmac && keyLength === undefined) return 'is required by hashAlgorithm 1 (GMAC-AES-128)';
  if (!gmac && keyLength !== undefined) return 'is only allowed with hashAlgorithm 1 (GMAC-AES-128)';
  return undefined;
}
