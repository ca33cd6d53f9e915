/**
 * `bigsync --server`: the remote side of a sync, started by the client over ssh. Speaks the
 * protocol on stdin/stdout and nothing else there; a failure is one line on stderr (the client
 * already got it as an ERROR message) and its exit code.
 */
import type { Readable, Writable } from 'node:stream';
import { serve } from '../../sync/serve.js';
import type { CliContext } from '../context.js';

/** Serves one session on the given streams (the process's stdin and stdout). */
export async function runServer(ctx: CliContext, input: Readable, output: Writable): Promise<void> {
  await serve(input, output, { signal: ctx.signal });
}
