/**
 * `bigsync [options] SRC DST`: sync one file or block device onto another path.
 */
import { parseArgs } from 'node:util';
import { parseSize } from '../../core/size-units.js';
import { BigsyncError } from '../../errors.js';
import { syncLocalFile, type LocalSyncOptions } from '../../sync/local-sync.js';
import { nativeStatus } from '../../io/native.js';
import type { Reporter } from '../../sync/reporter.js';
import type { MatchMode, SyncSummary } from '../../sync/summary.js';
import { syncRemote } from '../../sync/remote-sync.js';
import { formatLocation, parseLocation } from '../../transport/location.js';
import { withBandwidthLimit } from '../../transport/bandwidth-limit.js';
import { rshArgv } from '../../transport/rsh-command.js';
import { sshTransport } from '../../transport/ssh-transport.js';
import { bundlePath } from '../bundle-path.js';
import type { CliContext } from '../context.js';
import { VERSION } from '../version.js';
import { jsonReporter } from '../render/json-lines.js';
import { progressReporter } from '../render/progress-line.js';
import { dryRunText, statsText } from '../render/summary-text.js';

export const SYNC_HELP = `Usage: bigsync [options] SRC DST
       bigsync [options] SRC [user@]host:DST      (push over ssh)
       bigsync [options] [user@]host:SRC DST      (pull over ssh)

Synchronize one big file or block device onto DST, writing only what differs.
DST is updated in place (created if missing, truncated or extended to SRC's size).
Over ssh, the remote side needs only Node.js >= 20: bigsync sends itself when missing.

Options:
  -b, --block-size SIZE  compare in blocks of SIZE (4K..64M; default 128K)
  -j, --jobs N           threads comparing and writing (default: number of cores)
  -n, --dry-run          compare only: report similarity and what would be written
  -W, --whole-file       copy every block without comparing (still sparse)
      --match MODE       auto (default): aligned blocks, plus a search for moved data
                         when the sizes differ; aligned: same-offset blocks only;
                         rolling: always search where aligned blocks differ
      --no-sparse        write zero blocks as data instead of holes
      --fsync            flush the target to disk before finishing
  -e, --rsh COMMAND      remote shell (default: ssh, or $BIGSYNC_RSH)
      --remote-path PATH run PATH --server on the remote host
  -z, --compress         zstd-compress data on the wire (needs Node >= 22.15 on both ends)
      --bwlimit RATE     send at most RATE bytes per second over the wire (e.g. 50M)
  -P, --progress         show progress (bar on a terminal, lines otherwise)
      --stats            print a summary at the end
      --json             NDJSON events on stdout, ending with a summary object
  -v, --verbose          say more (one-line summary; error details)
  -q, --quiet            say nothing but errors
      --version          print version and active fast paths
  -h, --help             this help

Commands:
  bigsync demo           generate sample data and sync it (no files needed)
  bigsync bench          run the benchmark side by side with rsync and cp

Examples:
  bigsync vm.img /backup/vm.img             sync an image in place
  bigsync -P --stats /dev/vg/disk disk.img  back up a block device, with progress
  bigsync -n big.ibd replica/big.ibd        how different are they?
  bigsync --match=rolling dump.sql old.sql  find data that moved (inserted bytes)
  bigsync --json a.img b.img | tail -1      machine-readable summary
  bigsync -P vm.img backup@host2:/vm/vm.img push an image over ssh
  bigsync host2:/dev/vg/disk disk.img       pull a remote block device
`;

