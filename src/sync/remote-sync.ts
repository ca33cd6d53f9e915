/**
 * The client of a remote sync: open the local side, connect, handshake, OPEN the remote side,
 * exchange FILE_INFO, then run the sender (push) or the receiver (pull). Returns the same summary
 * as a local sync, with the bytes that crossed the wire.
 */
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { checkBlockSize, DEFAULT_BLOCK_SIZE } from '../core/block-size.js';
import { blockCount } from '../format/block-range.js';
import { BigsyncError, toBigsyncError } from '../errors.js';
import {
  CAP_ROLLING,
  CAP_SPARSE,
  CAP_SUBBLOCK,
  CAP_ZSTD,
  HASH_GMAC_AES128,
  KIND_BLOCK_DEVICE,
  ROLE_SERVER_RECEIVES,
  ROLE_SERVER_SENDS,
} from '../format/wire-constants.js';
import { identityChanges, identityOf } from '../io/file-identity.js';
import type { OpenedSource } from '../io/open-source.js';
import { FrameChannel } from '../protocol/frame-channel.js';
import type { Executor } from '../parallel/executor.js';
import { clientHandshake, unexpectedMessage } from '../protocol/handshake.js';
import type { Connection, Transport } from '../transport/connection.js';
import { zstdAvailable } from './data-codec.js';
import type { LocalSyncOptions } from './local-sync.js';
import {
  closeQuietly,
  fileInfo,
  mapTargetHoles,
  openSourceEndpoint,
  openTargetEndpoint,
  sessionExecutor,
  sessionKey,
} from './remote-endpoint.js';
import { prepareTarget, runReceiver } from './remote-receiver.js';
import { runSender } from './remote-sender.js';
import { OwnHashes } from './own-hashes.js';
import type { RoleStats, SessionContext, SessionFile, SessionOptions } from './remote-session.js';
import { NULL_REPORTER } from './reporter.js';
import type { SyncSummary } from './summary.js';
import { messageTrace, trace } from './trace.js';

/** Options of {@link syncRemote}. */
export interface RemoteSyncOptions extends LocalSyncOptions {
  /** `push`: the local file is the source; `pull`: the local file is the target. */
  direction: 'push' | 'pull';
  localPath: string;
  /** The path on the remote side, sent in-band in OPEN. */
  remotePath: string;
  /** Printed as the remote operand, e.g. `host:/path`. */
  remoteLabel: string;
  transport: Transport;
  /** zstd-compress DATA (`-z`). */
  compress?: boolean;
  /** The software string sent in HELLO. */
  software: string;
}

/** Fails with SOURCE_CHANGED when the source's identity moved since it was opened. */
export function checkSourceIdentity(src: OpenedSource): void {
  const changed = identityChanges(src.identity, identityOf(fs.fstatSync(src.fd, { bigint: true })));
  if (changed.length > 0) {
    throw new BigsyncError(
      'SOURCE_CHANGED',
      `source changed during the sync (${changed.join(', ')}): ${src.path}; the target may be inconsistent, rerun`,
    );
  }
}

function sessionOptions(o: RemoteSyncOptions): SessionOptions {
  return {
    dryRun: o.dryRun === true,
    wholeFile: o.wholeFile === true,
    sparse: o.sparse !== false,
    compress: o.compress === true,
    verify: o.verify !== false,
    match: o.match ?? 'auto',
    rolling: false,
  };
}

