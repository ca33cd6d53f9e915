#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/bundle-entry.js, so run tsc first) into single files:
// - dist/bigsync.bundle.mjs (ES module): the file the SSH transport uploads to hosts without
//   bigsync. It runs with plain `node dist/bigsync.bundle.mjs ...` from anywhere (the native addon
//   is not in it: beside it, or the pure-JS fallbacks). The banner gives CommonJS code a `require`.
// - dist/bigsync.bundle.cjs (CommonJS), the same code for bin/bigsync.cjs, which runs it through a
//   V8 code cache: a CommonJS entry skips the ES module loader's start-up, and the cache skips
//   compiling the bundle on every run (docs/design.md, "Start-up").
// Then it removes stale code caches and makes a fresh one by running a small local sync.
import * as esbuild from 'esbuild';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const entry = path.join(dist, 'src', 'cli', 'bundle-entry.js');
const common = {
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

const builds = [
  {
    ...common,
    outfile: path.join(dist, 'bigsync.bundle.mjs'),
    format: 'esm',
    // Aliased so that it cannot clash with a bundled module's own `import { createRequire }`.
    banner: {
      js: [
        "import { createRequire as __bigsyncCreateRequire } from 'node:module';",
        'const require = __bigsyncCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  },
  {
    ...common,
    outfile: path.join(dist, 'bigsync.bundle.cjs'),
    format: 'cjs',
    // import.meta does not exist in CommonJS: the file's own URL stands in for import.meta.url
    define: { 'import.meta.url': '__bigsyncUrl' },
    banner: { js: "const __bigsyncUrl = require('node:url').pathToFileURL(__filename).href;" },
  },
];

for (const options of builds) {
  const result = await esbuild.build(options);
  const rel = path.relative(process.cwd(), options.outfile);
  const bytes = result.metafile.outputs[rel]?.bytes;
  process.stdout.write(
    `build-bundle: ${path.relative(root, options.outfile)}${bytes !== undefined ? ` (${bytes} bytes)` : ''}\n`,
  );
}

// The CommonJS bundle ends with its build id, a hash of its content: bin/bigsync.cjs names the code
// cache after it, so no cache is ever read for other code (V8 itself only checks the length).
const cjs = path.join(dist, 'bigsync.bundle.cjs');
const body = fs.readFileSync(cjs);
const id = createHash('sha256').update(body).digest('hex').slice(0, 16);
fs.writeFileSync(cjs, Buffer.concat([body, Buffer.from(`//# bigsync-build=${id}\n`)]));

// Stale caches (of an earlier build or another Node) are never read again. Then one small local
// sync (8 MiB and more: the threaded path) writes the cache with the functions such a sync compiles.
for (const f of fs.readdirSync(dist)) {
  if (f.startsWith('bigsync.bundle.cjs.') && f.endsWith('.v8cache'))
    fs.rmSync(path.join(dist, f), { force: true });
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bigsync-cache-'));
try {
  const a = path.join(tmp, 'a');
  const b = path.join(tmp, 'b');
  const data = Buffer.alloc(9 * 1024 * 1024, 7);
  fs.writeFileSync(a, data);
  data.fill(9, 1024 * 1024, 1024 * 1024 + 4096);
  fs.writeFileSync(b, data);
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bigsync.cjs'), '-q', a, b], {
    env,
    stdio: 'inherit',
  });
  const made = fs.readdirSync(dist).filter((f) => f.endsWith('.v8cache'));
  process.stdout.write(
    r.status === 0 && made.length > 0
      ? `build-bundle: code cache dist/${made[0]}\n`
      : 'build-bundle: no code cache made (bigsync still runs, compiling its bundle each time)\n',
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
