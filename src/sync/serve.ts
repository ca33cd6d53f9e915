/**
 * The server side of a remote sync (`bigsync --server`): speaks the protocol on a stream pair
 * (stdin/stdout under ssh), opens the one file named in OPEN with the rights of the user it runs
 * as, and plays the receiver or the sender. Errors go to the client as ERROR before the server
 * ends; nothing is printed on the protocol stream.
 */
import { BigsyncError, toBigsyncError } from '../errors.js';
import { CAP_ROLLING, KIND_BLOCK_DEVICE, ROLE_SERVER_RECEIVES } from '../format/wire-constants.js';
import type { Readable, Writable } from 'node:stream';
import { FrameChannel } from '../protocol/frame-channel.js';
import { serverHandshake, unexpectedMessage } from '../protocol/handshake.js';
import { DEFAULT_BLOCK_SIZE } from '../core/block-size.js';
import { checkSourceIdentity, ourCapabilities } from './remote-sync.js';
import {
  closeQuietly,
  fileInfo,
  mapTargetHoles,
  openSourceEndpoint,
  openTargetEndpoint,
  sessionExecutor,
} from './remote-endpoint.js';
import { prepareTarget, runReceiver } from './remote-receiver.js';
import { runSender } from './remote-sender.js';
import type { SessionContext, SessionFile } from './remote-session.js';
import type { OpenRequest } from '../format/messages-open.js';
import type { OpenedSource } from '../io/open-source.js';
import { messageTrace, trace } from './trace.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  jobs?: number;
  signal?: AbortSignal;
}

function openForRequest(req: OpenRequest): { file: SessionFile; src: OpenedSource | null } {
  if (req.role === ROLE_SERVER_RECEIVES)
    return { file: openTargetEndpoint(req.path, req.flags.dryRun), src: null };
  const s = openSourceEndpoint(req.path);
  return { file: s.file, src: s.src };
}

/**
 * Serves one session on `input`/`output`, then resolves. Rejects with the error that ended the
 * session (after telling the client, when the connection still allows it).
 */
export async function serve(input: Readable, output: Writable, opts: ServeOptions = {}): Promise<void> {
  const watch = messageTrace('server');
  const ch = new FrameChannel(input, output, { peer: 'client', ...(watch === undefined ? {} : { watch }) });
  let file: SessionFile | null = null;
  let pool: { close: () => Promise<void> } | null = null;
  try {
    trace('server', 'start');
    const agreed = await serverHandshake(ch, ourCapabilities());
    trace('server', 'handshake');
    const open = await ch.next();
    if (open.type !== 'OPEN') throw unexpectedMessage(open.type, 'OPEN');
    const req = open.body;
    const blockSize = req.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (req.hashKey === undefined)
      throw new BigsyncError('PROTOCOL_ERROR', 'OPEN without a hash key (GMAC is required)');
    const opened = openForRequest(req);
    file = opened.file;
    await ch.send({ type: 'FILE_INFO', body: fileInfo(file, blockSize) });
    const peer = await ch.next();
    if (peer.type !== 'FILE_INFO') throw unexpectedMessage(peer.type, 'FILE_INFO');
    ch.decodeOptions = { hashLen: 16, blockSize };
    const size = opened.src !== null ? file.size : peer.body.size;
    trace('server', 'session open');
    const agreedRolling = (agreed.capabilities & CAP_ROLLING) !== 0n;
    const ex = sessionExecutor(size, opts.jobs);
    pool = ex;
    const f = req.flags;
    const ctx: SessionContext = {
      ch,
      exec: ex.exec,
      window: ex.window,
      key: req.hashKey,
      blockSize,
      size,
      targetSize: opened.src !== null ? peer.body.size : file.size,
      targetIsDevice: opened.src !== null ? peer.body.kind === KIND_BLOCK_DEVICE : file.isDevice,
      reporter: {},
      signal: opts.signal,
      opts: {
        dryRun: f.dryRun,
        wholeFile: f.wholeFile,
        sparse: !f.noSparse,
        compress: f.compress,
        verify: true,
        match: req.match ?? 'auto',
        rolling: agreedRolling,
      },
    };
    if (opened.src !== null) {
      const src = opened.src;
      await runSender(ctx, file, () => checkSourceIdentity(src));
    } else {
      prepareTarget(file, size, ctx.opts);
      mapTargetHoles(file, size);
      await runReceiver(ctx, file);
    }
    ch.end();
  } catch (err) {
    let e = toBigsyncError(err, 'server');
    if (e.code === 'CONNECTION_LOST') e = (await ch.peerError()) ?? e;
    else if (!e.message.startsWith('remote: ')) await ch.sendError(e);
    ch.end();
    throw e;
  } finally {
    await pool?.close();
    closeQuietly(file?.fd ?? null);
  }
}
