/**
 * Differential tests against rdiff (librsync's signature / delta / patch) on the same inputs and
 * block size: for files made by inserting, deleting, moving and duplicating ranges of a seeded
 * 8 MiB file, the rolling match must leave the target byte-identical (as rdiff's patch does) and
 * take no more literal bytes from the source than rdiff's delta carries, give or take one page per
 * edit (rdiff matches at any byte; bigsync extends its matches byte by byte locally too).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { Keystream } from '../../bench/seeded-random.js';
import { syncLocalFile } from '../../src/sync/local-sync.js';
import { deltaTotals } from '../helpers/rdiff-delta.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const MiB = 1024 * 1024;
const haveRdiff = ((): boolean => {
  try {
    execFileSync('rdiff', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

type Edit = (b: Buffer, ks: Keystream) => Buffer;
const insert =
  (at: number, n: number): Edit =>
  (b, ks) =>
    Buffer.concat([b.subarray(0, at), ks.next(n), b.subarray(at)]);
const remove =
  (at: number, n: number): Edit =>
  (b) =>
    Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
const move =
  (from: number, n: number, to: number): Edit =>
  (b) => {
    const piece = Buffer.from(b.subarray(from, from + n));
    const rest = Buffer.concat([b.subarray(0, from), b.subarray(from + n)]);
    return Buffer.concat([rest.subarray(0, to), piece, rest.subarray(to)]);
  };
const duplicate =
  (from: number, n: number, to: number): Edit =>
  (b) =>
    Buffer.concat([b.subarray(0, to), b.subarray(from, from + n), b.subarray(to)]);

const CASES: { name: string; edits: Edit[] }[] = [
  { name: '1 KiB inserted near the start', edits: [insert(12_388, 1024)] },
  { name: '100 KiB deleted in the middle', edits: [remove(4 * MiB + 333, 100 * 1024)] },
  { name: 'a 512 KiB range moved to the front', edits: [move(6 * MiB + 17, 512 * 1024, 1000)] },
  {
    name: 'a range duplicated and bytes inserted',
    edits: [duplicate(MiB, 300_000, 5 * MiB + 7), insert(2 * MiB + 1, 77)],
  },
  {
    name: 'many small edits',
    edits: Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0 ? insert(i * 600_000 + 99, 1 + i * 13) : remove(i * 600_000 + 5, 3 + i * 7),
    ),
  },
];

describe(
  'differential: rolling match vs rdiff',
  { skip: haveRdiff ? false : 'rdiff is not installed' },
  () => {
    const t = tmpDir();
    after(() => t.remove());
    const base = new Keystream('rdiff-differential/base').next(8 * MiB);

    for (const c of CASES) {
      it(c.name, async () => {
        const ks = new Keystream(`rdiff-differential/${c.name}`);
        const src = c.edits.reduce((b, e) => e(b, ks), base);
        const [a, b, sig, delta, patched] = ['old', 'new', 'sig', 'delta', 'patched'].map((n) =>
          t.file(`${c.name}.${n}`),
        ) as [string, string, string, string, string];
        fs.writeFileSync(a, base);
        fs.writeFileSync(b, src);
        for (const bs of [4096, 16_384]) {
          execFileSync('rdiff', ['-f', '-b', String(bs), 'signature', a, sig]);
          execFileSync('rdiff', ['-f', 'delta', sig, b, delta]);
          execFileSync('rdiff', ['-f', 'patch', a, delta, patched]);
          assert.ok(fs.readFileSync(patched).equals(src), 'rdiff itself failed to rebuild');
          const theirs = deltaTotals(fs.readFileSync(delta));
          const dst = t.file(`${c.name}.dst`);
          fs.copyFileSync(a, dst);
          const ours = await syncLocalFile(b, dst, { blockSize: bs, match: 'rolling', jobs: 2 });
          assert.ok(fs.readFileSync(dst).equals(src), 'bigsync did not rebuild the file');
          const slack = 4096 * c.edits.length;
          assert.ok(
            ours.literalBytes <= theirs.literal + slack,
            `block ${bs}: bigsync took ${ours.literalBytes} literal bytes, rdiff ${theirs.literal} (+${slack} allowed)`,
          );
        }
      });
    }
  },
);
