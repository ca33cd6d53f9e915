/**
 * Every constant of the remote protocol's byte layer, in one place (docs/protocol.md is the
 * specification; a test keeps the two in step). Changing any value here changes the wire format:
 * bump {@link PROTOCOL_VERSION} (or put the change behind a capability) and add a line to the
 * "Changes" section of docs/protocol.md.
 */

/** The 8 bytes every HELLO starts with: ASCII `BIGSYNC` and a NUL byte. */
export const MAGIC = 'BIGSYNC\0';
/** Length of {@link MAGIC} in bytes. */
export const MAGIC_LENGTH = 8;

/** The only protocol version this code speaks; a HELLO offers a range `[min, max]`. */
export const PROTOCOL_VERSION = 1;
/** The oldest protocol version this code speaks. */
export const MIN_PROTOCOL_VERSION = 1;

/** Frame header: u32 BE payload length, u8 type, u8 flags, u16 BE reserved (0). */
export const FRAME_HEADER_SIZE = 8;
/** Hard cap on a frame's payload: 16 MiB of data plus 64 KiB for headers and compression slack. */
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024 + 64 * 1024;

/** Message type numbers (the frame header's type byte). 0 is reserved and never assigned. */
export const MessageType = {
  HELLO: 1,
  HELLO_ACK: 2,
  OPEN: 3,
  FILE_INFO: 4,
  BLOCK_HASHES: 5,
  SUBHASH_REQUEST: 6,
  SUBHASHES: 7,
  DATA: 8,
  DONE: 9,
  RESULT: 10,
  ERROR: 11,
  WEAK_REQUEST: 12,
  WEAK_SUMS: 13,
  COPY: 14,
} as const;
/** The name of a message type: `'HELLO'`, `'DATA'`, ... */
export type MessageTypeName = keyof typeof MessageType;

/** Frame flag: a receiver that does not know the frame's type skips it instead of failing. */
export const FRAME_FLAG_OPTIONAL = 0x01;
/** Every frame flag bit this version defines; any other bit set is a PROTOCOL_ERROR. */
export const FRAME_FLAGS_KNOWN = FRAME_FLAG_OPTIONAL;

/** Capability: the peer can send and receive zstd-compressed DATA (encoding 1). */
export const CAP_ZSTD = 1n << 0n;
/** Capability: the peer speaks SUBHASH_REQUEST / SUBHASHES (sub-block comparison). */
export const CAP_SUBBLOCK = 1n << 1n;
/** Capability: the peer understands zero-run DATA (encoding 2) and keeps holes. */
export const CAP_SPARSE = 1n << 2n;
/** Capability: the peer can verify the whole file with SHA-256 (DONE algorithm 2). */
export const CAP_VERIFY_SHA256 = 1n << 3n;
/**
 * Capability: the peer speaks the rolling match (OPEN's match option, WEAK_REQUEST / WEAK_SUMS /
 * COPY) and, as a receiver, keeps a target longer than the source until DONE.
 */
export const CAP_ROLLING = 1n << 4n;
/** Every capability bit this version defines. Unknown bits in a HELLO are ignored (not granted). */
export const CAPS_KNOWN = CAP_ZSTD | CAP_SUBBLOCK | CAP_SPARSE | CAP_VERIFY_SHA256 | CAP_ROLLING;
/** Largest value of a u64 field. */
export const U64_MAX = (1n << 64n) - 1n;

/** Hash algorithm id: GMAC-AES-128 keyed with OPEN's session hashKey, 16-byte tag. */
export const HASH_GMAC_AES128 = 1;
/** Hash algorithm id: SHA-256, 32-byte digest. */
export const HASH_SHA256 = 2;
/** A hash algorithm id. */
export type HashAlgorithm = typeof HASH_GMAC_AES128 | typeof HASH_SHA256;
/** Digest length in bytes of each hash algorithm. */
export const HASH_LENGTHS: Readonly<Record<HashAlgorithm, number>> = { 1: 16, 2: 32 };
/** Length of OPEN's hashKey (an AES-128 key). */
export const HASH_KEY_LENGTH = 16;

/** DATA encoding: the payload is the bytes themselves. */
export const ENCODING_RAW = 0;
/** DATA encoding: the payload is one zstd frame that decompresses to `length` bytes. */
export const ENCODING_ZSTD = 1;
/** DATA encoding: `length` zero bytes (a hole in a sparse target); no payload. */
export const ENCODING_ZERO = 2;
/** A DATA encoding id. */
export type DataEncoding = typeof ENCODING_RAW | typeof ENCODING_ZSTD | typeof ENCODING_ZERO;

/** OPEN role: the server receives (is the target); the client pushes. */
export const ROLE_SERVER_RECEIVES = 1;
/** OPEN role: the server sends (is the source); the client pulls. */
export const ROLE_SERVER_SENDS = 2;
/** An OPEN role. */
export type OpenRole = typeof ROLE_SERVER_RECEIVES | typeof ROLE_SERVER_SENDS;

