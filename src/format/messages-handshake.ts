/**
 * HELLO (client to server, first frame) and HELLO_ACK (server to client). See docs/protocol.md,
 * "Handshake". Encoders throw BigsyncError INTERNAL for values the layout does not allow;
 * decoders throw PROTOCOL_ERROR for anything but an exact, well-formed payload.
 */
import { Buffer } from 'node:buffer';
import { ByteReader, type DecodeOptions } from './byte-reader.js';
import { ByteWriter, encodeFailure, utf8Field } from './byte-writer.js';
import type { IntRule } from './field-rules.js';
import { MAGIC, MAGIC_LENGTH, MAX_SOFTWARE_BYTES, MIN_PROTOCOL_VERSION } from './wire-constants.js';

const MAGIC_BYTES = Buffer.from(MAGIC, 'latin1');
const VERSION_RULE: IntRule = { min: MIN_PROTOCOL_VERSION, max: 0xffff };

/** HELLO: the client's magic, the protocol versions it speaks, its capabilities and software. */
export interface Hello {
  /** Oldest protocol version the client speaks (>= 1). */
  readonly minVersion: number;
  /** Newest protocol version the client speaks (>= minVersion). */
  readonly maxVersion: number;
  /** Capability bits the client offers (CAP_*); unknown bits are allowed and never granted. */
  readonly capabilities: bigint;
  /** The client's software name and version, for messages ("bigsync 0.2.0"); <= 256 UTF-8 bytes. */
  readonly software: string;
}

/** HELLO_ACK: the version the server picked and the capabilities both sides will use. */
export interface HelloAck {
  /** The chosen protocol version, within the HELLO's range. */
  readonly version: number;
  /** The granted capabilities: a subset of what the HELLO offered. */
  readonly capabilities: bigint;
}

/** Encodes a HELLO payload. @throws BigsyncError INTERNAL on out-of-range fields. */
export function encodeHello(hello: Hello): Buffer {
  if (hello.minVersion > hello.maxVersion) {
    encodeFailure('HELLO', 'minVersion', `${hello.minVersion} is above maxVersion ${hello.maxVersion}`);
  }
  const software = utf8Field('HELLO', 'software', hello.software, MAX_SOFTWARE_BYTES);
  return new ByteWriter('HELLO', 22 + software.length)
    .bytes(MAGIC_BYTES)
    .u16(hello.minVersion, 'minVersion', VERSION_RULE)
    .u16(hello.maxVersion, 'maxVersion', VERSION_RULE)
    .u64n(hello.capabilities, 'capabilities')
    .u16(software.length, 'software length')
    .bytes(software)
    .finish();
}

/**
 * Decodes a HELLO payload.
 * @throws BigsyncError PROTOCOL_ERROR for a bad magic (not a bigsync peer), version 0, an empty
 *   range (min > max), a software string over 256 bytes or not UTF-8, truncation, or trailing bytes.
 */
export function decodeHello(payload: Buffer, opts: DecodeOptions = {}): Hello {
  const r = new ByteReader(payload, 'HELLO', opts.offset);
  const magic = r.bytes(MAGIC_LENGTH, 'magic');
  if (!magic.equals(MAGIC_BYTES)) {
    r.failAt(
      0,
      'magic',
      `is ${magic.toString('hex')}, expected ${MAGIC_BYTES.toString('hex')}: not a bigsync peer`,
    );
  }
  const minVersion = r.u16('minVersion', VERSION_RULE);
  const maxVersion = r.u16('maxVersion', VERSION_RULE);
  if (minVersion > maxVersion) {
    r.failAt(8, 'minVersion', `${minVersion} is above maxVersion ${maxVersion}`, { minVersion, maxVersion });
  }
  const capabilities = r.u64n('capabilities');
  const softwareLength = r.u16('software length', { max: MAX_SOFTWARE_BYTES });
  const software = r.utf8(softwareLength, 'software');
  r.expectEnd();
  return { minVersion, maxVersion, capabilities, software };
}

/** Encodes a HELLO_ACK payload. @throws BigsyncError INTERNAL on out-of-range fields. */
export function encodeHelloAck(ack: HelloAck): Buffer {
  return new ByteWriter('HELLO_ACK', 10)
    .u16(ack.version, 'version', VERSION_RULE)
    .u64n(ack.capabilities, 'capabilities')
    .finish();
}

/**
 * Decodes a HELLO_ACK payload. Whether the version and capabilities fit the HELLO is checked by
 * {@link checkHelloAck} in version-negotiation.ts.
 * @throws BigsyncError PROTOCOL_ERROR for version 0, truncation or trailing bytes.
 */
export function decodeHelloAck(payload: Buffer, opts: DecodeOptions = {}): HelloAck {
  const r = new ByteReader(payload, 'HELLO_ACK', opts.offset);
  const version = r.u16('version', VERSION_RULE);
  const capabilities = r.u64n('capabilities');
  r.expectEnd();
  return { version, capabilities };
}
