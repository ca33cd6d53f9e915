/**
 * Opening one side of a remote sync, the same way on the client and on the server: the source
 * read-only, or the target for in-place update; its FILE_INFO; and the worker executor.
 */
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KIND_BLOCK_DEVICE, KIND_REGULAR } from '../format/wire-constants.js';
import type { FileInfo } from '../format/messages-blocks.js';
import { dataExtents } from '../io/sparse-map.js';
import { closeQuietly, openSource, type OpenedSource } from '../io/open-source.js';
import { openTarget } from '../io/open-target.js';
import { executor, type Executor } from '../parallel/executor.js';
import { LazyWorkerPool } from '../parallel/worker-pool.js';
import type { SessionFile } from './remote-session.js';

/** An opened source with what the session needs. */
export interface SourceEndpoint {
  src: OpenedSource;
  file: SessionFile;
}

/** Opens the source. @throws the SOURCE_* errors of openSource. */
export function openSourceEndpoint(path: string): SourceEndpoint {
  const src = openSource(path);
  const data = src.isDevice ? null : dataExtents(src.fd, src.size);
  return { src, file: { path, fd: src.fd, size: src.size, isDevice: src.isDevice, data } };
}

/** Opens (or creates, outside a dry run) the target. @throws the TARGET_* errors of openTarget. */
export function openTargetEndpoint(path: string, dryRun: boolean): SessionFile {
  const dst = openTarget(path, { dryRun, sourceKey: '' });
  return { path, fd: dst.fd, size: dst.size, isDevice: dst.isDevice, data: dst.fd === null ? [] : null };
}

/** Maps the target's holes once it has its final size (before hashing). */
export function mapTargetHoles(file: SessionFile, size: number): void {
  if (file.fd === null || file.isDevice) return;
  file.data = dataExtents(file.fd, Math.min(fs.fstatSync(file.fd).size, size));
}

/** FILE_INFO for one side. */
export function fileInfo(file: SessionFile, blockSize: number): FileInfo {
  return { size: file.size, blockSize, kind: file.isDevice ? KIND_BLOCK_DEVICE : KIND_REGULAR };
}

/**
 * The hashing executor: `jobs - 1` workers plus the calling thread (as in local sync: the main
 * thread hashes whenever the workers are full), none for files of a few MiB.
 */
export function sessionExecutor(
  size: number,
  jobs: number | undefined,
): { exec: Executor; window: number; threads: number; close: () => Promise<void> } {
  const threads = Math.max(1, jobs ?? availableParallelism());
  const pool = size > 8 * 1024 * 1024 && threads > 1 ? new LazyWorkerPool(threads - 1) : null;
  return {
    exec: executor(pool),
    window: Math.max(2, threads * 2),
    threads: pool === null ? 1 : threads,
    close: async () => pool?.close(),
  };
}

/** A fresh random GMAC key for one session. */
export function sessionKey(): Buffer {
  return randomBytes(16);
}

export { closeQuietly };
