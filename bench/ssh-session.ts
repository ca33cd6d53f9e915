/**
 * The SSH mode of one benchmark run (`bench --ssh`): starts the sshd fixture once (127.0.0.1,
 * keys made for it), makes bigsync's remote cache inside the run's directory, uploads bigsync's
 * bundle there with one untimed warm-up push (so no timed run pays for the upload), and hands the
 * harness the SSH-mode tools and a probe on the sshd for the remote side's CPU and writes.
 *
 * Called by runBench only; the caller must call `stop()` (in a finally): it stops sshd and
 * removes its keys. On any failure while starting, sshd is stopped before the error propagates.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BigsyncError } from '../src/errors.js';
import { measureCommand } from './measure.js';
import { sshdProbe, type RemoteProbe } from './sshd-accounting.js';
import { sshdSkipReason, startSshd, type SshdFixture } from './sshd-fixture.js';
import { sshTools, type SshToolName } from './ssh-tools.js';
import { RSYNC_NOTE, type BigsyncLaunch, type Tool } from './tools.js';
import { compareFiles } from './verify.js';

/** A running SSH mode. */
export interface SshSession {
  tools: Record<SshToolName, Tool>;
  /** Measures the remote side of a timed run; undefined when /proc cannot be read (a note says so). */
  probe: RemoteProbe | undefined;
  info: { sshVersion: string; rsyncVersion: string | null };
  /** Remarks for the report (the warm-up, what is measured where). */
  notes: string[];
  /** Stops sshd and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** BIGSYNC_REMOTE_CACHE must be an absolute path of these characters (bigsync checks the same). */
const CACHE_PATH = /^\/[A-Za-z0-9_./-]*$/;
const WARMUP_BYTES = 1 << 20;

/**
 * Starts SSH mode for a run whose files live in `runDir` (absolute).
 * @throws BigsyncError SSH_FAILED when sshd cannot run here or does not start; USAGE when
 *   `runDir` holds characters bigsync refuses in a remote cache path.
 */
export async function startSshSession(
  runDir: string,
  bigsync: BigsyncLaunch,
  log: (line: string) => void,
): Promise<SshSession> {
  const reason = sshdSkipReason();
  if (reason !== null) throw new BigsyncError('SSH_FAILED', `bench --ssh cannot start sshd: ${reason}`);
  const remoteCache = join(runDir, 'remote-cache');
  if (!CACHE_PATH.test(remoteCache)) {
    throw new BigsyncError(
      'USAGE',
      `bench --ssh: the work directory '${runDir}' must be an absolute path of [A-Za-z0-9_./-] only (bigsync's remote cache goes inside it); pick another --work-dir`,
    );
  }
  let fixture: SshdFixture;
  try {
    fixture = await startSshd();
  } catch (err) {
    throw new BigsyncError(
      'SSH_FAILED',
      `bench --ssh: sshd did not start: ${String(err)}`,
      {},
      { cause: err },
    );
  }
  try {
    log(`# ssh: sshd listening on 127.0.0.1:${fixture.port}`);
    await mkdir(remoteCache);
    const tools = sshTools({ bigsync, rsh: fixture.rsh, host: fixture.host, remoteCache });
    const notes = [await warmUp(tools.bigsync, runDir, remoteCache, log)];
    const probe = probeOf(fixture);
    notes.push(...staticSshNotes(probe !== undefined));
    return { tools, probe, info: versions(), notes, stop: () => fixture.stop() };
  } catch (err) {
    await fixture.stop();
    throw err;
  }
}

/** One untimed bigsync push of a small file, which uploads the bundle into the remote cache. */
async function warmUp(
  bigsync: Tool,
  runDir: string,
  remoteCache: string,
  log: (line: string) => void,
): Promise<string> {
  const dir = join(runDir, 'ssh-warmup');
  await mkdir(dir);
  try {
    const run = { source: join(dir, 'source.img'), target: join(dir, 'target.img'), targetExists: false };
    await writeFile(run.source, Buffer.alloc(WARMUP_BYTES, 'bigsync bench warm-up\n'));
    const m = await measureCommand(bigsync.command({ ...run, sparse: false, shifted: false }), 'wall-only');
    const same = m.exitCode === 0 && (await compareFiles(run.source, run.target)).equal;
    const cached = readdirSync(remoteCache).filter((f) => f.endsWith('.mjs'));
    const what = `an untimed warm-up push of ${WARMUP_BYTES} bytes to a throwaway target (${m.seconds.toFixed(2)} s)`;
    if (!same) {
      const why = m.stderr.trim().split('\n').pop() ?? `exit ${String(m.exitCode)}`;
      log(`# ssh: warm-up push FAILED: ${why}`);
      return `bigsync's warm-up push failed (${why}); its timed runs may include the bundle upload or fail`;
    }
    log(`# ssh: ${what}; remote cache holds ${cached.join(', ') || 'nothing'}`);
    return cached.length > 0
      ? `bigsync's bundle was uploaded to the remote cache (BIGSYNC_REMOTE_CACHE, in the work dir) by ${what}: no timed run includes the upload`
      : `bigsync's warm-up push succeeded but left no bundle in BIGSYNC_REMOTE_CACHE: timed runs may include an upload`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A probe on the fixture's sshd, or undefined when its /proc counters cannot be read. */
function probeOf(fixture: SshdFixture): RemoteProbe | undefined {
  try {
    const pid = Number(readFileSync(join(fixture.dir, 'sshd.pid'), 'utf8').trim());
    const readable = ['io', 'stat', `task/${pid}/children`].every((f) => existsSync(`/proc/${pid}/${f}`));
    return Number.isInteger(pid) && pid > 0 && readable ? sshdProbe(pid) : undefined;
  } catch {
    return undefined;
  }
}

function staticSshNotes(probed: boolean): string[] {
  return [
    "ssh mode: each scenario's target is reached through OpenSSH sshd on 127.0.0.1 (started for this run with its own keys); client and server share this machine's CPUs and disk",
    'floor-ssh is reading both files once (cat SOURCE TARGET > /dev/null) plus one `ssh 127.0.0.1 true` (connection, key exchange, login), timed together',
    "wire bytes: bigsync's wireBytesSent + wireBytesReceived (its protocol bytes through ssh), rsync's Total bytes sent + received (--stats), cat-ssh the file size (it sends every byte); none includes ssh's own encryption and framing",
    probed
      ? "CPU s and dirtied MiB add the remote side (sshd and what it ran, from the sshd's /proc counters of reaped children) to the local command's; RSS MiB is the local side only"
      : 'the remote side could not be measured (/proc of sshd unreadable): CPU s, dirtied MiB and RSS MiB are the local side only',
    `rsync runs with -e SSH ${RSYNC_NOTE}`,
  ];
}

function versions(): SshSession['info'] {
  const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  const rsync = spawnSync('rsync', ['--version'], { encoding: 'utf8' });
  const rsyncLine = /rsync\s+version\s+(\S+)/.exec(rsync.stdout ?? '');
  return {
    sshVersion: (ssh.stderr ?? '').trim().split('\n')[0] ?? 'unknown',
    rsyncVersion: rsyncLine?.[1] ?? null,
  };
}
