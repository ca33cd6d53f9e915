/**
 * The version handshake rules, as pure functions the future session code will call: the server
 * picks the highest version both sides speak and grants the capabilities both sides have; the
 * client checks that the answer is one it asked for. See docs/protocol.md, "Handshake".
 */
import { BigsyncError } from '../errors.js';
import type { Hello, HelloAck } from './messages-handshake.js';
import { CAPS_KNOWN, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from './wire-constants.js';

/** A range of protocol versions, both ends inclusive. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** The versions this code speaks. */
export const SUPPORTED_VERSIONS: VersionRange = { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION };

/**
 * Server side: the highest version in both the HELLO's range and `ours`.
 * @throws BigsyncError PROTOCOL_VERSION when the ranges do not meet (the message names both).
 */
export function chooseVersion(hello: Hello, ours: VersionRange = SUPPORTED_VERSIONS): number {
  const version = Math.min(hello.maxVersion, ours.max);
  if (version < hello.minVersion || version < ours.min) {
    throw new BigsyncError(
      'PROTOCOL_VERSION',
      `no common protocol version: the client speaks ${hello.minVersion}..${hello.maxVersion}, this side ${ours.min}..${ours.max}`,
      { peerMin: hello.minVersion, peerMax: hello.maxVersion, ourMin: ours.min, ourMax: ours.max },
    );
  }
  return version;
}

/**
 * Server side: the capabilities to grant: offered by the client, held by us, and known to this
 * version. Unknown bits offered by a newer client are dropped, never an error.
 */
export function grantCapabilities(offered: bigint, ours: bigint): bigint {
  return offered & ours & CAPS_KNOWN;
}

/**
 * Client side: checks the server's HELLO_ACK against the HELLO we sent.
 * @throws BigsyncError PROTOCOL_ERROR if the version is outside the offered range or the granted
 *   capabilities include a bit we did not offer.
 */
export function checkHelloAck(ack: HelloAck, hello: Hello): void {
  if (ack.version < hello.minVersion || ack.version > hello.maxVersion) {
    throw new BigsyncError(
      'PROTOCOL_ERROR',
      `the server chose protocol version ${ack.version}, outside the offered ${hello.minVersion}..${hello.maxVersion}`,
      { version: ack.version, min: hello.minVersion, max: hello.maxVersion },
    );
  }
  const extra = ack.capabilities & ~hello.capabilities;
  if (extra !== 0n) {
    throw new BigsyncError(
      'PROTOCOL_ERROR',
      `the server granted capabilities 0x${extra.toString(16)} that were not offered`,
      { granted: `0x${ack.capabilities.toString(16)}`, offered: `0x${hello.capabilities.toString(16)}` },
    );
  }
}