/** OPEN option tags (TLV). The tag's high bit marks an option critical: see {@link TLV_CRITICAL}. */
export const OpenTag = {
  PATH: 1,
  BLOCK_SIZE: 2,
  FLAGS: 3,
  HASH_KEY: 4,
  HASH_ALGORITHM: 5,
  MATCH: 6,
} as const;
/** Tag bit: a receiver that does not know this option must fail rather than skip it. */
export const TLV_CRITICAL = 0x8000;

/** OPEN flags bit: report what would change, write nothing. */
export const OPEN_FLAG_DRY_RUN = 0x1;
/** OPEN flags bit: skip comparison, send every block. */
export const OPEN_FLAG_WHOLE_FILE = 0x2;
/** OPEN flags bit: write zeros instead of punching holes. */
export const OPEN_FLAG_NO_SPARSE = 0x4;
/** OPEN flags bit: compress DATA (needs CAP_ZSTD on both sides). */
export const OPEN_FLAG_COMPRESS = 0x8;
/** Every OPEN flags bit this version defines; any other bit is a PROTOCOL_ERROR. */
export const OPEN_FLAGS_KNOWN = 0xf;

/** OPEN match option: the sender decides whether to roll (see docs/protocol.md); the default. */
export const MATCH_AUTO = 0;
/** OPEN match option: compare blocks at the same offset only. */
export const MATCH_ALIGNED = 1;
/** OPEN match option: also search for data that moved (needs CAP_ROLLING on both sides). */
export const MATCH_ROLLING = 2;
/** An OPEN match option value. */
export type MatchModeId = typeof MATCH_AUTO | typeof MATCH_ALIGNED | typeof MATCH_ROLLING;

/** FILE_INFO kind: a regular file. */
export const KIND_REGULAR = 1;
/** FILE_INFO kind: a block device. */
export const KIND_BLOCK_DEVICE = 2;
/** A FILE_INFO kind. */
export type FileKind = typeof KIND_REGULAR | typeof KIND_BLOCK_DEVICE;

/** BLOCK_HASHES entry flag: the block is all zeros; no hash follows. */
export const ENTRY_FLAG_ZERO = 0x1;

/** WEAK_SUMS entry flag: the block's strong hash (hashLen bytes) follows the weak checksum. */
export const WEAK_FLAG_STRONG = 0x1;
/** WEAK_SUMS entry flag: the block is all zeros; its weak checksum is 0 and no hash follows. */
export const WEAK_FLAG_ZERO = 0x2;
/** Every WEAK_SUMS entry flag bit; any other bit, or both together, is a PROTOCOL_ERROR. */
export const WEAK_FLAGS_KNOWN = WEAK_FLAG_STRONG | WEAK_FLAG_ZERO;

/** RESULT status: the receiver wrote and verified the file. */
export const RESULT_OK = 0;
/** RESULT status: the receiver failed (an ERROR frame precedes it). */
export const RESULT_FAILED = 1;
/** A RESULT status. */
export type ResultStatus = typeof RESULT_OK | typeof RESULT_FAILED;

/** Block size bounds on the wire (equal to core/block-size.ts; a test checks it). */
export const WIRE_MIN_BLOCK_SIZE = 4096;
/** Largest block size on the wire. */
export const WIRE_MAX_BLOCK_SIZE = 64 * 1024 * 1024;
/** Block sizes and sub-block page sizes are multiples of this (one sector). */
export const SECTOR_SIZE = 512;
/** Smallest sub-block page size in SUBHASHES. */
export const MIN_PAGE_SIZE = 4096;

/** Most blocks in one BLOCK_HASHES, SUBHASH_REQUEST, WEAK_REQUEST or WEAK_SUMS. */
export const MAX_BLOCKS_PER_BATCH = 4096;
/** Longest path in OPEN, in UTF-8 bytes. */
export const MAX_PATH_BYTES = 4096;
/** Longest message text in ERROR, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 4096;
/** Most sub-block hashes in one SUBHASHES (64 MiB block / 4 KiB pages). */
export const MAX_SUBHASHES = 16384;
/** Sub-block hash length bounds in SUBHASHES. */
export const MIN_SUBHASH_LENGTH = 8;
/** Longest sub-block hash. */
export const MAX_SUBHASH_LENGTH = 32;
/** Longest software version string in HELLO, in UTF-8 bytes. */
export const MAX_SOFTWARE_BYTES = 256;
/** Longest JSON text (RESULT stats, ERROR details), in bytes. */
export const MAX_JSON_BYTES = 64 * 1024;
/** Deepest nesting of JSON arrays/objects accepted in RESULT stats. */
export const MAX_JSON_DEPTH = 16;
/** Longest error code in ERROR, in bytes (A-Z and `_`). */
export const MAX_ERROR_CODE_BYTES = 64;
/** Largest decoded length of one DATA frame. */
export const MAX_DATA_LENGTH = 16 * 1024 * 1024;
/** A zstd DATA payload may exceed its decoded length by at most this much. */
export const ZSTD_SLACK = 1024;
