/**
 * Keeps docs/protocol.md and the wire constants in step: every message type, capability, OPEN
 * option, match mode and hard limit appears in the specification with its value; the wire's block
 * size bounds equal core's.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_BLOCK_SIZE, MIN_BLOCK_SIZE } from '../../../src/core/block-size.js';
import { encodeMessagePayload } from '../../../src/format/messages.js';
import type { DataMessage } from '../../../src/format/messages-data.js';
import * as wire from '../../../src/format/wire-constants.js';
import { PKG_ROOT } from '../../helpers/run-cli.js';

const doc = fs.readFileSync(path.join(PKG_ROOT, 'docs', 'protocol.md'), 'utf8');
const rows = doc.split('\n').filter((l) => l.startsWith('|'));
const hasRow = (...cells: string[]): boolean =>
  rows.some((r) => {
    const rowCells = r.split('|').map((c) => c.trim());
    return cells.every((c) => rowCells.includes(c));
  });

describe('docs/protocol.md', () => {
  it('starts with the status line', () => {
    assert.match(doc, /^# bigsync remote protocol\n\n\*\*Status: 0\.3\.\*\*/);
  });

  it('lists every message type with its number and has a byte table for it', () => {
    for (const [name, type] of Object.entries(wire.MessageType)) {
      assert.ok(hasRow(String(type), name), `no row "| ${type} | ${name} |"`);
      assert.match(doc, new RegExp(`^### ${name} \\(${type}\\)`, 'm'), `no section for ${name}`);
    }
  });

  it('lists every capability bit', () => {
    const caps = {
      CAP_ZSTD: wire.CAP_ZSTD,
      CAP_SUBBLOCK: wire.CAP_SUBBLOCK,
      CAP_SPARSE: wire.CAP_SPARSE,
      CAP_VERIFY_SHA256: wire.CAP_VERIFY_SHA256,
      CAP_ROLLING: wire.CAP_ROLLING,
    };
    assert.equal(
      Object.values(caps).reduce((a, b) => a | b, 0n),
      wire.CAPS_KNOWN,
      'this list holds every known capability',
    );
    for (const [name, bit] of Object.entries(caps)) {
      const shift = bit.toString(2).length - 1;
      assert.ok(hasRow(`\`1 << ${shift}\``, name), `no row for ${name}`);
    }
  });

  it('lists every OPEN option tag with its name', () => {
    for (const [name, tag] of Object.entries(wire.OpenTag)) {
      const camel = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      assert.ok(hasRow(String(tag), camel), `no row "| ${tag} | ${camel} |"`);
    }
  });

  it('lists every match mode of the OPEN match option', () => {
    const modes = { auto: wire.MATCH_AUTO, aligned: wire.MATCH_ALIGNED, rolling: wire.MATCH_ROLLING };
    for (const [mode, id] of Object.entries(modes)) assert.ok(hasRow(String(id), mode), `no row for ${mode}`);
  });

  it('lists every hard limit with its value', () => {
    const limits: Record<string, number> = {
      MAX_FRAME_PAYLOAD: wire.MAX_FRAME_PAYLOAD,
      MAX_DATA_LENGTH: wire.MAX_DATA_LENGTH,
      ZSTD_SLACK: wire.ZSTD_SLACK,
      MAX_BLOCKS_PER_BATCH: wire.MAX_BLOCKS_PER_BATCH,
      MAX_SUBHASHES: wire.MAX_SUBHASHES,
      MAX_PATH_BYTES: wire.MAX_PATH_BYTES,
      MAX_TEXT_BYTES: wire.MAX_TEXT_BYTES,
      MAX_SOFTWARE_BYTES: wire.MAX_SOFTWARE_BYTES,
      MAX_ERROR_CODE_BYTES: wire.MAX_ERROR_CODE_BYTES,
      MAX_JSON_BYTES: wire.MAX_JSON_BYTES,
      MAX_JSON_DEPTH: wire.MAX_JSON_DEPTH,
    };
    for (const [name, value] of Object.entries(limits)) {
      const ok = rows.some((r) => {
        const cells = r.split('|').map((c) => c.trim());
        return cells[1] === name && (cells[2] ?? '').split(' ')[0] === String(value);
      });
      assert.ok(ok, `no row "| ${name} | ${value} ..."`);
    }
  });

  it('has a Changes section', () => {
    assert.match(doc, /^## Changes$/m);
  });
});

describe('wire constants', () => {
  it('block size bounds equal core/block-size.ts', () => {
    assert.equal(wire.WIRE_MIN_BLOCK_SIZE, MIN_BLOCK_SIZE);
    assert.equal(wire.WIRE_MAX_BLOCK_SIZE, MAX_BLOCK_SIZE);
  });

  it('the largest DATA message fits in a frame', () => {
    const payload = Buffer.alloc(wire.MAX_DATA_LENGTH + wire.ZSTD_SLACK);
    const body: DataMessage = {
      offset: 0,
      length: wire.MAX_DATA_LENGTH,
      encoding: wire.ENCODING_ZSTD,
      payload,
    };
    assert.ok(encodeMessagePayload({ type: 'DATA', body }).length <= wire.MAX_FRAME_PAYLOAD);
  });

  it('MAGIC is 8 ASCII bytes ending in NUL', () => {
    assert.equal(Buffer.from(wire.MAGIC, 'latin1').toString('hex'), '42494753594e4300');
    assert.equal(wire.MAGIC.length, wire.MAGIC_LENGTH);
  });
});
