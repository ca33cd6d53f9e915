import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isBigsyncError } from '../../../src/errors.js';
import { formatLocation, isRemote, parseLocation, type Location } from '../../../src/transport/location.js';

function refused(text: string, why?: RegExp): void {
  assert.throws(
    () => parseLocation(text),
    (e: unknown) => isBigsyncError(e, 'BAD_LOCATION') && (why === undefined || why.test(e.message)),
    text,
  );
}

describe('parseLocation', () => {
  it('reads remote operands as rsync does', () => {
    const cases: [string, Location][] = [
      ['host:path', { kind: 'ssh', host: 'host', path: 'path' }],
      ['host:/abs/p', { kind: 'ssh', host: 'host', path: '/abs/p' }],
      ['u@host:p', { kind: 'ssh', user: 'u', host: 'host', path: 'p' }],
      ['u@h.example.com:a:b', { kind: 'ssh', user: 'u', host: 'h.example.com', path: 'a:b' }],
      ['[::1]:/x', { kind: 'ssh', host: '::1', path: '/x' }],
      ['u@[fe80::1%eth0]:p', { kind: 'ssh', user: 'u', host: 'fe80::1%eth0', path: 'p' }],
      ['10.0.0.1:disk.img', { kind: 'ssh', host: '10.0.0.1', path: 'disk.img' }],
    ];
    for (const [text, want] of cases) assert.deepEqual(parseLocation(text), want, text);
  });

  it('reads local paths', () => {
    for (const text of ['a', '/x/y', './a:b', '/x/y:z', 'dir/h:p', '', '[::1]', '[::1]x:y', 'a[b:c', '-x']) {
      assert.deepEqual(parseLocation(text), { kind: 'local', path: text }, text);
    }
  });

  it('refuses hosts that ssh would read as options', () => {
    refused('-oProxyCommand=id:p', /must not start with "-"/);
    refused('-oProxyCommand=touch\x20x:p', /must not start with "-"/);
    refused('u@-host:p', /must not start with "-"/);
    refused('[-x]:p', /must not start with "-"/);
  });

  it('refuses unusable users, hosts and paths', () => {
    refused(':p', /empty host/);
    refused('u@:p', /empty host/);
    refused('[]:p', /empty host/);
    refused('host:', /empty remote path/);
    refused('host::module', /rsync daemon syntax/);
    refused('a@b@host:p', /contains "@"/);
    refused('-u@host:p', /user name must not start/);
    refused('@host:p', /empty user/);
    refused('ho st:p', /whitespace/);
    refused('ho\tst:p', /whitespace/);
    refused('ho\u0001st:p', /control/);
    refused('host\u0085:p', /control/);
    refused('u ser@host:p', /whitespace/);
    refused('[a b]:p', /whitespace/);
  });

  it('isRemote and formatLocation', () => {
    assert.equal(isRemote(parseLocation('h:p')), true);
    assert.equal(isRemote(parseLocation('./h:p')), false);
    assert.equal(formatLocation(parseLocation('u@[::1]:p')), 'u@[::1]:p');
    assert.equal(formatLocation(parseLocation('h:p')), 'h:p');
  });
});

/** Strings over characters that matter to the parser. */
const operand = fc.string({
  unit: fc.constantFrom(
    'a',
    'b',
    '1',
    '.',
    '-',
    '@',
    ':',
    '[',
    ']',
    '/',
    ' ',
    '\t',
    '\n',
    '\u0000',
    '%',
    'é',
  ),
  maxLength: 24,
});

describe('parseLocation properties', () => {
  it('never accepts an ssh host or user that starts with "-" or holds whitespace', () => {
    fc.assert(
      fc.property(fc.oneof(operand, fc.string()), (text) => {
        let loc: Location;
        try {
          loc = parseLocation(text);
        } catch (e) {
          return isBigsyncError(e, 'BAD_LOCATION');
        }
        if (loc.kind === 'local') return loc.path === text;
        const words = [loc.host, ...(loc.user !== undefined ? [loc.user] : [])];
        return (
          loc.path !== '' &&
          words.every((w) => w !== '' && !w.startsWith('-') && !/[\s\p{Cc}]/u.test(w) && !w.includes('@'))
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('treats a "/" before the first ":" as local', () => {
    fc.assert(
      fc.property(operand, operand, (a, b) => {
        const text = `${a.replace(/:/g, '')}/${b}`;
        return parseLocation(text).kind === 'local';
      }),
    );
  });

  it('formatLocation reads back to the same location', () => {
    fc.assert(
      fc.property(operand, (text) => {
        let loc: Location;
        try {
          loc = parseLocation(text);
        } catch {
          return true;
        }
        assert.deepEqual(parseLocation(formatLocation(loc)), loc);
        return true;
      }),
      { numRuns: 5000 },
    );
  });
});
