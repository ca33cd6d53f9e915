/**
 * `bigsync --server`: the remote side of a sync, started by the client over ssh. Speaks the
 * protocol on stdin/stdout and nothing else there; a failure is one line on stderr (the client
 * already got it as an ERROR message) and its exit code.
 */
import type { Readable, Writable } from 'node:stream';
import { widenPipe } from '../../io/pipe-size.js';
import { serve } from '../../sync/serve.js';
import { trace } from '../../sync/trace.js';
import type { CliContext } from '../context.js';

/**
 * Widens stdin and stdout when they are pipes (as under sshd): see io/pipe-size.ts. Sockets,
 * files and the pure-JS fallback keep their defaults.
 */
export function widenStdio(): void {
  const sizes = [0, 1].map((fd) => widenPipe(fd));
  trace('server', `pipes ${sizes.map((n) => (n === null ? 'default' : String(n))).join(' ')}`);
}

/** Serves one session on the given streams (the process's stdin and stdout). */
export async function runServer(ctx: CliContext, input: Readable, output: Writable): Promise<void> {
  await serve(input, output, { signal: ctx.signal });
}
