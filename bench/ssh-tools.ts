/**
 * The tools of `bench --ssh`: the same scenarios, with the target reached over a real sshd on
 * 127.0.0.1 (bench/sshd-fixture.ts). The floor adds one `ssh HOST true` to reading both files;
 * bigsync and rsync push over the remote shell; `cat | ssh HOST 'cat > DST'` is the plain copy.
 * Each tool reports the bytes it put on the wire (see {@link ToolOutput.wireBytes}). rdiff has no
 * network mode, so it is not among them.
 */
import { statSync } from 'node:fs';
import { joinRshCommand } from '../src/transport/rsh-command.js';
import { exitsZero, type Measurement } from './measure.js';
import {
  ALIGNED_ARGS,
  bigsyncEnv,
  NAMED_ONLY_TOOLS,
  parseBigsyncSummary,
  ROLLING_ARGS,
  rsyncTool,
  type BigsyncLaunch,
  type Tool,
} from './tools.js';

/** Names of the SSH-mode tools, in the order the benchmark runs them. */
export const SSH_TOOL_NAMES = [
  'floor-ssh',
  'bigsync',
  'bigsync-aligned',
  'bigsync-rolling',
  'bigsync-z',
  'rsync',
  'cat-ssh',
] as const;
export type SshToolName = (typeof SSH_TOOL_NAMES)[number];

/** The SSH-mode tools a run uses unless `--tools` says otherwise: all but bigsync-aligned and bigsync-rolling. */
export const DEFAULT_SSH_TOOL_NAMES: readonly SshToolName[] = SSH_TOOL_NAMES.filter(
  (t) => !NAMED_ONLY_TOOLS.includes(t),
);

/** How the SSH-mode tools reach the remote side. */
export interface SshLaunch {
  /** How to start bigsync locally, and extra arguments (after --json, before -e). */
  bigsync: BigsyncLaunch;
  /** The remote shell argv (ssh with port, key and batch options); passed as one `-e` string. */
  rsh: readonly string[];
  /** The host the remote shell reaches: '127.0.0.1'. */
  host: string;
  /** BIGSYNC_REMOTE_CACHE for bigsync: an absolute path of [A-Za-z0-9_./-]. */
  remoteCache: string;
}

/** The SSH-mode tools, by name. */
export function sshTools(l: SshLaunch): Record<SshToolName, Tool> {
  return {
    'floor-ssh': floorSshTool(l),
    bigsync: bigsyncSshTool(l, 'bigsync', []),
    'bigsync-aligned': bigsyncSshTool(l, 'bigsync-aligned', ALIGNED_ARGS),
    'bigsync-rolling': bigsyncSshTool(l, 'bigsync-rolling', ROLLING_ARGS),
    'bigsync-z': bigsyncSshTool(l, 'bigsync-z', ['-z']),
    rsync: rsyncTool({
      rsh: joinRshCommand(l.rsh),
      host: l.host,
      wireBytes: (stdout) => {
        const wire = parseRsyncWireBytes(stdout);
        return wire === null ? null : wire.sent + wire.received;
      },
    }),
    'cat-ssh': catSshTool(l),
  };
}

const catAvailable = async () => ((await exitsZero(['cat', '/dev/null'])) ? null : 'cat not found');

/** Quotes `word` for a POSIX shell (the remote login shell reads the command ssh sends). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `cat SOURCE [TARGET] > /dev/null`, then `ssh HOST true`: timed together. */
function floorSshTool(l: SshLaunch): Tool {
  return {
    name: 'floor-ssh',
    writesTarget: false,
    unavailable: catAvailable,
    command: (r) => ({
      argv: [
        'bash',
        '-c',
        `cat -- "$@" && exec ${joinRshCommand(l.rsh)} ${l.host} true`,
        'floor-ssh',
        r.source,
        ...(r.targetExists ? [r.target] : []),
      ],
      stdoutFile: '/dev/null',
    }),
  };
}

