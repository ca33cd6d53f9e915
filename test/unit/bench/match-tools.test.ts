import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exitsZero, measureCommand } from '../../../bench/measure.js';
import { rdiffFiles, rdiffTool } from '../../../bench/rdiff-tool.js';
import { findScenario, SCENARIOS } from '../../../bench/scenarios.js';
import { DEFAULT_SSH_TOOL_NAMES, SSH_TOOL_NAMES, sshTools } from '../../../bench/ssh-tools.js';
import {
  builtinTools,
  DEFAULT_TOOL_NAMES,
  rsyncModeArgs,
  rsyncTool,
  TOOL_NAMES,
  type ToolRun,
} from '../../../bench/tools.js';
import { seededBytes, withTempDir } from '../../helpers/seeded-data.js';

const LAUNCH = { command: ['node', '/pkg/bin/bigsync.js'], args: ['--block-size', '64K'] };

function run(shifted: boolean, extra: Partial<ToolRun> = {}): ToolRun {
  return {
    source: '/w/source.img',
    target: '/w/target.img',
    targetExists: true,
    sparse: false,
    shifted,
    ...extra,
  };
}

/** The flags each scenario prepares, read from a run of prepare() in a throwaway directory. */
async function flagsByScenario(): Promise<Record<string, { shifted: boolean; movedDataTest: boolean }>> {
  return withTempDir(async (dir) => {
    const base = join(dir, 'base.img');
    await writeFile(base, seededBytes('base', 64 * 1024));
    const out: Record<string, { shifted: boolean; movedDataTest: boolean }> = {};
    for (const s of SCENARIOS.filter((x) => !x.name.startsWith('sparse'))) {
      const sub = join(dir, s.name);
      await mkdir(sub);
      const ctx = {
        dir: sub,
        baseImage: base,
        size: 64 * 1024,
        seed: 't',
        sparseSize: 0,
        sparseDataBytes: 0,
      };
      const p = await s.prepare({ ...ctx, changeBlockSize: 16 * 1024 });
      out[s.name] = { shifted: p.shifted, movedDataTest: p.movedDataTest ?? false };
    }
    return out;
  });
}

describe('rsync per scenario', () => {
  it('runs --inplace where blocks change in place and its new-file mode where data moved', () => {
    assert.deepEqual(rsyncModeArgs({ shifted: false }), ['--inplace']);
    assert.deepEqual(rsyncModeArgs({ shifted: true }), []);
    const local = rsyncTool();
    assert.deepEqual(local.command(run(false)).argv, [
      'rsync',
      '--inplace',
      '--no-whole-file',
      '--ignore-times',
      '--stats',
      '/w/source.img',
      '/w/target.img',
    ]);
    assert.deepEqual(local.command(run(true)).argv, [
      'rsync',
      '--no-whole-file',
      '--ignore-times',
      '--stats',
      '/w/source.img',
      '/w/target.img',
    ]);
    const remote = rsyncTool({ rsh: 'ssh -p 22', host: '127.0.0.1', wireBytes: () => null });
    const argv = remote.command(run(true)).argv;
    assert.ok(!argv.includes('--inplace'), 'over ssh too');
    assert.deepEqual(argv.slice(-4), ['-e', 'ssh -p 22', '/w/source.img', '127.0.0.1:/w/target.img']);
  });

  it('only shift is prepared as shifted; shift and worst-case are the moved-data tests', async () => {
    const flags = await flagsByScenario();
    const where = (flag: 'shifted' | 'movedDataTest') =>
      Object.entries(flags)
        .filter(([, v]) => v[flag])
        .map(([k]) => k);
    assert.deepEqual(where('shifted'), ['shift']);
    assert.deepEqual(where('movedDataTest'), ['shift', 'worst-case']);
    assert.equal(findScenario('shift')?.usesBaseImage, true);
    assert.equal(findScenario('worst-case')?.usesBaseImage, false);
  });

  it('prepares worst-case as overwrites of a same-size patterned image, rsync --inplace', async () => {
    const scenario = findScenario('worst-case');
    assert.ok(scenario !== undefined);
    await withTempDir(async (dir) => {
      const size = 256 * 1024;
      const ctx = { dir, baseImage: '', size, seed: 't', sparseSize: 0, sparseDataBytes: 0 };
      const p = await scenario.prepare({ ...ctx, changeBlockSize: 16 * 1024 });
      const target = join(dir, 'target.img');
      await p.makeTarget?.(target);
      const [before, after] = [await readFile(target), await readFile(p.source)];
      assert.deepEqual([before.length, after.length, p.targetSize], [size, size, size]);
      let differing = 0;
      for (let i = 0; i < size; i++) if (before[i] !== after[i]) differing++;
      // Each overwrite is random bytes: one in 256 equals the byte it replaced.
      assert.ok(differing <= p.changedBytes && differing > p.changedBytes * 0.9, `${differing}`);
      assert.ok(p.changedBytes >= 256 && p.changedBytes <= 256 * 64);
      const r = run(p.shifted, { movedDataTest: p.movedDataTest ?? false });
      assert.ok(rsyncTool().command(r).argv.includes('--inplace'));
      assert.equal(rdiffTool().skipFor?.(r), null, 'rdiff still takes part');
    });
  });
});

