/**
 * What the sender and the receiver of a remote sync share: the session context, the batch
 * geometry, and the stats each side reports. See docs/protocol.md for the message sequences.
 */
import type { Extent } from '../core/extent.js';
import type { FrameChannel } from '../protocol/frame-channel.js';
import type { Executor } from '../parallel/executor.js';
import type { Reporter } from './reporter.js';
import type { MatchMode } from './summary.js';

/** Blocks per BLOCK_HASHES message and per hashing task (16 MiB at the default 128 KiB). */
export function batchBlocks(blockSize: number): number {
  return Math.max(1, Math.min(4096, Math.floor((16 * 1024 * 1024) / blockSize)));
}

/** Page size of sub-block refinement. */
export const PAGE_SIZE = 4096;

/** One side's open file. */
export interface SessionFile {
  path: string;
  fd: number | null;
  size: number;
  isDevice: boolean;
  /** Data extents (holes elsewhere); null when unknown (treat all as data). */
  data: Extent[] | null;
}

/** The options both roles honour. */
export interface SessionOptions {
  dryRun: boolean;
  wholeFile: boolean;
  sparse: boolean;
  compress: boolean;
  verify: boolean;
  /** The match mode asked for (the sender decides; see LocalSyncOptions.match). */
  match: MatchMode;
  /** Both sides have CAP_ROLLING: the receiver keeps a longer target until DONE. */
  rolling: boolean;
}

/** Everything a role needs. */
export interface SessionContext {
  ch: FrameChannel;
  exec: Executor;
  /** Threads hashing at once: how many batches to keep in flight. */
  window: number;
  key: Buffer;
  blockSize: number;
  /** Size of the source (the target's size after the sync). */
  size: number;
  /** Size of the target before the sync (a device: its size). */
  targetSize: number;
  targetIsDevice: boolean;
  opts: SessionOptions;
  reporter: Reporter;
  signal: AbortSignal | undefined;
}

/** What a role counted. */
export interface RoleStats {
  changedBlocks: number;
  bytesRead: number;
  bytesWritten: number;
  bytesZeroed: number;
  /** Bytes of file data the sender put into DATA messages (before compression). */
  dataBytes: number;
  /** Bytes of the source that are holes (counted by the sender). */
  holeBytes: number;
  /** Bytes moved within the target by COPY. */
  movedBytes: number;
  /** The match the sender used. */
  match: 'aligned' | 'rolling';
  verified: boolean;
}

/** Fresh zeroed stats. */
export function emptyStats(): RoleStats {
  return {
    changedBlocks: 0,
    bytesRead: 0,
    bytesWritten: 0,
    bytesZeroed: 0,
    dataBytes: 0,
    holeBytes: 0,
    movedBytes: 0,
    match: 'aligned',
    verified: false,
  };
}

/** Reports progress through the session's reporter. */
export function reportProgress(ctx: SessionContext, bytesDone: number, stats: RoleStats): void {
  ctx.reporter.progress?.({
    bytesDone: Math.min(bytesDone, ctx.size),
    bytesTotal: ctx.size,
    bytesWritten: stats.bytesWritten,
    changedBlocks: stats.changedBlocks,
    wireBytesSent: ctx.ch.bytesSent,
    wireBytesReceived: ctx.ch.bytesReceived,
  });
}

/**
 * Whether the sender of this session searches for moved data (docs/design.md, "Rolling match"):
 * both sides compute it the same way, so the receiver can prepare (weak sums while it hashes).
 */
export function expectsRolling(ctx: SessionContext): boolean {
  if (!ctx.opts.rolling || ctx.opts.wholeFile || ctx.targetSize === 0) return false;
  if (ctx.opts.match === 'rolling') return true;
  return ctx.opts.match === 'auto' && !ctx.targetIsDevice && ctx.targetSize !== ctx.size;
}
