import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectTimer, measureCommand, parseBashTimes, parseGnuTime } from '../../../bench/measure.js';
import { bigsyncEnv, parseBigsyncSummary, parseRsyncLiteral } from '../../../bench/tools.js';
import { withTempDir } from '../../helpers/seeded-data.js';

describe('timer output parsing', () => {
  it('reads the last line of GNU time output, also after a failure line', () => {
    assert.deepEqual(parseGnuTime('Command exited with non-zero status 2\n1.50 1.20 0.30 51200 2048\n'), {
      userSeconds: 1.2,
      sysSeconds: 0.3,
      maxRssBytes: 51200 * 1024,
      fsWriteBytes: 2048 * 512,
    });
    assert.deepEqual(parseGnuTime(''), {});
  });

  it('reads bash times lines and strips them from stderr', () => {
    const r = parseBashTimes('warning: x\n0m0.001s 0m0.002s\n1m2.500s 0m0.250s\n');
    assert.deepEqual(r, { userSeconds: 62.5, sysSeconds: 0.25, stderr: 'warning: x' });
    assert.deepEqual(parseBashTimes('no times here\n'), {});
  });
});

describe('tool output parsing', () => {
  it('reads rsync --stats literal data with thousands separators', () => {
    assert.equal(parseRsyncLiteral('Matched data: 5 bytes\nLiteral data: 10,485,760 bytes\n'), 10485760);
    assert.equal(parseRsyncLiteral('nothing'), null);
  });

  it('reads the last stdout line as bigsync summary only when it is one', () => {
    const line = JSON.stringify({ type: 'summary', bytesWritten: 42 });
    assert.deepEqual(parseBigsyncSummary(`{"type":"progress"}\n${line}\n`), {
      type: 'summary',
      bytesWritten: 42,
    });
    assert.equal(parseBigsyncSummary('{"type":"progress"}\n'), null);
    assert.equal(parseBigsyncSummary('not json'), null);
  });

  it('removes NODE_EXTRA_CA_CERTS from bigsync environment only', () => {
    const env = bigsyncEnv({ NODE_EXTRA_CA_CERTS: '/x.pem', PATH: '/bin' });
    assert.deepEqual(env, { PATH: '/bin' });
  });
});

describe('measureCommand', () => {
  it('reports wall time, exit status, captured stdout and redirected stdout', async () => {
    const timer = await detectTimer();
    const ok = await measureCommand({ argv: ['sh', '-c', 'echo hello; exit 3'] }, timer);
    assert.equal(ok.exitCode, 3);
    assert.equal(ok.stdout, 'hello\n');
    assert.ok(ok.seconds > 0);
    if (timer !== 'wall-only') assert.ok(ok.userSeconds !== null && ok.sysSeconds !== null);
    await withTempDir(async (dir) => {
      const out = join(dir, 'out.txt');
      const r = await measureCommand({ argv: ['echo', 'to file'], stdoutFile: out }, timer);
      assert.equal(r.exitCode, 0);
      assert.equal(await readFile(out, 'utf8'), 'to file\n');
    });
    const missing = await measureCommand({ argv: ['/nonexistent/tool'] }, 'wall-only');
    assert.equal(missing.exitCode, null);
  });
});
