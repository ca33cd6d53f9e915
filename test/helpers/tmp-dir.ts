/** Scratch folders for tests, removed afterwards. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Makes a fresh folder under the system temp dir; `remove()` deletes it. */
export function tmpDir(prefix = 'bigsync-test-'): {
  dir: string;
  file: (name: string) => string;
  remove: () => void;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    file: (name) => path.join(dir, name),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Allocated bytes of a file (`du`). */
export function allocated(p: string): number {
  return fs.statSync(p).blocks * 512;
}
