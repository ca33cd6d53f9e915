import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isBigsyncError } from '../../../src/errors.js';
import { joinRshCommand, rshArgv, splitRshCommand } from '../../../src/transport/rsh-command.js';

describe('splitRshCommand', () => {
  it('splits on whitespace and groups quotes', () => {
    const cases: [string, string[]][] = [
      ['ssh', ['ssh']],
      ['  ssh   -p 2222\t-x\n', ['ssh', '-p', '2222', '-x']],
      [`ssh -o "ProxyJump=a b"`, ['ssh', '-o', 'ProxyJump=a b']],
      [`ssh -i '/keys/my key'`, ['ssh', '-i', '/keys/my key']],
      [`ssh -o'A=b c'"d e"f`, ['ssh', '-oA=b cd ef']],
      [`ssh ''`, ['ssh', '']],
      [`ssh a\\ b`, ['ssh', 'a b']],
      [`ssh 'a\\b'`, ['ssh', 'a\\b']],
      [`ssh "a\\"b\\\\c\\$d\\e"`, ['ssh', 'a"b\\c$d\\e']],
      [`ssh "it's"`, ['ssh', "it's"]],
      [`ssh 'say "hi"'`, ['ssh', 'say "hi"']],
      [`ssh $HOME ~ *`, ['ssh', '$HOME', '~', '*']],
    ];
    for (const [cmd, want] of cases) assert.deepEqual(splitRshCommand(cmd), want, cmd);
  });

  it('refuses unterminated quotes, a lone trailing backslash and empty commands', () => {
    for (const bad of [`ssh 'a`, `ssh "a`, 'ssh a\\', '', '   ', `'' -p 1`]) {
      assert.throws(
        () => splitRshCommand(bad, 'BIGSYNC_RSH'),
        (e: unknown) => isBigsyncError(e, 'USAGE') && e.message.startsWith('BIGSYNC_RSH'),
        bad,
      );
    }
  });

  it('reads back what joinRshCommand writes', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.array(fc.string()), (first, rest) => {
        const argv = [first, ...rest];
        assert.deepEqual(splitRshCommand(joinRshCommand(argv)), argv);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('rshArgv', () => {
  it('prefers -e, then BIGSYNC_RSH, then ssh', () => {
    assert.deepEqual(rshArgv('ssh -p 1', 'ssh -p 2'), ['ssh', '-p', '1']);
    assert.deepEqual(rshArgv(undefined, 'ssh -p 2'), ['ssh', '-p', '2']);
    assert.deepEqual(rshArgv(undefined, ''), ['ssh']);
    assert.deepEqual(rshArgv(undefined, undefined), ['ssh']);
  });
});
