/**
 * A Transport whose peer is `serve()` in this very process, joined by in-memory streams: the
 * protocol tested without processes or sockets (STYLE.md rule 10).
 */
import { PassThrough } from 'node:stream';
import type { Connection, PeerExit, Transport } from '../../src/transport/connection.js';
import { serve } from '../../src/sync/serve.js';

/** The transport, and the server's error of its last session (null when it ended cleanly). */
export function memoryTransport(jobs = 2): Transport & { serverError: () => unknown } {
  let lastError: unknown = null;
  return {
    serverError: () => lastError,
    open(): Promise<Connection> {
      const up = new PassThrough();
      const down = new PassThrough();
      lastError = null;
      const exited: Promise<PeerExit> = serve(up, down, { jobs }).then(
        () => ({ code: 0, signal: null, stderr: '' }),
        (err: unknown) => {
          lastError = err;
          return { code: 1, signal: null, stderr: String(err) };
        },
      );
      return Promise.resolve({
        input: down,
        output: up,
        exited,
        close: async () => {
          up.end();
          await exited;
        },
      });
    },
  };
}
