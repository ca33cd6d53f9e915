/**
 * Pipe capacity (fcntl F_SETPIPE_SZ): a hint that never changes results.
 *
 * Why: under ssh, the remote side's stdin and stdout are pipes that sshd fills and drains. A pipe
 * holds 64 KiB by default, so sshd writes a burst of channel data 64 KiB at a time, and OpenSSH
 * moves the rest of its buffer to the front after each write: with a 2 MiB channel window that
 * is megabytes of memmove per window, and the first 8 MiB of a push crossed loopback at ~15 MB/s
 * (docs/design.md, "Pipes under sshd"). With 1 MiB pipes sshd writes whole bursts.
 */
import { nativeOps, type NativeOps } from './native.js';

/** The capacity asked for: the default /proc/sys/fs/pipe-max-size, so any user may set it. */
export const PIPE_CAPACITY = 1024 * 1024;

/**
 * Makes the pipe on `fd` hold at least `size` bytes. Best effort: returns the new capacity, or
 * null when it could not be changed (no addon, `fd` not a pipe, over the system's limit); never
 * throws.
 */
export function widenPipe(
  fd: number,
  size: number = PIPE_CAPACITY,
  ops: NativeOps | null = nativeOps(),
): number | null {
  if (ops?.setPipeSize === undefined) return null;
  try {
    return ops.setPipeSize(fd, size);
  } catch {
    return null; // EBADF (a socket or a file), EPERM (over the limit): the default pipe works
  }
}
