/**
 * rdiff, librsync's command-line tool (Debian package `rdiff`): the classic signature -> delta ->
 * patch pipeline, run as one timed command. It finds moved data with a rolling checksum, so it takes
 * part only in the scenarios of the search for moved data (`shift`, `worst-case`). It has no network
 * mode: the size of its delta is the number to compare with other tools' bytes on the wire.
 */
import { statSync } from 'node:fs';
import { exitsZero } from './measure.js';
import type { Tool, ToolRun } from './tools.js';

/** The files rdiff's pipeline writes beside the target. */
export interface RdiffFiles {
  /** The target's signature (`rdiff signature TARGET SIG`). */
  signature: string;
  /** The delta from the target to the source (`rdiff delta SIG SOURCE DELTA`). */
  delta: string;
  /** The patched result (`rdiff patch TARGET DELTA NEW`), renamed over the target. */
  result: string;
}

/** Where rdiff's scratch files go for `target`: beside it, named after it. */
export function rdiffFiles(target: string): RdiffFiles {
  return { signature: `${target}.rdiff-sig`, delta: `${target}.rdiff-delta`, result: `${target}.rdiff-new` };
}

/**
 * The script rdiff runs under `bash -c`, with $1..$5 = SOURCE TARGET SIG DELTA NEW. `--force` lets
 * rdiff replace files left by an earlier run; `set -e` stops at the first failing step.
 */
const RDIFF_SCRIPT = [
  'set -e',
  'rdiff --force signature "$2" "$3"',
  'rdiff --force delta "$3" "$1" "$4"',
  'rdiff --force patch "$2" "$4" "$5"',
  'mv -f "$5" "$2"',
].join('; ');

/**
 * rdiff: signature of the target, delta of the source against it, patch of the target into a new
 * file renamed over the target, timed as one command. Its reported bytes are the delta's size
 * (literal data plus copy commands). Sits out scenarios that do not test the search for moved data.
 */
export function rdiffTool(): Tool {
  return {
    name: 'rdiff',
    writesTarget: true,
    unavailable: async () =>
      (await exitsZero(['rdiff', '--version'])) ? null : 'rdiff is not installed (Debian package rdiff)',
    skipFor: (r) =>
      r.movedDataTest !== true
        ? 'rdiff runs only in the scenarios for moved data (shift, worst-case)'
        : !r.targetExists
          ? 'rdiff needs a target to patch'
          : null,
    command: (r) => {
      const f = rdiffFiles(r.target);
      return {
        argv: ['bash', '-c', RDIFF_SCRIPT, 'rdiff', r.source, r.target, f.signature, f.delta, f.result],
      };
    },
    scratchFiles: (r: ToolRun) => {
      const f = rdiffFiles(r.target);
      return [f.signature, f.delta, f.result];
    },
    parse: (_m, r) => ({ bytesWritten: deltaSize(rdiffFiles(r.target).delta) }),
  };
}

/** The size of the delta file, or null when there is none (the run failed before writing it). */
function deltaSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
