/**
 * Every message of protocol version 1 (with every capability) as one tagged union, with
 * frame-level encode/decode that dispatch to the per-message codecs (messages-*.ts) and apply the
 * rule for unknown types.
 */
import type { Buffer } from 'node:buffer';
import { BigsyncError } from '../errors.js';
import type { DecodeOptions } from './byte-reader.js';
import { encodeFrame, encodeFrameHeader, type Frame } from './frame.js';
import {
  decodeBlockHashes,
  decodeFileInfo,
  decodeSubhashRequest,
  decodeSubhashes,
  encodeBlockHashes,
  encodeFileInfo,
  encodeSubhashRequest,
  encodeSubhashes,
  type BlockHashes,
  type FileInfo,
  type SubhashRequest,
  type Subhashes,
} from './messages-blocks.js';
import {
  decodeData,
  decodeDone,
  encodeData,
  encodeDataFrame,
  encodeDone,
  type DataMessage,
  type Done,
} from './messages-data.js';
import {
  decodeHello,
  decodeHelloAck,
  encodeHello,
  encodeHelloAck,
  type Hello,
  type HelloAck,
} from './messages-handshake.js';
import { decodeOpen, encodeOpen, type OpenRequest } from './messages-open.js';
import {
  decodeCopy,
  decodeWeakRequest,
  decodeWeakSums,
  encodeCopy,
  encodeWeakRequest,
  encodeWeakSums,
  type CopyMessage,
  type WeakRequest,
  type WeakSums,
} from './messages-rolling.js';
import {
  decodeError,
  decodeResult,
  encodeError,
  encodeResult,
  type ErrorMessage,
  type ResultMessage,
} from './messages-status.js';
import {
  FRAME_FLAG_OPTIONAL,
  FRAME_HEADER_SIZE,
  MessageType,
  type MessageTypeName,
} from './wire-constants.js';

/** One decoded message: its type name and its body. */
export type Message =
  | { readonly type: 'HELLO'; readonly body: Hello }
  | { readonly type: 'HELLO_ACK'; readonly body: HelloAck }
  | { readonly type: 'OPEN'; readonly body: OpenRequest }
  | { readonly type: 'FILE_INFO'; readonly body: FileInfo }
  | { readonly type: 'BLOCK_HASHES'; readonly body: BlockHashes }
  | { readonly type: 'SUBHASH_REQUEST'; readonly body: SubhashRequest }
  | { readonly type: 'SUBHASHES'; readonly body: Subhashes }
  | { readonly type: 'DATA'; readonly body: DataMessage }
  | { readonly type: 'DONE'; readonly body: Done }
  | { readonly type: 'RESULT'; readonly body: ResultMessage }
  | { readonly type: 'ERROR'; readonly body: ErrorMessage }
  | { readonly type: 'WEAK_REQUEST'; readonly body: WeakRequest }
  | { readonly type: 'WEAK_SUMS'; readonly body: WeakSums }
  | { readonly type: 'COPY'; readonly body: CopyMessage };

/** Session knowledge some decoders use; every field is optional. */
export interface MessageDecodeOptions {
  /** BLOCK_HASHES, WEAK_SUMS: the agreed hash length. */
  readonly hashLen?: number;
  /** SUBHASHES: the agreed block size. */
  readonly blockSize?: number;
  /** OPEN: called for each unknown non-critical option skipped. */
  readonly onSkippedTag?: (tag: number, length: number) => void;
}

type BodyOf<K extends MessageTypeName> = Extract<Message, { type: K }>['body'];
interface Codec<B> {
  encode(body: B): Buffer;
  decode(payload: Buffer, opts: MessageDecodeOptions & DecodeOptions): B;
}

const CODECS: { readonly [K in MessageTypeName]: Codec<BodyOf<K>> } = {
  HELLO: { encode: encodeHello, decode: decodeHello },
  HELLO_ACK: { encode: encodeHelloAck, decode: decodeHelloAck },
  OPEN: { encode: encodeOpen, decode: decodeOpen },
  FILE_INFO: { encode: encodeFileInfo, decode: decodeFileInfo },
  BLOCK_HASHES: { encode: encodeBlockHashes, decode: decodeBlockHashes },
  SUBHASH_REQUEST: { encode: encodeSubhashRequest, decode: decodeSubhashRequest },
  SUBHASHES: { encode: encodeSubhashes, decode: decodeSubhashes },
  DATA: { encode: encodeData, decode: decodeData },
  DONE: { encode: encodeDone, decode: decodeDone },
  RESULT: { encode: encodeResult, decode: decodeResult },
  ERROR: { encode: encodeError, decode: decodeError },
  WEAK_REQUEST: { encode: encodeWeakRequest, decode: decodeWeakRequest },
  WEAK_SUMS: { encode: encodeWeakSums, decode: decodeWeakSums },
  COPY: { encode: encodeCopy, decode: decodeCopy },
};

const NAMES = new Map<number, MessageTypeName>(
  Object.entries(MessageType).map(([name, type]) => [type, name as MessageTypeName]),
);

/** The name of message type number `type`, or undefined if this version does not define it. */
export function messageTypeName(type: number): MessageTypeName | undefined {
  return NAMES.get(type);
}

/** The payload of `msg` (no frame header). @throws BigsyncError INTERNAL as the message's encoder. */
export function encodeMessagePayload(msg: Message): Buffer {
  return (CODECS[msg.type] as Codec<typeof msg.body>).encode(msg.body);
}

/** `msg` as a whole frame (header + payload). @throws BigsyncError INTERNAL as the message's encoder. */
export function encodeMessage(msg: Message): Buffer {
  if (msg.type === 'DATA') return encodeDataFrame(msg.body, (n) => encodeFrameHeader(MessageType.DATA, n));
  return encodeFrame(MessageType[msg.type], encodeMessagePayload(msg));
}

/**
 * Decodes a frame from FrameReader. An unknown type with the OPTIONAL flag returns null (skip
 * it); errors report stream offsets.
 * @throws BigsyncError PROTOCOL_ERROR for an unknown type without the OPTIONAL flag, or whatever
 *   the message's decoder rejects.
 */
export function decodeMessage(frame: Frame, opts: MessageDecodeOptions = {}): Message | null {
  const name = messageTypeName(frame.type);
  if (name === undefined) {
    if ((frame.flags & FRAME_FLAG_OPTIONAL) !== 0) return null;
    throw new BigsyncError(
      'PROTOCOL_ERROR',
      `unknown message type ${frame.type} at offset ${frame.offset} (not marked optional)`,
      { type: frame.type, flags: frame.flags, offset: frame.offset },
    );
  }
  const codec = CODECS[name] as Codec<unknown>;
  const body = codec.decode(frame.payload, { ...opts, offset: frame.offset + FRAME_HEADER_SIZE });
  return { type: name, body } as Message;
}
