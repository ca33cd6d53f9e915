import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BENCH_USAGE, parseBenchArgs } from '../../../bench/harness.js';
import { isBigsyncError } from '../../../src/errors.js';

describe('parseBenchArgs', () => {
  it('returns no fields for no arguments (runBench applies the defaults)', () => {
    assert.deepEqual(parseBenchArgs([]), {});
  });

  it('parses sizes with suffixes, repeatable scenarios, a tool list and flags', () => {
    const o = parseBenchArgs([
      '--size',
      '2G',
      '--seed',
      's1',
      '--scenario',
      'identical',
      '--scenario',
      'sparse',
      '--tools',
      'floor,bigsync, cp',
      '--repeat',
      '3',
      '--work-dir',
      '/w',
      '--keep',
      '--json-out',
      'r.json',
      '--sparse-size',
      '8G',
      '--sparse-data',
      '64M',
    ]);
    assert.deepEqual(o, {
      size: 2 * 1024 ** 3,
      sparseSize: 8 * 1024 ** 3,
      sparseDataBytes: 64 * 1024 ** 2,
      seed: 's1',
      scenarios: ['identical', 'sparse'],
      tools: ['floor', 'bigsync', 'cp'],
      repeat: 3,
      workDir: '/w',
      keep: true,
      jsonOut: 'r.json',
    });
  });

  it('--quick picks small sizes unless sizes are given', () => {
    assert.deepEqual(parseBenchArgs(['--quick']), {
      size: 64 << 20,
      sparseSize: 1 << 30,
      sparseDataBytes: 16 << 20,
    });
    assert.equal(parseBenchArgs(['--quick', '--size', '8M']).size, 8 << 20);
  });

  it('reports -h/--help instead of options', () => {
    assert.deepEqual(parseBenchArgs(['--size', '1G', '--help']), { help: true });
    assert.deepEqual(parseBenchArgs(['-h']), { help: true });
    assert.match(BENCH_USAGE, /--ssh /);
    assert.match(BENCH_USAGE, /floor-ssh, bigsync, bigsync-z, rsync, cat-ssh/);
    assert.match(BENCH_USAGE, /default floor, bigsync, rsync, rdiff, cp, cat;/);
    assert.match(BENCH_USAGE, /bigsync-aligned\s+\(bigsync --match=aligned\)/);
    assert.match(BENCH_USAGE, /Scenarios: .*, shift, worst-case/);
  });

  it('takes bigsync-aligned and rdiff by name, and the shift and worst-case scenarios', () => {
    const o = parseBenchArgs(['--tools', 'bigsync,bigsync-aligned,rsync,rdiff', '--scenario', 'shift']);
    assert.deepEqual(o.tools, ['bigsync', 'bigsync-aligned', 'rsync', 'rdiff']);
    assert.deepEqual(parseBenchArgs(['--scenario', 'worst-case']).scenarios, ['worst-case']);
    assert.deepEqual(parseBenchArgs(['--ssh', '--tools', 'bigsync,bigsync-aligned']).tools, [
      'bigsync',
      'bigsync-aligned',
    ]);
  });

  it('passes arguments after -- to bigsync', () => {
    assert.deepEqual(parseBenchArgs(['--', '--block-size', '64K']).bigsyncArgs, ['--block-size', '64K']);
  });

  it('--ssh takes the SSH tool names and defaults the results file to the -ssh.json name', () => {
    const o = parseBenchArgs([
      '--ssh',
      '--quick',
      '--scenario',
      'changed-1pct',
      '--tools',
      'floor-ssh,bigsync,bigsync-z,rsync,cat-ssh',
    ]);
    assert.equal(o.ssh, true);
    assert.equal(o.size, 64 << 20);
    assert.deepEqual(o.scenarios, ['changed-1pct']);
    assert.deepEqual(o.tools, ['floor-ssh', 'bigsync', 'bigsync-z', 'rsync', 'cat-ssh']);
    assert.match(o.jsonOut ?? '', /bench\/results\/\d{4}-\d\d-\d\d-[\w-]+-ssh\.json$/);
    assert.equal(parseBenchArgs(['--ssh', '--json-out', 'x.json']).jsonOut, 'x.json');
    assert.equal(parseBenchArgs(['--size', '4G', '--ssh']).size, 4 * 1024 ** 3);
  });

  it('rejects bad input with stable codes', () => {
    const code = (argv: string[]) => {
      try {
        parseBenchArgs(argv);
        return 'none';
      } catch (err) {
        return isBigsyncError(err) ? err.code : 'other';
      }
    };
    assert.equal(code(['--nope']), 'USAGE');
    assert.equal(code(['stray']), 'USAGE');
    assert.equal(code(['--scenario', 'nope']), 'USAGE');
    assert.equal(code(['--tools', 'floor,scp']), 'USAGE');
    assert.equal(code(['--tools', 'cat-ssh']), 'USAGE'); // an SSH tool without --ssh
    assert.equal(code(['--ssh', '--tools', 'cp']), 'USAGE'); // a local tool with --ssh
    assert.equal(code(['--ssh', '--tools', 'rdiff']), 'USAGE'); // rdiff has no network mode
    assert.equal(code(['--repeat', '0']), 'USAGE');
    assert.equal(code(['--size', '12X']), 'BAD_SIZE');
  });
});
