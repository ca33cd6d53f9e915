#!/usr/bin/env node
// The bigsync command: the compiled CLI lives in dist/ (built by `npm ci` via the prepare script).
import { cliMain } from '../dist/src/cli/main.js';

await cliMain();
