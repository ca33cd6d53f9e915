import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Measurement } from '../../../bench/measure.js';
import {
  parseBigsyncError,
  parseRsyncWireBytes,
  shellQuote,
  zstdUnsupported,
} from '../../../bench/ssh-tools.js';
import { parseChildCpuSeconds, parseWriteBytes } from '../../../bench/sshd-accounting.js';

/** rsync 3.5.0 --stats of a push over ssh (a 64 MiB file, one 1 MiB block changed). */
const RSYNC_STATS = `
Number of files: 1 (reg: 1)
Number of created files: 0
Number of deleted files: 0
Number of regular files transferred: 1
Total file size: 67,108,864 bytes
Total transferred file size: 67,108,864 bytes
Literal data: 524,288 bytes
Matched data: 66,584,576 bytes
File list size: 0
File list generation time: 0.001 seconds
File list transfer time: 0.000 seconds
Total bytes sent: 565,204
Total bytes received: 57,379

sent 565,204 bytes  received 57,379 bytes  415,055.33 bytes/sec
total size is 67,108,864  speedup is 107.79
`;

function measurement(exitCode: number, stdout: string): Measurement {
  return {
    seconds: 1,
    userSeconds: null,
    sysSeconds: null,
    maxRssBytes: null,
    fsWriteBytes: null,
    exitCode,
    signal: null,
    stdout,
    stderr: '',
  };
}

const ZSTD_ERROR =
  '{"type":"error","code":"USAGE","message":"-z/--compress needs zstd on both sides (Node >= 22.15); this pair of Node versions has none","exitCode":2,"details":{}}\n';

describe('rsync --stats wire bytes', () => {
  it('reads Total bytes sent and received, with thousands separators', () => {
    assert.deepEqual(parseRsyncWireBytes(RSYNC_STATS), { sent: 565_204, received: 57_379 });
  });

  it('reads small numbers without separators and ignores the summary line', () => {
    assert.deepEqual(parseRsyncWireBytes('Total bytes sent: 98\nTotal bytes received: 35\n'), {
      sent: 98,
      received: 35,
    });
  });

  it('is null when either count is missing', () => {
    assert.equal(parseRsyncWireBytes('Total bytes sent: 98\n'), null);
    assert.equal(parseRsyncWireBytes('sent 565,204 bytes  received 57,379 bytes'), null);
    assert.equal(parseRsyncWireBytes(''), null);
  });
});

describe('bigsync -z unsupported', () => {
  it('reads a USAGE error about zstd with exit 2 as unsupported, with its message', () => {
    const m = measurement(2, `{"type":"start"}\n${ZSTD_ERROR}`);
    assert.match(zstdUnsupported(m) ?? '', /needs zstd on both sides/);
    assert.deepEqual(parseBigsyncError(ZSTD_ERROR)?.code, 'USAGE');
  });

  it('treats any other failure as a failure', () => {
    assert.equal(zstdUnsupported(measurement(1, ZSTD_ERROR)), null, 'another exit code');
    const otherUsage = '{"type":"error","code":"USAGE","message":"bad block size","exitCode":2}';
    assert.equal(zstdUnsupported(measurement(2, otherUsage)), null, 'a USAGE error not about zstd');
    const ssh = '{"type":"error","code":"SSH_FAILED","message":"zstd host unreachable","exitCode":12}';
    assert.equal(zstdUnsupported(measurement(2, ssh)), null, 'another code');
    assert.equal(zstdUnsupported(measurement(2, 'not json')), null);
  });
});

describe('sshd /proc counters', () => {
  it('reads cutime + cstime after a command name with spaces and parentheses', () => {
    const stat =
      '4242 (sshd: (x) y) S 1 4242 4242 0 -1 4194624 900 52000 0 12 5 7 1234 567 20 0 1 0 317323 5124096 943';
    assert.equal(parseChildCpuSeconds(stat), (1234 + 567) / 100);
    assert.equal(parseChildCpuSeconds('4242 (sshd) S 1 2 3'), null);
  });

  it('reads write_bytes from /proc/PID/io', () => {
    const io =
      'rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 1\nread_bytes: 0\nwrite_bytes: 1056768\ncancelled_write_bytes: 0\n';
    assert.equal(parseWriteBytes(io), 1_056_768);
    assert.equal(parseWriteBytes('rchar: 1\n'), null);
  });
});

describe('shellQuote', () => {
  it('single-quotes for the remote shell, also a path holding a quote', () => {
    assert.equal(shellQuote('/tmp/a b/t.img'), `'/tmp/a b/t.img'`);
    assert.equal(shellQuote("/tmp/it's"), `'/tmp/it'\\''s'`);
  });
});