/** Our capabilities. */
export function ourCapabilities(): bigint {
  return CAP_SUBBLOCK | CAP_SPARSE | CAP_ROLLING | (zstdAvailable() ? CAP_ZSTD : 0n);
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function summarize(
  o: RemoteSyncOptions,
  ctx: SessionContext,
  sender: RoleStats | Record<string, unknown>,
  receiver: RoleStats | Record<string, unknown>,
  seconds: number,
): SyncSummary {
  const s = sender as Record<string, unknown>;
  const r = receiver as Record<string, unknown>;
  const blocks = blockCount(ctx.size, ctx.blockSize);
  const changed = num(s['changedBlocks']);
  const src = o.direction === 'push' ? o.localPath : o.remoteLabel;
  const dst = o.direction === 'push' ? o.remoteLabel : o.localPath;
  return {
    type: 'summary',
    source: src,
    target: dst,
    size: ctx.size,
    blockSize: ctx.blockSize,
    blocks,
    changedBlocks: changed,
    similarity: blocks === 0 ? 1 : (blocks - changed) / blocks,
    bytesRead: num(s['bytesRead']) + num(r['bytesRead']),
    bytesWritten: ctx.opts.dryRun ? num(s['dataBytes']) + num(s['movedBytes']) : num(r['bytesWritten']),
    bytesZeroed: ctx.opts.dryRun ? num(s['bytesZeroed']) : num(r['bytesZeroed']),
    holeBytes: num(s['holeBytes']),
    verified: r['verified'] === true,
    dryRun: ctx.opts.dryRun,
    mode: ctx.opts.wholeFile ? 'whole' : 'compare',
    match: s['match'] === 'rolling' ? 'rolling' : 'aligned',
    matchedBytes: Math.max(0, ctx.size - num(s['movedBytes']) - num(s['dataBytes']) - num(s['bytesZeroed'])),
    movedBytes: num(s['movedBytes']),
    literalBytes: num(s['dataBytes']),
    jobs: o.jobs ?? availableParallelism(),
    seconds,
    wireBytesSent: ctx.ch.bytesSent,
    wireBytesReceived: ctx.ch.bytesReceived,
  };
}

/**
 * Batches a push hashes at once while it connects: one, so one core stays free for the connection
 * (ssh's key exchange, in sshd on the same host in the benchmark) and the other hashes.
 */
const HEAD_START_DEPTH = 1;

/** The source's hashes for a push that can start them before connecting: a pool, data to compare. */
function headStart(
  ex: { exec: Executor; window: number; threads: number },
  file: SessionFile,
  key: Buffer,
  blockSize: number,
  o: RemoteSyncOptions,
): OwnHashes | null {
  if (ex.threads < 2 || o.wholeFile === true || file.size === 0) return null;
  return new OwnHashes({ exec: ex.exec, window: ex.window, key, blockSize, size: file.size }, file);
}

/** Opens the session: handshake, OPEN, FILE_INFO both ways. Returns the remote FILE_INFO size. */
async function openSession(
  ch: FrameChannel,
  o: RemoteSyncOptions,
  local: SessionFile,
  key: Buffer,
  blockSize: number,
): Promise<{ remoteSize: number; remoteDevice: boolean; rolling: boolean }> {
  const agreed = await clientHandshake(ch, o.software, ourCapabilities());
  if (o.compress === true && (agreed.capabilities & CAP_ZSTD) === 0n) {
    throw new BigsyncError(
      'USAGE',
      '-z/--compress needs zstd on both sides (Node >= 22.15); this pair of Node versions has none',
    );
  }
  const flags = {
    dryRun: o.dryRun === true,
    wholeFile: o.wholeFile === true,
    noSparse: o.sparse === false,
    compress: o.compress === true,
  };
  const role = o.direction === 'push' ? ROLE_SERVER_RECEIVES : ROLE_SERVER_SENDS;
  await ch.send({
    type: 'OPEN',
    body: {
      role,
      path: o.remotePath,
      blockSize,
      flags,
      hashKey: key,
      hashAlgorithm: HASH_GMAC_AES128,
      ...(o.match === undefined ? {} : { match: o.match }),
    },
  });
  const info = await ch.next();
  if (info.type !== 'FILE_INFO') throw unexpectedMessage(info.type, 'FILE_INFO');
  await ch.send({ type: 'FILE_INFO', body: fileInfo(local, blockSize) });
  ch.decodeOptions = { hashLen: 16, blockSize };
  return {
    remoteSize: info.body.size,
    remoteDevice: info.body.kind === KIND_BLOCK_DEVICE,
    rolling: (agreed.capabilities & CAP_ROLLING) !== 0n,
  };
}

/**
 * Syncs between a local path and a remote one.
 * @throws everything a local sync throws, plus CONNECTION_LOST, PROTOCOL_ERROR, PROTOCOL_VERSION,
 *   SSH_FAILED, REMOTE_NODE_MISSING and the remote side's errors (with its code).
 */
export async function syncRemote(o: RemoteSyncOptions): Promise<SyncSummary> {
  const t0 = process.hrtime.bigint();
  const blockSize = checkBlockSize(o.blockSize ?? DEFAULT_BLOCK_SIZE);
  if (o.compress === true && !zstdAvailable()) {
    // refused before connecting: this side alone already rules zstd out
    throw new BigsyncError(
      'USAGE',
      `-z/--compress needs zstd in node:zlib (Node >= 22.15); this is Node ${process.version}`,
    );
  }
  const source = o.direction === 'push' ? openSourceEndpoint(o.localPath) : null;
  let local: SessionFile;
  try {
    local = source?.file ?? openTargetEndpoint(o.localPath, o.dryRun === true);
  } catch (err) {
    closeQuietly(source?.src.fd ?? null);
    throw err;
  }
  let conn: Connection | null = null;
  let ch: FrameChannel | null = null;
  let pool: { close: () => Promise<void> } | null = null;
  let opened = (): void => undefined; // ends a push's head start
  try {
    trace('client', 'start');
    const key = sessionKey();
    // A push hashes its source while the connection is made (see OwnHashes.headStart); a pull
    // learns its size from the remote side, so its executor waits for the session.
    let ex = source !== null ? sessionExecutor(source.file.size, o.jobs) : null;
    pool = ex;
    const ahead = ex !== null && source !== null ? headStart(ex, source.file, key, blockSize, o) : null;
    // it goes on until the session is open: through ssh's set-up and the remote side's start
    ahead?.headStart(new Promise<void>((resolve) => (opened = resolve)), HEAD_START_DEPTH);
    conn = await o.transport.open(o.signal);
    const watch = messageTrace('client');
    ch = new FrameChannel(conn.input, conn.output, {
      peer: 'remote side',
      ...(watch === undefined ? {} : { watch }),
    });
    // On Ctrl-C, cut the streams: whatever the session awaits (a frame, a drain) ends now, and the
    // error is reported as INTERRUPTED below.
    const cut = conn;
    o.signal?.addEventListener(
      'abort',
      () => {
        cut.input.destroy();
        cut.output.destroy();
      },
      { once: true },
    );
    const remote = await openSession(ch, o, local, key, blockSize);
    opened();
    trace('client', 'session open');
    const size = source !== null ? source.file.size : remote.remoteSize;
    ex ??= sessionExecutor(size, o.jobs);
    pool = ex;
    const ctx: SessionContext = {
      ch,
      exec: ex.exec,
      window: ex.window,
      key,
      blockSize,
      size,
      targetSize: source !== null ? remote.remoteSize : local.size,
      targetIsDevice: source !== null ? remote.remoteDevice : local.isDevice,
      opts: { ...sessionOptions(o), rolling: remote.rolling },
      reporter: o.reporter ?? NULL_REPORTER,
      signal: o.signal,
    };
    ctx.reporter.start?.({
      source: o.direction === 'push' ? o.localPath : o.remoteLabel,
      target: o.direction === 'push' ? o.remoteLabel : o.localPath,
      size,
      blockSize,
      dryRun: ctx.opts.dryRun,
    });
    let result: SyncSummary;
    if (source !== null) {
      const r = await runSender(ctx, source.file, () => checkSourceIdentity(source.src), ahead ?? undefined);
      result = summarize(o, ctx, r.own, r.theirs, 0);
    } else {
      prepareTarget(local, size, ctx.opts);
      mapTargetHoles(local, size);
      const r = await runReceiver(ctx, local);
      result = summarize(o, ctx, r.theirs, r.own, 0);
    }
    ch.end();
    await conn.close();
    trace('client', 'closed');
    result.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return result;
  } catch (err) {
    let e = toBigsyncError(err, 'remote sync failed');
    if (o.signal?.aborted === true) {
      // Ctrl-C reaches ssh too (same process group): the lost connection is the interrupt's doing
      e = new BigsyncError(
        'INTERRUPTED',
        'interrupted; rerun to continue (it sends only what still differs)',
      );
    } else if (e.code === 'CONNECTION_LOST' && ch !== null) e = (await ch.peerError()) ?? e;
    else if (ch !== null && !e.message.startsWith('remote: ')) await ch.sendError(e);
    await conn?.close().catch(() => undefined);
    throw e;
  } finally {
    opened();
    await pool?.close();
    closeQuietly(local.fd);
  }
}
