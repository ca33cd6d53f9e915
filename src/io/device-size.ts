/**
 * Device sizes: the byte size of a regular file or a block device (where stat.size is 0).
 */
import type { Stats } from 'node:fs';
import { readFileSync } from 'node:fs';
import { BigsyncError } from '../errors.js';
import { nativeOps, type NativeOps } from './native.js';

/** A device number split into its major and minor parts. */
export interface DeviceNumber {
  major: number;
  minor: number;
}

/**
 * Splits a Linux `dev_t` (e.g. `stat.rdev`) into major and minor, as glibc's
 * gnu_dev_major/gnu_dev_minor do:
 * major = ((dev >> 8) & 0xfff) | ((dev >> 32) & 0xfffff000),
 * minor = (dev & 0xff) | ((dev >> 12) & 0xffffff00).
 */
export function splitDevice(rdev: number | bigint): DeviceNumber {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n);
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * The size in bytes of the file or device open on `fd`, whose `fs.fstat` result is `stat`.
 *
 * Regular files: `stat.size`. Block devices: the native BLKGETSIZE64 ioctl (`ops`, injectable
 * for tests) when available, else `/sys/dev/block/MAJOR:MINOR/size` (512-byte sectors, also
 * right for partitions). Throws BigsyncError IO_ERROR when `fd` is neither a regular file nor a
 * block device, or when neither method gives the size of a block device.
 */
export function deviceSize(fd: number, stat: Stats, ops: NativeOps | null = nativeOps()): number {
  if (stat.isFile()) return stat.size;
  if (!stat.isBlockDevice()) {
    throw new BigsyncError('IO_ERROR', 'cannot size: not a regular file or block device', { fd });
  }
  let nativeFailure = 'native addon unavailable';
  if (ops !== null) {
    try {
      return ops.blkGetSize64(fd);
    } catch (err) {
      nativeFailure = err instanceof Error ? err.message : String(err);
    }
  }
  const { major, minor } = splitDevice(stat.rdev);
  const sysPath = `/sys/dev/block/${major}:${minor}/size`;
  try {
    const sectors = readFileSync(sysPath, 'utf8').trim();
    if (/^\d+$/.test(sectors)) {
      const bytes = Number(sectors) * 512;
      if (Number.isSafeInteger(bytes)) return bytes;
    }
    throw new Error(`unexpected content ${JSON.stringify(sectors.slice(0, 40))}`);
  } catch (err) {
    const sysFailure = err instanceof Error ? err.message : String(err);
    throw new BigsyncError(
      'IO_ERROR',
      `cannot size block device ${major}:${minor}: BLKGETSIZE64: ${nativeFailure}; ${sysPath}: ${sysFailure}`,
      { fd, major, minor },
      { cause: err },
    );
  }
}