/** bigsync over ssh, with `extra` arguments after the user's (`-z`, `--match=aligned`, `--match=rolling`). */
function bigsyncSshTool(l: SshLaunch, name: SshToolName, extra: readonly string[]): Tool {
  const env = { ...bigsyncEnv(), BIGSYNC_REMOTE_CACHE: l.remoteCache };
  const launch = l.bigsync;
  return {
    name,
    writesTarget: true,
    unavailable: async () => {
      const ok = await exitsZero([...launch.command, '--version']);
      return ok ? null : `'${launch.command.join(' ')} --version' failed`;
    },
    command: (r) => ({
      argv: [
        ...launch.command,
        '--json',
        ...launch.args,
        ...extra,
        '-e',
        joinRshCommand(l.rsh),
        r.source,
        `${l.host}:${r.target}`,
      ],
      env,
    }),
    parse: (m) => {
      const summary = parseBigsyncSummary(m.stdout);
      if (summary === null) return { bytesWritten: null, note: 'no JSON summary on the last stdout line' };
      const num = (v: unknown) => (typeof v === 'number' ? v : null);
      const sent = num(summary.wireBytesSent);
      const received = num(summary.wireBytesReceived);
      return {
        bytesWritten: num(summary.bytesWritten),
        wireBytes: sent === null || received === null ? null : sent + received,
        summary,
      };
    },
    ...(extra.includes('-z') ? { unsupported: zstdUnsupported } : {}),
  };
}

/** bigsync's `{"type":"error",...}` line (the last stdout line under --json), or null. */
export function parseBigsyncError(stdout: string): { code: string; message: string } | null {
  const lines = stdout.trim().split('\n');
  try {
    const value: unknown = JSON.parse(lines[lines.length - 1] ?? '');
    if (typeof value !== 'object' || value === null) return null;
    const obj = value as Record<string, unknown>;
    if (obj.type !== 'error' || typeof obj.code !== 'string' || typeof obj.message !== 'string') return null;
    return { code: obj.code, message: obj.message };
  } catch {
    return null;
  }
}

/**
 * bigsync -z on a Node without zstd in node:zlib exits 2 with a USAGE error that mentions zstd:
 * that is "unsupported here", not a wrong result. Any other failure is a failure.
 */
export function zstdUnsupported(m: Measurement): string | null {
  if (m.exitCode !== 2) return null;
  const err = parseBigsyncError(m.stdout);
  return err !== null && err.code === 'USAGE' && /zstd/i.test(err.message) ? err.message : null;
}

/** Reads "Total bytes sent: 1,234" and "Total bytes received: 5,678" from rsync --stats; null if either is absent. */
export function parseRsyncWireBytes(stdout: string): { sent: number; received: number } | null {
  const read = (what: string) => {
    const m = new RegExp(`^Total bytes ${what}:\\s*([\\d,]+)`, 'm').exec(stdout);
    return m?.[1] === undefined ? null : Number(m[1].replaceAll(',', ''));
  };
  const sent = read('sent');
  const received = read('received');
  return sent === null || received === null ? null : { sent, received };
}

/** `cat SOURCE | ssh HOST 'cat > TARGET'`; its wire bytes are the source's size (it sends every byte). */
function catSshTool(l: SshLaunch): Tool {
  return {
    name: 'cat-ssh',
    writesTarget: true,
    unavailable: catAvailable,
    skipFor: (r) => (r.sparse ? 'cat would send and write every hole as zeros' : null),
    command: (r) => ({
      argv: [
        'bash',
        '-c',
        `set -o pipefail; cat -- "$1" | ${joinRshCommand(l.rsh)} ${l.host} "$2"`,
        'cat-ssh',
        r.source,
        `cat > ${shellQuote(r.target)}`,
      ],
    }),
    parse: (_m, r) => ({ bytesWritten: null, wireBytes: statSync(r.source).size }),
  };
}