describe('rdiff', () => {
  it('builds signature -> delta -> patch -> rename as one bash command, with its files beside the target', () => {
    const tool = rdiffTool();
    const f = rdiffFiles('/w/target.img');
    assert.deepEqual(f, {
      signature: '/w/target.img.rdiff-sig',
      delta: '/w/target.img.rdiff-delta',
      result: '/w/target.img.rdiff-new',
    });
    const [bash, c, script, name, ...args] = tool.command(run(true)).argv;
    assert.deepEqual([bash, c, name], ['bash', '-c', 'rdiff']);
    assert.deepEqual(args, ['/w/source.img', '/w/target.img', f.signature, f.delta, f.result]);
    assert.equal(
      script,
      'set -e; rdiff --force signature "$2" "$3"; rdiff --force delta "$3" "$1" "$4"; ' +
        'rdiff --force patch "$2" "$4" "$5"; mv -f "$5" "$2"',
    );
    assert.deepEqual(tool.scratchFiles?.(run(true)), [f.signature, f.delta, f.result]);
  });

  it('takes part only in the moved-data scenarios, shifted or not, and where a target exists', () => {
    const tool = rdiffTool();
    assert.equal(tool.skipFor?.(run(true, { movedDataTest: true })), null);
    assert.equal(tool.skipFor?.(run(false, { movedDataTest: true })), null);
    assert.match(tool.skipFor?.(run(false)) ?? '', /only in the scenarios for moved data/);
    assert.match(tool.skipFor?.(run(true)) ?? '', /only in the scenarios for moved data/);
    const noTarget = run(true, { movedDataTest: true, targetExists: false });
    assert.match(tool.skipFor?.(noTarget) ?? '', /needs a target/);
  });

  it('produces the source and reports the delta size as its bytes written', async (t) => {
    if (!(await exitsZero(['rdiff', '--version']))) return t.skip('rdiff is not installed');
    await withTempDir(async (dir) => {
      const target = join(dir, 'target.img');
      const source = join(dir, 'source.img');
      const old = seededBytes('rdiff-old', 256 * 1024);
      await writeFile(target, old);
      await writeFile(
        source,
        Buffer.concat([old.subarray(0, 5000), seededBytes('x', 1000), old.subarray(5000)]),
      );
      const r = run(true, { source, target });
      const tool = rdiffTool();
      const m = await measureCommand(tool.command(r), 'wall-only');
      assert.equal(m.exitCode, 0, m.stderr);
      assert.deepEqual(await readFile(target), await readFile(source));
      const out = tool.parse?.(m, r);
      assert.equal(out?.bytesWritten, (await stat(rdiffFiles(target).delta)).size);
      assert.ok((out?.bytesWritten ?? 0) < 64 * 1024, `a small delta: ${out?.bytesWritten}`);
      assert.ok(!(await readdir(dir)).includes('target.img.rdiff-new'), 'the new file was renamed');
    });
  });
});

