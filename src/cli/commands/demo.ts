/**
 * `bigsync demo`: a real sync on sample data, for a first look with no files of your own. Makes a
 * seeded VM-like image, copies it to a replica, changes 1% of the image as a night of VM writes
 * would, shows the dry-run similarity report, syncs the change, and checks the replica byte for
 * byte with an independent comparison.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { changeBlocks, writeVmImage } from '../../../bench/image-generator.js';
import { formatBytes } from '../../core/size-units.js';
import { parseSize } from '../../core/size-units.js';
import { BigsyncError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { filesEqual } from '../files-equal.js';
import { runSync, type SyncArgs } from './sync.js';

export const DEMO_HELP = `Usage: bigsync demo [--size SIZE] [--dir DIR] [--keep]

Generates a seeded VM-like image (default 256M) in a temporary folder, syncs it to a replica,
changes 1% of it, shows what a dry run reports, syncs again, and checks the replica byte for byte.
`;

function step(ctx: CliContext, text: string): void {
  ctx.stdout(`\n== ${text}\n`);
}

/** Runs the demo; resolves with the exit code. */
export async function runDemo(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help === true) {
    ctx.stdout(DEMO_HELP);
    return 0;
  }
  const size = parseSize(v.size ?? '256M');
  const dir = v.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-demo-'));
  const src = path.join(dir, 'vm.img');
  const dst = path.join(dir, 'replica.img');
  const sync = (extra: Partial<SyncArgs['options']>, stats = true): ReturnType<typeof runSync> =>
    runSync(
      {
        source: src,
        target: dst,
        options: { ...extra },
        progress: true,
        stats,
        json: false,
        verbose: false,
        quiet: false,
        rsh: undefined,
        remotePath: undefined,
        compress: false,
        bwlimit: undefined,
      },
      ctx,
    );
  try {
    step(ctx, `making a ${formatBytes(size)} VM-like image (seed 'bigsync-demo'): ${src}`);
    await writeVmImage(src, size, 'bigsync-demo');
    step(ctx, 'first sync to a new replica: everything is copied (zero blocks stay holes)');
    await sync({});
    const changed = await changeBlocks(src, 0.01, 64 * 1024, 'bigsync-demo-night-1');
    step(ctx, `the VM wrote ${formatBytes(changed)} overnight (1% of its 64K blocks); a dry run compares`);
    await sync({ dryRun: true }, false);
    step(ctx, 'second sync: only the changed pages are written');
    await sync({});
    if (!(await filesEqual(src, dst)))
      throw new BigsyncError('VERIFY_FAILED', 'demo: replica differs from the image');
    step(ctx, `checked independently: ${dst} is byte-identical to ${src}`);
    return 0;
  } finally {
    if (v.keep !== true && v.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}
