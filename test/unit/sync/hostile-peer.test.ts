/**
 * A hostile or broken server, played by the test over in-memory streams against the real client:
 * out-of-range DATA, unrequested SUBHASHES, garbage bytes, an oversized frame. Each ends the
 * session with PROTOCOL_ERROR, and nothing from a bad frame reaches the target.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { FileDigest, gmac } from '../../../src/core/block-hash.js';
import { encodeFrameHeader } from '../../../src/format/frame.js';
import { CAP_ROLLING, HASH_SHA256, RESULT_OK } from '../../../src/format/wire-constants.js';
import { isBigsyncError } from '../../../src/errors.js';
import { FrameChannel } from '../../../src/protocol/frame-channel.js';
import { serverHandshake } from '../../../src/protocol/handshake.js';
import { syncRemote } from '../../../src/sync/remote-sync.js';
import type { Connection, Transport } from '../../../src/transport/connection.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

type Script = (ch: FrameChannel, raw: PassThrough, key: Buffer) => Promise<void>;

/**
 * A transport whose server is `script`, after a normal handshake (offering `caps`), OPEN and
 * FILE_INFO exchange; the script gets the session's hash key from OPEN.
 */
function hostile(size: number, script: Script, caps = 0n): Transport {
  return {
    open(): Promise<Connection> {
      const up = new PassThrough();
      const down = new PassThrough();
      const ch = new FrameChannel(up, down, { peer: 'client' });
      const run = (async () => {
        await serverHandshake(ch, caps);
        const open = await ch.next();
        if (open.type !== 'OPEN' || open.body.hashKey === undefined) throw new Error('no OPEN');
        const key = open.body.hashKey;
        await ch.send({ type: 'FILE_INFO', body: { size, blockSize: 4096, kind: 1 } });
        await ch.next(); // FILE_INFO
        ch.decodeOptions = { hashLen: 16, blockSize: 4096 };
        await script(ch, down, key);
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

  async function pullFrom(
    script: Script,
    initial = Buffer.alloc(8192, 0x11),
    caps = 0n,
  ): Promise<{ err: unknown; target: Buffer }> {
    const dst = t.file(`t${n++}`);
    fs.writeFileSync(dst, initial);
    let err: unknown = null;
    try {
      await syncRemote({
        direction: 'pull',
        localPath: dst,
        remotePath: '/x',
        remoteLabel: 'evil:/x',
        transport: hostile(8192, script, caps),
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

  // target blocks A and B; the server moves B over A (COPY) and claims a source digest
  const A = Buffer.alloc(4096, 0x11);
  const B = Buffer.alloc(4096, 0x22);
  const digestOf = (key: Buffer, blocks: Buffer[]): Buffer => {
    const d = new FileDigest();
    for (const b of blocks) d.add(gmac(key, b));
    return d.digest();
  };
  const copyThenDone = (claimed: Buffer[]): Script => {
    return async (ch, _raw, key) => {
      await ch.send({ type: 'COPY', body: { from: 4096, to: 0, length: 4096 } });
      await ch.send({ type: 'DONE', body: { algorithm: HASH_SHA256, digest: digestOf(key, claimed) } });
      for (let m = await ch.next(); ; m = await ch.next()) {
        if (m.type !== 'RESULT') continue;
        if (m.body.status === RESULT_OK)
          await ch.send({ type: 'RESULT', body: { status: RESULT_OK, stats: {} } });
        return;
      }
    };
  };

  it('a COPY whose result is not the source the digest stands for: VERIFY_FAILED', async () => {
    const r = await pullFrom(copyThenDone([A, A]), Buffer.concat([A, B]), CAP_ROLLING);
    assert.ok(isBigsyncError(r.err, 'VERIFY_FAILED'), String(r.err));
  });

  it('a COPY whose result is the source: verified (blocks hashed as they were moved)', async () => {
    const r = await pullFrom(copyThenDone([B, B]), Buffer.concat([A, B]), CAP_ROLLING);
    assert.equal(r.err, null, String(r.err));
    assert.deepEqual(r.target, Buffer.concat([B, B]));
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
