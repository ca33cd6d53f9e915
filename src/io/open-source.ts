/**
 * Opening the source of a sync: a regular file or a block device, read-only. Maps the system's
 * errors to bigsync's codes so the CLI can say exactly what is wrong.
 */
import * as fs from 'node:fs';
import { BigsyncError, sysCode, toBigsyncError } from '../errors.js';
import { deviceSize } from './device-size.js';
import { identityOf, type FileIdentity } from './file-identity.js';

/** An open source. The caller closes `fd` with {@link closeQuietly}. */
export interface OpenedSource {
  path: string;
  fd: number;
  isDevice: boolean;
  size: number;
  identity: FileIdentity;
  /** Device number and inode (or rdev for a device), to detect "source and target are the same". */
  key: string;
}

/** The same-file key of a stat: rdev for a block device, dev:ino for anything else. */
export function sameFileKey(st: fs.Stats | fs.BigIntStats): string {
  return st.isBlockDevice() ? `blk:${String(st.rdev)}` : `${String(st.dev)}:${String(st.ino)}`;
}

/**
 * Opens `path` for reading.
 * @throws BigsyncError SOURCE_NOT_FOUND, SOURCE_UNREADABLE, SOURCE_IS_DIRECTORY, or USAGE for a
 *   source that is neither a regular file nor a block device.
 */
export function openSource(path: string): OpenedSource {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    const sc = sysCode(err);
    if (sc === 'ENOENT') throw new BigsyncError('SOURCE_NOT_FOUND', `source not found: ${path}`, { path });
    if (sc === 'EACCES' || sc === 'EPERM') {
      throw new BigsyncError('SOURCE_UNREADABLE', `source not readable (permission denied): ${path}`, {
        path,
      });
    }
    if (sc === 'EISDIR')
      throw new BigsyncError('SOURCE_IS_DIRECTORY', `source is a directory: ${path}`, { path });
    throw toBigsyncError(err, `cannot open source ${path}`, { path });
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory())
      throw new BigsyncError('SOURCE_IS_DIRECTORY', `source is a directory: ${path}`, { path });
    if (!st.isFile() && !st.isBlockDevice()) {
      throw new BigsyncError('USAGE', `source is not a regular file or block device: ${path}`, { path });
    }
    const size = st.isBlockDevice() ? deviceSize(fd, st) : st.size;
    const identity = identityOf(fs.fstatSync(fd, { bigint: true }));
    return { path, fd, isDevice: st.isBlockDevice(), size, identity, key: sameFileKey(st) };
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

/** Closes a descriptor, ignoring errors (used on error paths). */
export function closeQuietly(fd: number | null): void {
  if (fd === null) return;
  try {
    fs.closeSync(fd);
  } catch {
    // already closed or invalid: nothing left to release
  }
}
