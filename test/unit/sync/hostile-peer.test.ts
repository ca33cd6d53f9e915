/**
 * A hostile or broken server, played by the test over in-memory streams against the real client:
 * out-of-range DATA, unrequested SUBHASHES, garbage bytes, an oversized frame. Each ends the
 * session with PROTOCOL_ERROR, and nothing from a bad frame reaches the target.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { encodeFrameHeader } from '../../../src/format/frame.js';
import { isBigsyncError } from '../../../src/errors.js';
import { FrameChannel } from '../../../src/protocol/frame-channel.js';
import { serverHandshake } from '../../../src/protocol/handshake.js';
import { syncRemote } from '../../../src/sync/remote-sync.js';
import type { Connection, Transport } from '../../../src/transport/connection.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

type Script = (ch: FrameChannel, raw: PassThrough) => Promise<void>;

/** A transport whose server is `script`, after a normal handshake, OPEN and FILE_INFO exchange. */
function hostile(size: number, script: Script): Transport {
  return {
    open(): Promise<Connection> {
      const up = new PassThrough();
      const down = new PassThrough();
      const ch = new FrameChannel(up, down, { peer: 'client' });
      const run = (async () => {
        await serverHandshake(ch, 0n);
        await ch.next(); // OPEN
        await ch.send({ type: 'FILE_INFO', body: { size, blockSize: 4096, kind: 1 } });
        await ch.next(); // FILE_INFO
        ch.decodeOptions = { hashLen: 16, blockSize: 4096 };
        await script(ch, down);
      })().catch(() => undefined);
      return Promise.resolve({
        input: down,
        output: up,
        exited: run.then(() => ({ code: 0, signal: null, stderr: '' })),
        close: async () => {
          down.end();
          await run;
        },
      });
    },
  };
}

describe('a hostile server (pull)', () => {
  const t = tmpDir();
  after(() => t.remove());
  let n = 0;

  async function pullFrom(script: Script): Promise<{ err: unknown; target: Buffer }> {
    const dst = t.file(`t${n++}`);
    fs.writeFileSync(dst, Buffer.alloc(8192, 0x11));
    let err: unknown = null;
    try {
      await syncRemote({
        direction: 'pull',
        localPath: dst,
        remotePath: '/x',
        remoteLabel: 'evil:/x',
        transport: hostile(8192, script),
        software: 'test',
        blockSize: 4096,
      });
    } catch (e) {
      err = e;
    }
    return { err, target: fs.readFileSync(dst) };
  }

  const untouched = Buffer.alloc(8192, 0x11);

  it('DATA past the end of the file: PROTOCOL_ERROR, nothing written', async () => {
    const r = await pullFrom(async (ch) => {
      await ch.send({
        type: 'DATA',
        body: { offset: 8000, length: 1000, encoding: 0, payload: Buffer.alloc(1000, 0xee) },
      });
      await ch.next();
    });
    assert.ok(isBigsyncError(r.err, 'PROTOCOL_ERROR'), String(r.err));
    assert.deepEqual(r.target, untouched);
  });

  it('SUBHASH_REQUEST for a block that does not exist: PROTOCOL_ERROR', async () => {
    const r = await pullFrom(async (ch) => {
      await ch.send({ type: 'SUBHASH_REQUEST', body: { blocks: [99] } });
      await ch.next();
    });
    assert.ok(isBigsyncError(r.err, 'PROTOCOL_ERROR'), String(r.err));
    assert.deepEqual(r.target, untouched);
  });

  it('a frame claiming 2 GiB: PROTOCOL_ERROR at once, without buffering it', async () => {
    const r = await pullFrom(async (_ch, raw) => {
      raw.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 8, 0, 0, 0]));
      raw.write(Buffer.alloc(1024, 0xee));
      await new Promise((res) => setTimeout(res, 50));
    });
    assert.ok(isBigsyncError(r.err, 'PROTOCOL_ERROR'), String(r.err));
    assert.deepEqual(r.target, untouched);
  });

  it('garbage instead of frames: PROTOCOL_ERROR', async () => {
    const r = await pullFrom(async (_ch, raw) => {
      raw.write(Buffer.from('HTTP/1.1 200 OK\r\n\r\nhello there, not a frame at all'));
      await new Promise((res) => setTimeout(res, 50));
    });
    assert.ok(isBigsyncError(r.err, 'PROTOCOL_ERROR'), String(r.err));
    assert.deepEqual(r.target, untouched);
  });

  it('a truncated DATA frame then hang-up: CONNECTION_LOST, nothing written from it', async () => {
    const r = await pullFrom((ch, raw) => {
      void ch;
      const whole = Buffer.concat([encodeFrameHeader(8, 13 + 100), Buffer.alloc(50, 1)]);
      raw.end(whole);
      return Promise.resolve();
    });
    assert.ok(isBigsyncError(r.err, 'CONNECTION_LOST'), String(r.err));
    assert.deepEqual(r.target, untouched);
  });
});
