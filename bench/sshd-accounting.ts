/**
 * What the remote end of an SSH-mode run used. The remote side (sshd's per-connection process,
 * the login shell, `bigsync --server`, rsync's receiver or `cat > DST`) runs under the fixture's
 * sshd, not under the timed command, so GNU time does not see it. Linux adds a child's CPU time
 * and I/O counters to its parent when the parent reaps it, so the sshd listener's own counters
 * grow by exactly what its connections used: `cutime + cstime` in /proc/PID/stat and
 * `write_bytes` in /proc/PID/io (the counter GNU time's %O reads for the local side).
 *
 * Peak memory of the remote side cannot be read this way; RSS stays local-only.
 */
import { readFile } from 'node:fs/promises';
import type { RemoteUsage } from './results-model.js';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;
const IDLE_TIMEOUT_MS = 10_000;

/** The cumulative counters of a process and the children it reaped. */
export interface ReapedCounters {
  /** cutime + cstime, in seconds. */
  childCpuSeconds: number;
  /** write_bytes: bytes sent to the storage layer by it and its reaped children. */
  writeBytes: number;
}

/** Reads cutime + cstime (fields 16 and 17) from /proc/PID/stat text; null if malformed. */
export function parseChildCpuSeconds(statText: string): number | null {
  const after = statText
    .slice(statText.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // `after[0]` is field 3 (state), so field N is after[N - 3].
  const cutime = Number(after[13]);
  const cstime = Number(after[14]);
  return Number.isFinite(cutime) && Number.isFinite(cstime) && after.length > 14
    ? (cutime + cstime) / USER_HZ
    : null;
}

/** Reads `write_bytes:` from /proc/PID/io text; null if absent. */
export function parseWriteBytes(ioText: string): number | null {
  const m = /^write_bytes:\s*(\d+)$/m.exec(ioText);
  return m?.[1] === undefined ? null : Number(m[1]);
}

async function readCounters(pid: number): Promise<ReapedCounters | null> {
  try {
    const [stat, io] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/io`, 'utf8'),
    ]);
    const cpu = parseChildCpuSeconds(stat);
    const written = parseWriteBytes(io);
    return cpu === null || written === null ? null : { childCpuSeconds: cpu, writeBytes: written };
  } catch {
    return null;
  }
}

/** Resolves true once `pid` has no children (every connection reaped), false after the timeout. */
async function waitNoChildren(pid: number): Promise<boolean> {
  const deadline = Date.now() + IDLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => null);
    if (text === null) return false;
    if (text.trim() === '') return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** Measures one command's remote side: call `start()` just before it, and the returned function after. */
export interface RemoteProbe {
  start(): Promise<() => Promise<RemoteUsage>>;
}

/**
 * A probe on the sshd listener `pid`. `start()` waits until earlier connections are reaped and
 * reads the counters; the function it returns waits again and returns the difference. Values are
 * null when /proc cannot be read or a connection was not reaped within 10 s.
 */
export function sshdProbe(pid: number): RemoteProbe {
  return {
    async start() {
      const before = (await waitNoChildren(pid)) ? await readCounters(pid) : null;
      return async () => {
        const after = (await waitNoChildren(pid)) ? await readCounters(pid) : null;
        if (before === null || after === null) return { cpuSeconds: null, fsWriteBytes: null };
        return {
          cpuSeconds: Math.round((after.childCpuSeconds - before.childCpuSeconds) * USER_HZ) / USER_HZ,
          fsWriteBytes: after.writeBytes - before.writeBytes,
        };
      };
    },
  };
}
