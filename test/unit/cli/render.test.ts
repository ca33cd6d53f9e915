import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonReporter } from '../../../src/cli/render/json-lines.js';
import { progressReporter, progressText } from '../../../src/cli/render/progress-line.js';
import type { Progress } from '../../../src/sync/reporter.js';

const GiB = 1024 ** 3;
const p = (done: number): Progress => ({
  bytesDone: done,
  bytesTotal: 4 * GiB,
  bytesWritten: 1024,
  changedBlocks: 1,
  wireBytesSent: 0,
  wireBytesReceived: 0,
});

describe('progress rendering', () => {
  it('shows bytes, percent, rate and ETA', () => {
    const text = progressText(p(GiB), 2);
    assert.match(text, /^1\.00 GiB \/ 4\.00 GiB +25% +512\.0 MiB\/s +ETA 6\.00s/);
  });

  it('redraws in place on a TTY and throttles', () => {
    let out = '';
    let now = 0;
    const r = progressReporter({
      write: (s) => (out += s),
      tty: true,
      columns: 120,
      intervalMs: 100,
      now: () => now,
    });
    r.start?.({ source: 'a', target: 'b', size: 4 * GiB, blockSize: 1, dryRun: false });
    now = 1000;
    r.progress?.(p(GiB));
    now = 1050;
    r.progress?.(p(2 * GiB));
    assert.equal(out.split('\r').length - 1, 1, 'throttled to one draw');
    r.end();
    assert.match(out, /\r\[#+-+\] 2\.00 GiB/);
    assert.ok(out.endsWith('\n'));
  });

  it('prints plain lines when not a TTY', () => {
    let out = '';
    let now = 0;
    const r = progressReporter({ write: (s) => (out += s), tty: false, intervalMs: 5000, now: () => now });
    now = 6000;
    r.progress?.(p(GiB));
    r.end();
    assert.equal(out.includes('\r'), false);
    assert.equal(out.trim().split('\n').length, 2);
  });

  it('emits NDJSON progress events, throttled, always the last one', () => {
    const lines: string[] = [];
    let now = 0;
    const r = jsonReporter(
      (l) => lines.push(l),
      250,
      () => now,
    );
    r.progress?.(p(1));
    now = 100;
    r.progress?.(p(2));
    r.progress?.(p(4 * GiB));
    const events = lines.map((l) => JSON.parse(l) as Progress & { type: string });
    assert.deepEqual(
      events.map((e) => e.bytesDone),
      [1, 4 * GiB],
    );
    assert.ok(events.every((e) => e.type === 'progress'));
  });
});
