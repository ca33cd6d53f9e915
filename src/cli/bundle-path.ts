/**
 * Where the single-file bundle is (the file sent to remote hosts without bigsync): next to the
 * compiled tree (dist/bigsync.bundle.mjs), or this very file when we run from the bundle (the
 * module bundle beside it when we run from the CommonJS one).
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundle's path. The transport reports IO_ERROR if it is missing when needed. */
export function bundlePath(): string {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.bundle.mjs')) return self;
  // the CommonJS bundle the local command runs: the module bundle beside it is the one to send
  if (self.endsWith('.bundle.cjs')) return `${self.slice(0, -'.cjs'.length)}.mjs`;
  const beside = fileURLToPath(new URL('../../bigsync.bundle.mjs', import.meta.url));
  return fs.existsSync(beside) ? beside : self;
}
