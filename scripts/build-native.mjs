#!/usr/bin/env node
/**
 * The package's npm `install` script: builds the optional native addon
 * (build/Release/bigsync_native.node) with node-gyp, without downloading anything.
 *
 * It never fails the install. On success it prints one line naming the addon; on any failure,
 * or when skipped, it prints one line saying the native fast paths are disabled, and exits 0.
 * bigsync then uses its pure-JS fallbacks.
 *
 * Environment:
 * - BIGSYNC_SKIP_NATIVE=1      do not build.
 * - npm_config_node_gyp        node-gyp to run (set by npm); else npm's bundled node-gyp next to
 *                              this Node, else `npx --no node-gyp` (never installs it).
 * - npm_config_nodedir         Node headers directory, passed as --nodedir. When unset, the
 *                              headers installed with this Node (<prefix>/include/node) are used
 *                              if their version matches; with neither, the build is skipped
 *                              rather than letting node-gyp download headers.
 * - BIGSYNC_NATIVE_VERBOSE=1   show node-gyp's output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const addon = path.join(root, 'build', 'Release', 'bigsync_native.node');
const verbose = process.env.BIGSYNC_NATIVE_VERBOSE === '1';

/** Prints the one "disabled" line. */
function disabled(reason) {
  console.log(`bigsync: native fast paths are disabled (${reason}); using pure-JS fallbacks`);
}

/** The node-gyp command as [file, ...leadingArgs], or undefined. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm) return fromNpm.endsWith('.js') ? [process.execPath, fromNpm] : [fromNpm];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const bundled = path.join(
    prefix,
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  if (existsSync(bundled)) return [process.execPath, bundled];
  return ['npx', '--no', 'node-gyp'];
}

/** npm_config_nodedir, else this Node's own installed headers when their version matches. */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  try {
    const h = readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(h)?.[1];
    const version = `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
    return version === process.versions.node ? prefix : undefined;
  } catch {
    return undefined;
  }
}

/** The first line of node-gyp's output that says what went wrong, for the one-line report. */
function firstError(output) {
  const noise = /^gyp (info|ERR! (stack +at|System|command|cwd|node -v|node-gyp -v|not ok))/;
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !noise.test(l));
  const hit = lines.find((l) => /error|not found|cannot|no such/i.test(l)) ?? lines.at(-1) ?? '';
  return hit.slice(0, 200);
}

function main() {
  if (process.env.BIGSYNC_SKIP_NATIVE === '1') return disabled('BIGSYNC_SKIP_NATIVE=1');
  if (process.platform !== 'linux') return disabled(`no addon for ${process.platform}`);
  const nodedir = findNodeDir();
  if (!nodedir) return disabled('no local Node headers; set npm_config_nodedir');
  const [cmd, ...lead] = findNodeGyp();
  const args = [...lead, 'rebuild', '--release', `--nodedir=${nodedir}`];
  const res = spawnSync(cmd, args, {
    cwd: root,
    stdio: verbose ? 'inherit' : 'pipe',
    encoding: 'utf8',
    timeout: 5 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (res.error) return disabled(`cannot run node-gyp: ${res.error.message}`);
  if (res.status !== 0) {
    const detail = verbose ? '' : `: ${firstError(`${res.stdout ?? ''}\n${res.stderr ?? ''}`)}`;
    return disabled(`node-gyp exited with ${res.status ?? res.signal}${detail}`);
  }
  try {
    createRequire(import.meta.url)(addon);
  } catch (err) {
    return disabled(`built addon does not load: ${err instanceof Error ? err.message : String(err)}`);
  }
  console.log(`bigsync: native fast paths enabled (${path.relative(root, addon)})`);
}

try {
  main();
} catch (err) {
  disabled(`unexpected: ${err instanceof Error ? err.message : String(err)}`);
}
process.exitCode = 0;
