/**
 * The SSH transport against a real OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts): data
 * round trips, the bundle upload and its cache, ssh and bootstrap failures, a refused host, and
 * a remote killed mid-stream. Skips when sshd cannot run here (not root, no openssh-server).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isBigsyncError } from '../../src/errors.js';
import type { Connection } from '../../src/transport/connection.js';
import {
  sshTransport,
  type SshTransportOptions,
  type TransportStatus,
} from '../../src/transport/ssh-transport.js';
import { sshdSkipReason, startSshd, type SshdFixture } from '../helpers/sshd.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const skip = sshdSkipReason();

async function readAll(input: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Sends `data` and reads until the peer closes; the peer must echo. */
async function echoed(conn: Connection, data: Buffer): Promise<Buffer> {
  const back = readAll(conn.input);
  conn.output.end(data);
  return back;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

describe('ssh transport (real sshd)', { skip: skip ?? false }, () => {
  let sshd: SshdFixture;
  const t = tmpDir('bigsync-ssh-');
  const bundle = t.file('fake-bundle.mjs');
  const catServer = t.file('cat-server.sh');
  const pidFile = t.file('server.pid');
  let n = 0;

  /** A remote shell that runs the remote command under PATH=<dir with `tools`> (and `pre` first). */
  function wrappedRsh(tools: Record<string, string>, pre = ''): string[] {
    const dir = t.file(`bin${n++}`);
    fs.mkdirSync(dir);
    for (const [name, target] of Object.entries({ sh: '/bin/sh', ...tools })) {
      if (target.startsWith('/')) fs.symlinkSync(target, path.join(dir, name));
      else fs.writeFileSync(path.join(dir, name), target, { mode: 0o755 });
    }
    const wrapper = t.file(`rsh${n++}.bash`);
    const body = `#!/bin/bash\nlast="\${!#}"\nexec ssh "\${@:1:$#-1}" "${pre}PATH=${dir} exec /bin/$last"\n`;
    fs.writeFileSync(wrapper, body, { mode: 0o755 });
    return [wrapper, ...sshd.rsh.slice(1)];
  }

  function options(extra: Partial<SshTransportOptions> = {}): SshTransportOptions {
    return { host: sshd.host, rsh: sshd.rsh, bundlePath: bundle, version: '0.2.0-test', ...extra };
  }

  before(async () => {
    sshd = await startSshd();
    fs.writeFileSync(bundle, 'process.stdin.pipe(process.stdout);\n');
    fs.writeFileSync(catServer, `#!/bin/sh\necho $$ > ${pidFile}\nexec cat\n`, { mode: 0o755 });
  });
  after(async () => {
    await sshd?.stop();
    t.remove();
  });

  it('(a) round-trips 5 MiB through a remote command', async () => {
    const conn = await sshTransport(options({ remotePath: catServer, user: sshd.user })).open();
    const data = randomBytes(5 * MiB);
    const back = await withTimeout(echoed(conn, data), 30_000, 'round trip');
    assert.ok(back.equals(data), `got ${back.length} bytes back`);
    await conn.close();
    assert.equal((await conn.exited).code, 0);
  });

  it('(b) uploads the bundle once, mode 0600, then runs it from the cache', async () => {
    const cacheDir = t.file('cache');
    const rsh = wrappedRsh({
      node: process.execPath,
      mkdir: '/bin/mkdir',
      cat: '/bin/cat',
      wc: '/usr/bin/wc',
      mv: '/bin/mv',
      rm: '/bin/rm',
    });
    const uploads: TransportStatus[] = [];
    const transport = sshTransport(options({ rsh, cacheDir, onStatus: (s) => uploads.push(s) }));
    const first = await transport.open();
    assert.deepEqual(uploads, [{ kind: 'bundle-upload', host: sshd.host, bytes: fs.statSync(bundle).size }]);
    const files = fs.readdirSync(cacheDir);
    assert.equal(files.length, 1);
    assert.match(files[0] ?? '', /^bigsync-0\.2\.0-test-[0-9a-f]{16}\.mjs$/);
    const cached = path.join(cacheDir, files[0] ?? '');
    const stat = fs.statSync(cached);
    assert.equal(stat.mode & 0o777, 0o600);
    assert.equal((await echoed(first, Buffer.from('hello'))).toString(), 'hello');
    await first.close();

    const again = await sshTransport(options({ rsh, cacheDir, onStatus: (s) => uploads.push(s) })).open();
    assert.equal(uploads.length, 1, 'no second upload');
    assert.equal(fs.statSync(cached).mtimeMs, stat.mtimeMs);
    assert.equal((await echoed(again, Buffer.from('again'))).toString(), 'again');
    await again.close();
  });

  it('skips what a chatty login shell prints before bigsync starts', async () => {
    const rsh = wrappedRsh(
      { node: process.execPath, cat: '/bin/cat' },
      'echo Welcome; echo bigsync-bootstrap: read; ',
    );
    const conn = await sshTransport(options({ rsh, remotePath: catServer })).open();
    assert.equal((await echoed(conn, Buffer.from('clean'))).toString(), 'clean');
    await conn.close();
  });

  it("(c) an unauthorized key is SSH_FAILED with ssh's reason", async () => {
    const key = t.file('stranger_key');
    sshd.keygen(key);
    await assert.rejects(
      sshTransport(options({ rsh: sshd.rshFor(key), remotePath: catServer })).open(),
      (e: unknown) => {
        assert.ok(isBigsyncError(e, 'SSH_FAILED'), String(e));
        assert.match(e.message, /^ssh to 127\.0\.0\.1 failed: .*Permission denied/);
        return true;
      },
    );
  });

  it('(d) a remote host without node is REMOTE_NODE_MISSING', async () => {
    await assert.rejects(sshTransport(options({ rsh: wrappedRsh({}) })).open(), (e: unknown) => {
      assert.ok(isBigsyncError(e, 'REMOTE_NODE_MISSING'), String(e));
      assert.equal(e.message, 'node not found on 127.0.0.1');
      return true;
    });
    const oldNode = wrappedRsh({ node: '#!/bin/sh\necho v18.20.4\n' });
    await assert.rejects(sshTransport(options({ rsh: oldNode })).open(), (e: unknown) => {
      assert.ok(isBigsyncError(e, 'REMOTE_NODE_MISSING'), String(e));
      assert.equal(e.message, 'node v18.20.4 on 127.0.0.1 is older than 20');
      return true;
    });
  });

  it('(e) a host or user starting with "-" is refused before anything runs', () => {
    const canary = t.file('canary');
    const rsh = ['sh', '-c', `touch ${canary}`, 'rsh'];
    for (const bad of [{ host: '-oProxyCommand=touch x' }, { user: '-oProxyCommand=x' }, { host: 'a b' }]) {
      assert.throws(
        () => sshTransport(options({ rsh, ...bad })),
        (e: unknown) => isBigsyncError(e, 'BAD_LOCATION'),
        JSON.stringify(bad),
      );
    }
    assert.equal(fs.existsSync(canary), false);
  });

  it('(f) a remote killed mid-stream ends input and resolves exited', async () => {
    const conn = await sshTransport(options({ remotePath: catServer })).open();
    const first = await new Promise<Buffer>((resolve) => {
      conn.input.once('data', resolve);
      conn.output.write(randomBytes(64 * 1024));
    });
    assert.ok(first.length > 0);
    const rest = readAll(conn.input);
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    conn.output.write(randomBytes(MiB));
    await withTimeout(rest, 10_000, 'input end');
    const exit = await withTimeout(conn.exited, 10_000, 'exited');
    assert.notEqual(exit.code, 0);
    await conn.close();
  });

  it('an abort during the session kills ssh', async () => {
    const ac = new AbortController();
    const conn = await sshTransport(options({ remotePath: catServer })).open(ac.signal);
    const rest = readAll(conn.input);
    ac.abort();
    const exit = await withTimeout(conn.exited, 10_000, 'exited');
    assert.ok(exit.signal === 'SIGTERM' || exit.code === 255, JSON.stringify(exit)); // ssh exits 255 on SIGTERM
    await rest;
  });
});
