#!/usr/bin/env node
// The bigsync command. It runs dist/bigsync.bundle.cjs, all of bigsync in one CommonJS file (built
// with the TypeScript by `npm ci` through the prepare script), through a V8 code cache kept beside
// it: a tool often run on small changes should not spend its time starting. A CommonJS entry skips
// the ES module loader's start-up (~10 ms here), one file loads in a third of the time of the ~80
// modules of dist/src, and the cache skips compiling it (docs/design.md, "Start-up"). The cache is
// named after the Node version and the bundle's build id (a hash of its content the build appends
// to it; size and mtime when it is missing), so a rebuilt bundle or another Node never reads a
// stale one; V8 also checks it and ignores one that does not fit. When there is none (or V8
// rejected it), this run writes one on exit; where dist/ is read-only, none is kept.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const file = path.join(__dirname, '..', 'dist', 'bigsync.bundle.cjs');
const source = fs.readFileSync(file, 'utf8');
const built = /\/\/# bigsync-build=([0-9a-f]{16})\n$/.exec(source.slice(-64));
const id = built !== null ? built[1] : `${source.length}-${Math.trunc(fs.statSync(file).mtimeMs)}`;
const cacheFile = `${file}.${process.version}-${process.arch}-${id}.v8cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
// the CommonJS wrapper, on the first line so that line numbers stay the bundle's
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: file,
  cachedData,
});
if (process.env.BIGSYNC_TRACE === '1') {
  const how = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  process.stderr.write(`bigsync-trace ${process.pid} code cache ${how}: ${path.basename(cacheFile)}\n`);
}
if (cachedData === undefined || script.cachedDataRejected === true) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  });
}
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