describe('tool names', () => {
  it('offers bigsync-aligned, bigsync-rolling and rdiff; the bigsync-<match> tools only when named', () => {
    assert.deepEqual(TOOL_NAMES, [
      'floor',
      'bigsync',
      'bigsync-aligned',
      'bigsync-rolling',
      'rsync',
      'rdiff',
      'cp',
      'cat',
    ]);
    assert.deepEqual(DEFAULT_TOOL_NAMES, ['floor', 'bigsync', 'rsync', 'rdiff', 'cp', 'cat']);
    assert.ok(SSH_TOOL_NAMES.includes('bigsync-aligned'));
    assert.ok(SSH_TOOL_NAMES.includes('bigsync-rolling'));
    assert.ok(!(SSH_TOOL_NAMES as readonly string[]).includes('rdiff'), 'rdiff has no network mode');
    assert.deepEqual(DEFAULT_SSH_TOOL_NAMES, ['floor-ssh', 'bigsync', 'bigsync-z', 'rsync', 'cat-ssh']);
  });

  it('bigsync-aligned adds --match=aligned after the user arguments, locally and over ssh', () => {
    const local = builtinTools(LAUNCH);
    assert.deepEqual(local['bigsync-aligned'].command(run(false)).argv, [
      'node',
      '/pkg/bin/bigsync.js',
      '--json',
      '--block-size',
      '64K',
      '--match=aligned',
      '/w/source.img',
      '/w/target.img',
    ]);
    assert.ok(!local.bigsync.command(run(true)).argv.some((a) => a.startsWith('--match')));
    const ssh = sshTools({
      bigsync: LAUNCH,
      rsh: ['ssh', '-p', '2222'],
      host: '127.0.0.1',
      remoteCache: '/c',
    });
    const argv = ssh['bigsync-aligned'].command(run(false)).argv;
    assert.equal(ssh['bigsync-aligned'].name, 'bigsync-aligned');
    assert.deepEqual(argv.slice(2, 8), [
      '--json',
      '--block-size',
      '64K',
      '--match=aligned',
      '-e',
      'ssh -p 2222',
    ]);
    assert.ok(!('unsupported' in ssh['bigsync-aligned']), 'only -z can be unsupported');
  });

  it('bigsync-rolling adds --match=rolling after the user arguments, locally and over ssh', () => {
    const local = builtinTools(LAUNCH);
    assert.equal(local['bigsync-rolling'].name, 'bigsync-rolling');
    assert.deepEqual(local['bigsync-rolling'].command(run(false)).argv, [
      'node',
      '/pkg/bin/bigsync.js',
      '--json',
      '--block-size',
      '64K',
      '--match=rolling',
      '/w/source.img',
      '/w/target.img',
    ]);
    const ssh = sshTools({
      bigsync: LAUNCH,
      rsh: ['ssh', '-p', '2222'],
      host: '127.0.0.1',
      remoteCache: '/c',
    });
    const tool = ssh['bigsync-rolling'];
    assert.equal(tool.name, 'bigsync-rolling');
    assert.deepEqual(tool.command(run(true)).argv.slice(2), [
      '--json',
      '--block-size',
      '64K',
      '--match=rolling',
      '-e',
      'ssh -p 2222',
      '/w/source.img',
      '127.0.0.1:/w/target.img',
    ]);
    assert.equal(tool.command(run(true)).env?.BIGSYNC_REMOTE_CACHE, '/c');
    assert.ok(!('unsupported' in tool), 'only -z can be unsupported');
  });
});
