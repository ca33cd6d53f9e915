#!/usr/bin/env node
// The bigsync command. It runs the single-file bundle (dist/bigsync.bundle.mjs, built with the
// TypeScript by `npm ci` through the prepare script): one file loads in a third of the time of
// the ~80 modules of dist/src, which matters for a tool often run on small changes.
import '../dist/bigsync.bundle.mjs';