const OPTIONS = {
  'block-size': { type: 'string', short: 'b' },
  jobs: { type: 'string', short: 'j' },
  'dry-run': { type: 'boolean', short: 'n' },
  'whole-file': { type: 'boolean', short: 'W' },
  match: { type: 'string' },
  'no-sparse': { type: 'boolean' },
  fsync: { type: 'boolean' },
  rsh: { type: 'string', short: 'e' },
  'remote-path': { type: 'string' },
  compress: { type: 'boolean', short: 'z' },
  bwlimit: { type: 'string' },
  progress: { type: 'boolean', short: 'P' },
  stats: { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** Parsed sync options, before any file is touched. */
export interface SyncArgs {
  source: string;
  target: string;
  options: LocalSyncOptions;
  progress: boolean;
  stats: boolean;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
  rsh: string | undefined;
  remotePath: string | undefined;
  compress: boolean;
  bwlimit: number | undefined;
}

const MATCH_MODES: readonly MatchMode[] = ['auto', 'aligned', 'rolling'];

function parseMatch(value: string, wholeFile: boolean): MatchMode {
  const mode = MATCH_MODES.find((m) => m === value);
  if (mode === undefined) {
    throw new BigsyncError('USAGE', `invalid --match '${value}': expected auto, aligned or rolling`);
  }
  if (mode === 'rolling' && wholeFile) {
    throw new BigsyncError('USAGE', '--match=rolling and --whole-file contradict each other: pick one');
  }
  return mode;
}

/**
 * Parses the sync command line.
 * @throws BigsyncError USAGE / BAD_SIZE / BAD_BLOCK_SIZE for a bad option or operand count.
 */
export function parseSyncArgs(argv: string[]): SyncArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new BigsyncError('USAGE', `${(err as Error).message}; see bigsync --help`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 2) {
    throw new BigsyncError(
      'USAGE',
      `expected SRC and DST, got ${positionals.length} operand(s); see bigsync --help`,
    );
  }
  const jobs = v.jobs === undefined ? undefined : Number(v.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 256)) {
    throw new BigsyncError('USAGE', `invalid --jobs '${v.jobs}': expected a whole number from 1 to 256`);
  }
  const options: LocalSyncOptions = {
    dryRun: v['dry-run'] === true,
    wholeFile: v['whole-file'] === true,
    sparse: v['no-sparse'] !== true,
    fsync: v.fsync === true,
  };
  if (v.match !== undefined) options.match = parseMatch(v.match, options.wholeFile === true);
  if (v['block-size'] !== undefined) options.blockSize = parseSize(v['block-size'], 'block size');
  if (jobs !== undefined) options.jobs = jobs;
  return {
    source: positionals[0] as string,
    target: positionals[1] as string,
    options,
    progress: v.progress === true,
    stats: v.stats === true,
    json: v.json === true,
    verbose: v.verbose === true,
    quiet: v.quiet === true,
    rsh: v.rsh,
    remotePath: v['remote-path'],
    compress: v.compress === true,
    bwlimit: v.bwlimit === undefined ? undefined : parseSize(v.bwlimit, 'rate'),
  };
}

function reporterFor(a: SyncArgs, ctx: CliContext): { reporter: Reporter; end: () => void } {
  if (a.json) return { reporter: jsonReporter(ctx.stdout), end: () => undefined };
  if (a.progress && !a.quiet) {
    const r = progressReporter({ write: ctx.stderr, tty: ctx.stderrIsTTY, columns: ctx.columns });
    return { reporter: r, end: () => r.end() };
  }
  return { reporter: {}, end: () => undefined };
}

function printSummary(a: SyncArgs, s: SyncSummary, ctx: CliContext): void {
  if (a.json) ctx.stdout(`${JSON.stringify(s)}\n`);
  else if (s.dryRun && !a.quiet) ctx.stdout(`${dryRunText(s)}\n`);
  else if (a.stats) ctx.stdout(`${statsText(s)}\n`);
  else if (a.verbose) {
    ctx.stdout(
      `${s.target}: ${s.changedBlocks}/${s.blocks} blocks changed, ${s.bytesWritten} bytes written\n`,
    );
  }
}

/** Local or remote, by the operands. */
function runEither(a: SyncArgs, ctx: CliContext, reporter: Reporter): Promise<SyncSummary> {
  const src = parseLocation(a.source);
  const dst = parseLocation(a.target);
  if (src.kind === 'ssh' && dst.kind === 'ssh') {
    throw new BigsyncError('USAGE', 'both SRC and DST are remote; one of them must be local');
  }
  const remote = src.kind === 'ssh' ? src : dst.kind === 'ssh' ? dst : null;
  if (remote === null) {
    if (a.compress || a.rsh !== undefined || a.remotePath !== undefined || a.bwlimit !== undefined) {
      throw new BigsyncError(
        'USAGE',
        '-z, -e, --remote-path and --bwlimit apply only to a remote SRC or DST',
      );
    }
    return syncLocalFile(src.path, dst.path, { ...a.options, reporter, signal: ctx.signal });
  }
  const ssh = sshTransport({
    host: remote.host,
    user: remote.user,
    rsh: rshArgv(a.rsh, ctx.env['BIGSYNC_RSH']),
    remotePath: a.remotePath,
    bundlePath: bundlePath(),
    addonPath: nativeStatus().path ?? null,
    version: VERSION,
    cacheDir: ctx.env['BIGSYNC_REMOTE_CACHE'],
  });
  const transport = a.bwlimit === undefined ? ssh : withBandwidthLimit(ssh, a.bwlimit);
  return syncRemote({
    ...a.options,
    direction: src.kind === 'ssh' ? 'pull' : 'push',
    localPath: src.kind === 'ssh' ? dst.path : src.path,
    remotePath: remote.path,
    remoteLabel: formatLocation(remote),
    transport,
    compress: a.compress,
    software: `bigsync ${VERSION}`,
    reporter,
    signal: ctx.signal,
  });
}

/** Runs a sync command line; resolves with the summary (errors propagate to main). */
export async function runSync(a: SyncArgs, ctx: CliContext): Promise<SyncSummary> {
  const { reporter, end } = reporterFor(a, ctx);
  try {
    const summary = await runEither(a, ctx, reporter);
    end();
    printSummary(a, summary, ctx);
    return summary;
  } catch (err) {
    end();
    throw err;
  }
}
