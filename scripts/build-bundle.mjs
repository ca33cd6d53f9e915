#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/bundle-entry.js, so run tsc first) into one ESM file,
// dist/bigsync.bundle.mjs: the file the SSH transport uploads to hosts without bigsync. It runs
// with plain `node dist/bigsync.bundle.mjs ...` from anywhere; the native addon is not bundled,
// so the bundle uses the pure-JS fallbacks. The banner gives CommonJS code a `require`.
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'src', 'cli', 'bundle-entry.js');
const outfile = path.join(root, 'dist', 'bigsync.bundle.mjs');

// Aliased so that it cannot clash with a bundled module's own `import { createRequire }`.
const banner = [
  "import { createRequire as __bigsyncCreateRequire } from 'node:module';",
  'const require = __bigsyncCreateRequire(import.meta.url);',
].join('\n');

const result = await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: { js: banner },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes;
process.stdout.write(
  `build-bundle: ${path.relative(root, outfile)}${bytes !== undefined ? ` (${bytes} bytes)` : ''}\n`,
);
