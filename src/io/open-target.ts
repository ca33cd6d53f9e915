/**
 * Opening the target of a sync for in-place update: an existing regular file or block device, or a
 * new regular file. Refuses directories and the source itself.
 */
import * as fs from 'node:fs';
import { BigsyncError, sysCode, toBigsyncError } from '../errors.js';
import { deviceSize } from './device-size.js';
import { closeQuietly, sameFileKey } from './open-source.js';

/** An open target. `fd` is null only in a dry run whose target does not exist. */
export interface OpenedTarget {
  path: string;
  fd: number | null;
  isDevice: boolean;
  /** Size before the sync (0 when it did not exist). */
  size: number;
  /** True when this call created the file. */
  created: boolean;
}

/** Options of {@link openTarget}. */
export interface OpenTargetOptions {
  /** Open read-only and never create. */
  dryRun: boolean;
  /** The source's same-file key; a target with the same key is refused. */
  sourceKey: string;
}

function mapOpenError(err: unknown, path: string): BigsyncError {
  const sc = sysCode(err);
  if (sc === 'EISDIR')
    return new BigsyncError('TARGET_IS_DIRECTORY', `target is a directory: ${path}`, { path });
  if (sc === 'EACCES' || sc === 'EPERM' || sc === 'EROFS') {
    return new BigsyncError('TARGET_UNWRITABLE', `target not writable (${sc}): ${path}`, { path });
  }
  if (sc === 'ENOENT' || sc === 'ENOTDIR') {
    return new BigsyncError('TARGET_UNWRITABLE', `target's folder does not exist: ${path}`, { path });
  }
  return toBigsyncError(err, `cannot open target ${path}`, { path });
}

function statOrNull(path: string): fs.Stats | null {
  try {
    return fs.statSync(path);
  } catch (err) {
    if (sysCode(err) === 'ENOENT') return null;
    throw mapOpenError(err, path);
  }
}

/**
 * Opens (or, outside a dry run, creates) the target.
 * @throws BigsyncError TARGET_IS_DIRECTORY, TARGET_UNWRITABLE, SAME_FILE, USAGE (not a file or
 *   block device), or IO_ERROR.
 */
export function openTarget(path: string, opts: OpenTargetOptions): OpenedTarget {
  const before = statOrNull(path);
  if (before?.isDirectory())
    throw new BigsyncError('TARGET_IS_DIRECTORY', `target is a directory: ${path}`, { path });
  if (before !== null && sameFileKey(before) === opts.sourceKey) {
    throw new BigsyncError('SAME_FILE', `source and target are the same file: ${path}`, { path });
  }
  if (before !== null && !before.isFile() && !before.isBlockDevice()) {
    throw new BigsyncError('USAGE', `target is not a regular file or block device: ${path}`, { path });
  }
  if (before === null && opts.dryRun) return { path, fd: null, isDevice: false, size: 0, created: false };
  let fd: number;
  try {
    const flags = opts.dryRun ? fs.constants.O_RDONLY : fs.constants.O_RDWR | fs.constants.O_CREAT;
    fd = fs.openSync(path, flags, 0o644);
  } catch (err) {
    throw mapOpenError(err, path);
  }
  try {
    const st = fs.fstatSync(fd);
    if (sameFileKey(st) === opts.sourceKey) {
      throw new BigsyncError('SAME_FILE', `source and target are the same file: ${path}`, { path });
    }
    const size = st.isBlockDevice() ? deviceSize(fd, st) : st.size;
    return { path, fd, isDevice: st.isBlockDevice(), size, created: before === null };
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}
