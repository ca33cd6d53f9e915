/**
 * Keeps the docs honest: every error code is in docs/errors.md with the exit code the CLI uses,
 * and the version the CLI prints is package.json's.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_CODES } from '../../../src/cli/exit-codes.js';
import { VERSION } from '../../../src/cli/version.js';
import { ERROR_CODES } from '../../../src/errors.js';
import { PKG_ROOT } from '../../helpers/run-cli.js';

describe('docs and codes', () => {
  it('docs/errors.md lists every error code with its exit code', () => {
    const doc = fs.readFileSync(path.join(PKG_ROOT, 'docs', 'errors.md'), 'utf8');
    for (const code of ERROR_CODES) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\``));
      assert.ok(row !== undefined, `docs/errors.md has no row for ${code}`);
      assert.match(
        row,
        new RegExp(`\\|\\s*${EXIT_CODES[code]}\\s*\\|`),
        `wrong exit code for ${code} in docs/errors.md`,
      );
    }
  });

  it('the CLI version is package.json version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PKG_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(VERSION, pkg.version);
  });
});
