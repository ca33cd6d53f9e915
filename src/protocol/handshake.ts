/**
 * The version and capability handshake (docs/protocol.md, "Handshake"): the client sends HELLO with
 * the versions it speaks and the capabilities it offers; the server answers HELLO_ACK with the
 * highest common version and the granted capabilities, or ERROR (PROTOCOL_VERSION).
 */
import { BigsyncError } from '../errors.js';
import type { Hello } from '../format/messages-handshake.js';
import {
  checkHelloAck,
  chooseVersion,
  grantCapabilities,
  SUPPORTED_VERSIONS,
} from '../format/version-negotiation.js';
import type { FrameChannel } from './frame-channel.js';

/** What both sides agreed on. */
export interface Agreement {
  version: number;
  capabilities: bigint;
  peerSoftware: string;
}

function unexpected(type: string, expected: string): BigsyncError {
  return new BigsyncError('PROTOCOL_ERROR', `expected ${expected}, got ${type}`, { got: type, expected });
}

/** Client side: HELLO out, HELLO_ACK in. */
export async function clientHandshake(
  ch: FrameChannel,
  software: string,
  capabilities: bigint,
): Promise<Agreement> {
  const hello: Hello = {
    minVersion: SUPPORTED_VERSIONS.min,
    maxVersion: SUPPORTED_VERSIONS.max,
    capabilities,
    software,
  };
  await ch.send({ type: 'HELLO', body: hello });
  const msg = await ch.next();
  if (msg.type !== 'HELLO_ACK') throw unexpected(msg.type, 'HELLO_ACK');
  checkHelloAck(msg.body, hello);
  return { version: msg.body.version, capabilities: msg.body.capabilities, peerSoftware: '' };
}

/** Server side: HELLO in, HELLO_ACK (or ERROR) out. */
export async function serverHandshake(ch: FrameChannel, capabilities: bigint): Promise<Agreement> {
  const msg = await ch.next();
  if (msg.type !== 'HELLO') throw unexpected(msg.type, 'HELLO');
  let version: number;
  try {
    version = chooseVersion(msg.body);
  } catch (err) {
    if (err instanceof BigsyncError) await ch.sendError(err);
    throw err;
  }
  const granted = grantCapabilities(msg.body.capabilities, capabilities);
  await ch.send({ type: 'HELLO_ACK', body: { version, capabilities: granted } });
  return { version, capabilities: granted, peerSoftware: msg.body.software };
}

export { unexpected as unexpectedMessage };
