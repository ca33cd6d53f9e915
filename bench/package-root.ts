/**
 * Where the bigsync package is, and where results go by default: `packageRoot()` and
 * `defaultJsonOut()` (re-exported by harness.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BigsyncError } from '../src/errors.js';
import { defaultResultsPath } from './report.js';
import type { BenchMode } from './results-model.js';

/** The bigsync package root (the directory of its package.json), found from this file. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'bigsync')
      return dir;
    dir = dirname(dir);
  }
  throw new BigsyncError('INTERNAL', 'cannot find the bigsync package root from the bench module');
}

/** The default JSON results path: `<pkgroot>/bench/results/<date>-<machine label>-<mode>.json`. */
export function defaultJsonOut(date: Date = new Date(), mode: BenchMode = 'local'): string {
  return defaultResultsPath(join(packageRoot(), 'bench', 'results'), date, mode);
}
