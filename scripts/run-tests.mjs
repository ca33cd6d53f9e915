#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner, one file at a
// time (integration tests use loop devices, mounts and GiB files). The file list is explicit so the
// command means the same on every Node >= 20. Extra arguments are passed to `node --test`;
// BIGSYNC_TEST_FILTER=substring runs only matching files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

const filter = process.env.BIGSYNC_TEST_FILTER ?? '';
const files = find(path.join('dist', 'test'))
  .filter((f) => f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // costs ~0.18 s per node start here; tests start many
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-timeout=300000', ...process.argv.slice(2), ...files],
  {
    stdio: 'inherit',
    env,
  },
);
process.exit(r.status ?? 1);
