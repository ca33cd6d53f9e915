import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { isBigsyncError } from '../../../src/errors.js';
import { FrameChannel } from '../../../src/protocol/frame-channel.js';

const MSG = { type: 'SUBHASH_REQUEST', body: { blocks: [1, 2, 3] } } as const;

/** Fails the test instead of hanging when `p` never settles. */
async function settles<T>(p: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('FrameChannel.send on a cut connection', () => {
  it('rejects with CONNECTION_LOST when the output was destroyed before (Ctrl-C cuts the streams)', async () => {
    const output = new PassThrough({ highWaterMark: 1 });
    const ch = new FrameChannel(new PassThrough(), output, { peer: 'remote side' });
    output.destroy();
    await new Promise((resolve) => setImmediate(resolve)); // its 'close' has been emitted
    await assert.rejects(settles(ch.send(MSG)), (e: unknown) => isBigsyncError(e, 'CONNECTION_LOST'));
  });

  it('rejects with CONNECTION_LOST when the output is destroyed while it waits for drain', async () => {
    const output = new PassThrough({ highWaterMark: 1 });
    const ch = new FrameChannel(new PassThrough(), output, { peer: 'remote side' });
    const sent = ch.send(MSG); // nobody reads: the write is over the high-water mark
    output.destroy();
    await assert.rejects(settles(sent), (e: unknown) => isBigsyncError(e, 'CONNECTION_LOST'));
  });
});

describe('FrameChannel watch (BIGSYNC_TRACE=2)', () => {
  it('is told of each message in and out, and of a wait for drain', async () => {
    const events: string[] = [];
    const link = new PassThrough({ highWaterMark: 1 });
    const a = new FrameChannel(new PassThrough(), link, { watch: (e) => events.push(`a ${e}`) });
    const sent = a.send(MSG); // nobody reads the link yet: the write pushes back
    const b = new FrameChannel(link, new PassThrough(), { watch: (e) => events.push(`b ${e}`) });
    assert.deepEqual(await settles(b.next()), MSG);
    await settles(sent);
    assert.match(events[0] ?? '', /^a out SUBHASH_REQUEST \d+$/);
    assert.ok(events.includes('a blocked') && events.includes('a drained'), events.join(', '));
    assert.ok(events.includes('b in SUBHASH_REQUEST q=0'), events.join(', '));
  });
});

describe('FrameChannel flow control', () => {
  it('two peers sending to each other before reading do not wait on each other', async () => {
    const ab = new PassThrough({ highWaterMark: 1024 });
    const ba = new PassThrough({ highWaterMark: 1024 });
    const a = new FrameChannel(ba, ab);
    const b = new FrameChannel(ab, ba);
    const N = 300; // well past the 64 frames at which an idle reader pauses its input
    const sendAll = async (ch: FrameChannel): Promise<void> => {
      for (let i = 0; i < N; i++) await ch.send(MSG);
    };
    await settles(Promise.all([sendAll(a), sendAll(b)]), 5000);
    for (const ch of [a, b]) for (let i = 0; i < N; i++) assert.deepEqual(await settles(ch.next()), MSG);
  });
});
