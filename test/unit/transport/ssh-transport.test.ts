/**
 * The SSH transport's open/upload/retry logic without a network: a pseudo-ssh script stands in
 * for ssh and runs the remote command with the local /bin/sh (as casync tests SSH).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { isBigsyncError, type ErrorCode } from '../../../src/errors.js';
import { sshTransport, type SshTransportOptions } from '../../../src/transport/ssh-transport.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const t = tmpDir('bigsync-pseudo-ssh-');
after(() => t.remove());
const bundle = t.file('bundle.mjs');
fs.writeFileSync(bundle, 'process.stdin.pipe(process.stdout);\n');
let n = 0;

/** A pseudo-ssh: logs its argv, runs `pre`, then the remote command with /bin/sh. */
function pseudoSsh(pre = ''): { rsh: string[]; log: string } {
  const log = t.file(`log${n}`);
  const file = t.file(`pseudo-ssh${n++}`);
  const body = `#!/bin/sh\necho "$*" >> ${log}\n${pre}\nwhile [ "$1" != "--" ]; do shift; done\nexec /bin/sh -c "$3"\n`;
  fs.writeFileSync(file, body, { mode: 0o755 });
  return { rsh: [file, '-x'], log };
}

function options(rsh: string[], extra: Partial<SshTransportOptions> = {}): SshTransportOptions {
  return {
    host: 'box',
    rsh,
    bundlePath: bundle,
    version: '1.0.0',
    cacheDir: t.file(`cache${n++}`),
    ...extra,
  };
}

function code(c: ErrorCode) {
  return (e: unknown) => isBigsyncError(e, c);
}

function calls(log: string): string[] {
  return fs.readFileSync(log, 'utf8').trim().split('\n');
}

describe('sshTransport with a pseudo-ssh', () => {
  it('uploads when needed, retries once, and passes -l USER -- HOST', async () => {
    const { rsh, log } = pseudoSsh();
    const conn = await sshTransport(options(rsh, { user: 'alice' })).open();
    const back = new Promise<string>((resolve) => {
      let text = '';
      conn.input.on('data', (d: Buffer) => (text += d.toString()));
      conn.input.on('end', () => resolve(text));
    });
    conn.output.end('ping');
    assert.equal(await back, 'ping');
    await conn.close();
    const argv = calls(log);
    assert.equal(argv.length, 3); // session (needs bundle), upload, session
    for (const line of argv) assert.ok(line.startsWith("-x -l alice -- box sh -c '"), line);
  });

  it('an ssh exit of 255 is SSH_FAILED with its last line', async () => {
    const { rsh } = pseudoSsh('echo "debug noise" >&2; echo "box: Connection refused" >&2; exit 255');
    await assert.rejects(sshTransport(options(rsh)).open(), (e: unknown) => {
      assert.ok(isBigsyncError(e, 'SSH_FAILED'));
      assert.equal(e.message, 'ssh to box failed: box: Connection refused');
      return true;
    });
  });

  it('a remote shell that cannot be started is SSH_FAILED', async () => {
    await assert.rejects(sshTransport(options(['/no/such/ssh'])).open(), code('SSH_FAILED'));
  });

  it('an upload that does not take is REMOTE_FAILED after one retry', async () => {
    const { rsh, log } = pseudoSsh('case "$*" in *umask*) cat > /dev/null; exit 0;; esac');
    await assert.rejects(sshTransport(options(rsh)).open(), code('REMOTE_FAILED'));
    assert.equal(calls(log).length, 3);
  });

  it('a failed upload is REMOTE_FAILED with the remote message', async () => {
    const { rsh } = pseudoSsh('case "$*" in *umask*) echo "mkdir: Read-only file system" >&2; exit 1;; esac');
    await assert.rejects(sshTransport(options(rsh)).open(), (e: unknown) => {
      assert.ok(isBigsyncError(e, 'REMOTE_FAILED'));
      assert.match(e.message, /uploading the bigsync bundle to box failed: mkdir: Read-only file system/);
      return true;
    });
  });

  it('too much login-shell output is REMOTE_FAILED', async () => {
    const { rsh } = pseudoSsh('head -c 100000 /dev/zero');
    await assert.rejects(sshTransport(options(rsh)).open(), (e: unknown) => {
      assert.ok(isBigsyncError(e, 'REMOTE_FAILED'));
      assert.match(e.message, /printed more than 65536 bytes/);
      return true;
    });
  });

  it('an abort while connecting is INTERRUPTED and kills the remote shell', async () => {
    const { rsh } = pseudoSsh('exec sleep 30');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await assert.rejects(sshTransport(options(rsh)).open(ac.signal), code('INTERRUPTED'));
    assert.ok(Date.now() - t0 < 5000);
    await assert.rejects(sshTransport(options(rsh)).open(AbortSignal.abort()), code('INTERRUPTED'));
  });

  it('a missing bundle is IO_ERROR', async () => {
    const { rsh } = pseudoSsh();
    await assert.rejects(
      sshTransport(options(rsh, { bundlePath: t.file('none.mjs') })).open(),
      code('IO_ERROR'),
    );
  });

  it('refuses bad options before spawning', () => {
    const { rsh, log } = pseudoSsh();
    const bad: Partial<SshTransportOptions>[] = [
      { host: '-oProxyCommand=x' },
      { host: '' },
      { user: 'a@b' },
      { remotePath: "/it's" },
      { remotePath: '/a\nb' },
      { cacheDir: 'rel' },
      { cacheDir: '/a b' },
      { rsh: [] },
    ];
    for (const b of bad)
      assert.throws(() => sshTransport(options(rsh, b)), code('BAD_LOCATION'), JSON.stringify(b));
    assert.equal(fs.existsSync(log), false);
  });
});
