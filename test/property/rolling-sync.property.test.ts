/**
 * Property: for a target and a source made from it by random insertions, deletions, moves and
 * duplications (with repeated blocks and zero runs), any block size and every match mode, a sync
 * leaves the target byte-identical to the source, locally and over the protocol (client and
 * server in one process), and the summary's moved and literal bytes add up. fast-check, seeded
 * per run (FC_SEED / FC_RUNS env to reproduce or widen).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { syncLocalFile } from '../../src/sync/local-sync.js';
import { syncRemote } from '../../src/sync/remote-sync.js';
import type { MatchMode } from '../../src/sync/summary.js';
import { blockSizes, editedPair, FC_SEED, fcRuns } from '../helpers/file-pairs.js';
import { memoryTransport } from '../helpers/memory-transport.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const RUNS = fcRuns(50);
const modes = fc.constantFrom<MatchMode>('auto', 'rolling', 'aligned');

describe('rolling match properties', () => {
  const t = tmpDir();
  after(() => t.remove());
  let n = 0;

  it('local: the target ends byte-identical to the source, in every match mode', async () => {
    await fc.assert(
      fc.asyncProperty(editedPair, blockSizes, modes, async ([a, b], bs, match) => {
        const src = t.file(`a${n}`);
        const dst = t.file(`b${n++}`);
        fs.writeFileSync(src, a);
        fs.writeFileSync(dst, b);
        const dry = await syncLocalFile(src, dst, { blockSize: bs, jobs: 1, match, dryRun: true });
        assert.ok(fs.readFileSync(dst).equals(b), 'the dry run changed the target');
        const s = await syncLocalFile(src, dst, { blockSize: bs, jobs: 1, match });
        assert.ok(fs.readFileSync(dst).equals(a), 'target differs from source');
        assert.ok(s.verified);
        assert.equal(dry.movedBytes, s.movedBytes, 'the dry run predicts the moves');
        assert.equal(dry.literalBytes, s.literalBytes, 'the dry run predicts the literal bytes');
        if (match === 'aligned') assert.equal(s.movedBytes, 0);
        assert.equal(
          s.match,
          match === 'rolling' || (match === 'auto' && a.length !== b.length && b.length > 0)
            ? 'rolling'
            : 'aligned',
        );
        fs.rmSync(src);
        fs.rmSync(dst);
      }),
      { numRuns: RUNS, seed: FC_SEED },
    );
  });

  it('regression: the block holding the old end of a grown target is sent whole, zero pages too', async () => {
    // found by remote-sync.property (seed 812632620): an appended block was sent as if the
    // target held only zeros there, leaving the target's old byte 0 in place
    const src = t.file(`grown-src${n}`);
    const dst = t.file(`grown-dst${n++}`);
    const a = Buffer.alloc(4097);
    a[4096] = 1;
    fs.writeFileSync(src, a);
    fs.writeFileSync(dst, Buffer.of(1));
    const s = await syncRemote({
      direction: 'push',
      localPath: src,
      remotePath: dst,
      remoteLabel: `mem:${dst}`,
      transport: memoryTransport(),
      blockSize: 8192,
      software: 'test',
    });
    assert.ok(fs.readFileSync(dst).equals(a));
    assert.equal(s.verified, true);
  });

  it('remote: push and pull end byte-identical, with moves sent as COPY', async () => {
    await fc.assert(
      fc.asyncProperty(
        editedPair,
        blockSizes,
        modes,
        fc.constantFrom<'push' | 'pull'>('push', 'pull'),
        async ([a, b], bs, match, direction) => {
          const src = t.file(`a${n}`);
          const dst = t.file(`b${n++}`);
          fs.writeFileSync(src, a);
          fs.writeFileSync(dst, b);
          const local = direction === 'push' ? src : dst;
          const remote = direction === 'push' ? dst : src;
          const s = await syncRemote({
            direction,
            localPath: local,
            remotePath: remote,
            remoteLabel: `mem:${remote}`,
            transport: memoryTransport(),
            blockSize: bs,
            match,
            software: 'test',
          });
          assert.ok(fs.readFileSync(dst).equals(a), 'target differs from source');
          assert.equal(s.verified, true);
          if (match === 'aligned') assert.equal(s.movedBytes, 0);
          assert.ok(s.literalBytes <= a.length, 'more literal bytes than the source holds');
          fs.rmSync(src);
          fs.rmSync(dst);
        },
      ),
      { numRuns: Math.ceil(RUNS / 2), seed: FC_SEED },
    );
  });
});
