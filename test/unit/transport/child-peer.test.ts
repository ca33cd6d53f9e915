import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { isBigsyncError } from '../../../src/errors.js';
import { STDERR_TAIL_BYTES, waitForReadyLine } from '../../../src/transport/child-peer.js';
import type { Connection } from '../../../src/transport/connection.js';
import { localServerTransport } from '../../../src/transport/local-server-transport.js';

async function readAll(input: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Writes `data` to the connection and reads everything back. */
async function roundTrip(conn: Connection, data: Buffer): Promise<Buffer> {
  const back = readAll(conn.input);
  conn.output.end(data);
  return back;
}

describe('waitForReadyLine', () => {
  const LINE = 'ready now';

  function feed(chunks: string[]): PassThrough {
    const s = new PassThrough();
    for (const c of chunks) s.write(c);
    return s;
  }

  for (const style of ['async-iterator', 'data-event', 'pipe'] as const) {
    it(`drops the preamble and keeps what follows (${style})`, async () => {
      const s = feed(['motd line\nrea', 'dy now', '\nAB', 'C']);
      assert.equal(await waitForReadyLine(s, LINE, 1024), 'ready');
      s.end('D');
      let got: string;
      if (style === 'async-iterator') got = (await readAll(s)).toString();
      else if (style === 'data-event') {
        got = await new Promise((resolve) => {
          let text = '';
          s.on('data', (d: Buffer) => (text += d.toString()));
          s.on('end', () => resolve(text));
        });
      } else {
        let text = '';
        await pipeline(s, new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) }));
        got = text;
      }
      assert.equal(got, 'ABCD');
    });
  }

  it('needs the whole line', async () => {
    const s = feed(['xready now\nready now!\n']);
    s.end();
    assert.equal(await waitForReadyLine(s, LINE, 1024), 'ended');
  });

  it('gives up after the limit', async () => {
    const s = feed(['x'.repeat(5000)]);
    assert.equal(await waitForReadyLine(s, LINE, 1024), 'overflow');
  });
});

describe('localServerTransport', () => {
  it('round-trips bytes through a child', async () => {
    const conn = await localServerTransport({ command: ['cat'] }).open();
    const data = randomBytes(3 * 1024 * 1024);
    assert.ok((await roundTrip(conn, data)).equals(data));
    await conn.close();
    assert.deepEqual(await conn.exited, { code: 0, signal: null, stderr: '' });
  });

  it('keeps only the tail of stderr', async () => {
    const script = 'head -c 20000 /dev/zero | tr "\\0" x >&2; echo END >&2';
    const conn = await localServerTransport({ command: ['sh', '-c', script] }).open();
    await conn.close();
    const exit = await conn.exited;
    assert.ok(exit.stderr.length <= STDERR_TAIL_BYTES);
    assert.ok(exit.stderr.endsWith('xEND\n'));
  });

  it('close() kills a peer that does not exit on EOF', async () => {
    const command = ['sh', '-c', 'trap "" TERM; exec sleep 30'];
    const conn = await localServerTransport({ command, closeTimeoutMs: 100 }).open();
    const t0 = Date.now();
    await conn.close();
    await conn.close();
    assert.equal((await conn.exited).signal, 'SIGKILL');
    assert.ok(Date.now() - t0 < 5000);
  });

  it('an abort kills the peer and ends input', async () => {
    const ac = new AbortController();
    const conn = await localServerTransport({ command: ['sleep', '30'] }).open(ac.signal);
    const ended = readAll(conn.input);
    ac.abort();
    assert.equal((await conn.exited).signal, 'SIGTERM');
    assert.equal((await ended).length, 0);
  });

  it('survives writes to a peer that is gone (EPIPE)', async () => {
    const conn = await localServerTransport({ command: ['true'] }).open();
    await conn.exited;
    const failed = await new Promise<unknown>((resolve) => conn.output.write(randomBytes(1 << 20), resolve));
    assert.ok(failed instanceof Error);
    await conn.close();
  });

  it('rejects commands that cannot start, and aborted opens', async () => {
    await assert.rejects(localServerTransport({ command: ['/no/such/server'] }).open(), (e: unknown) =>
      isBigsyncError(e, 'REMOTE_FAILED'),
    );
    await assert.rejects(localServerTransport({ command: ['cat'] }).open(AbortSignal.abort()), (e: unknown) =>
      isBigsyncError(e, 'INTERRUPTED'),
    );
    assert.throws(
      () => localServerTransport({ command: [] }),
      (e: unknown) => isBigsyncError(e, 'BAD_LOCATION'),
    );
  });
});
