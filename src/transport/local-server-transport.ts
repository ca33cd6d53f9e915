/**
 * A transport to a `bigsync --server` (or any program speaking the protocol on stdio) started
 * as a local child process: for tests, and for a server reached through a pipe the user set up.
 * Same {@link Connection} semantics as the SSH transport, without a bootstrap script: the
 * connection is handed out as soon as the process has started.
 */
import { BigsyncError } from '../errors.js';
import { DEFAULT_CLOSE_TIMEOUT_MS, peerConnection, spawnPeer, waitSpawned } from './child-peer.js';
import type { Connection, Transport } from './connection.js';

/** Options of {@link localServerTransport}. */
export interface LocalServerOptions {
  /** The argv to run, e.g. `[process.execPath, 'bin/bigsync.cjs', '--server']` (no shell). */
  command: readonly string[];
  /** The child's environment; default: this process's. */
  env?: NodeJS.ProcessEnv | undefined;
  /** The child's working directory; default: this process's. */
  cwd?: string | undefined;
  /** How long `Connection.close()` waits for the child to exit before killing it; default 5 s. */
  closeTimeoutMs?: number | undefined;
}

/**
 * A transport whose `open()` spawns `opts.command` and connects to its stdio.
 *
 * @throws BigsyncError `BAD_LOCATION` (at once) when the command is empty. `open()` rejects with
 *   `REMOTE_FAILED` when the command cannot be started (ENOENT, EACCES), `INTERRUPTED` when the
 *   signal is already aborted.
 */
export function localServerTransport(opts: LocalServerOptions): Transport {
  const command = [...opts.command];
  const name = command[0];
  if (name === undefined || name === '') {
    throw new BigsyncError('BAD_LOCATION', 'the local server command is empty');
  }
  const open = async (signal?: AbortSignal): Promise<Connection> => {
    if (signal?.aborted === true) throw new BigsyncError('INTERRUPTED', `starting ${name} was interrupted`);
    const peer = spawnPeer(command, { signal, env: opts.env, cwd: opts.cwd });
    const failed = await waitSpawned(peer);
    if (failed !== null) {
      throw new BigsyncError('REMOTE_FAILED', `cannot start ${name}: ${failed.message}`, { command: name });
    }
    return peerConnection(peer, opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
  };
  return { open };
}
