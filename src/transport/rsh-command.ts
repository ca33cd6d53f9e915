/**
 * The remote shell command (`-e/--rsh`, else `BIGSYNC_RSH`, else `ssh`) as an argv.
 *
 * The command is split into words as rsync splits `-e`, with the quoting rules of a POSIX
 * shell: words are separated by spaces, tabs or newlines; `'...'` keeps everything literally;
 * `"..."` groups words and honours `\"`, `\\`, `` \` `` and `\$` inside; outside quotes a
 * backslash takes the next character literally. Nothing is expanded (no `$VAR`, `~` or globs),
 * and no shell is ever run. Example: `ssh -p 2222 -o "ProxyJump=a b"` gives
 * `['ssh', '-p', '2222', '-o', 'ProxyJump=a b']`.
 */
import { BigsyncError } from '../errors.js';

/** The remote shell used when neither `-e` nor `BIGSYNC_RSH` is given. */
export const DEFAULT_RSH = 'ssh';

const SPACE = new Set([' ', '\t', '\n', '\r']);
const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '`', '$']);

/** A splitter's state: the words so far and the one being built (null between words). */
interface SplitState {
  words: string[];
  word: string | null;
}

function usage(label: string, command: string, why: string): BigsyncError {
  return new BigsyncError('USAGE', `${label} '${command}': ${why}`, { rsh: command });
}

/** Reads a quoted run starting after the opening quote at `start`; returns [text, index after close]. */
function readQuoted(command: string, start: number, quote: string, label: string): [string, number] {
  let text = '';
  for (let i = start; i < command.length; i++) {
    const ch = command[i] as string;
    if (ch === quote) return [text, i + 1];
    const next = command[i + 1];
    if (quote === '"' && ch === '\\' && next !== undefined && DOUBLE_QUOTE_ESCAPES.has(next)) {
      text += next;
      i++;
    } else {
      text += ch;
    }
  }
  throw usage(label, command, `missing closing ${quote}`);
}

/**
 * Splits a remote shell command into argv (see the module comment for the rules).
 *
 * @param label how to name the command's origin in errors (`-e/--rsh`, `BIGSYNC_RSH`).
 * @throws BigsyncError `USAGE` for an unterminated quote, a trailing backslash, or a command
 *   with no words.
 */
export function splitRshCommand(command: string, label = '-e/--rsh'): string[] {
  const st: SplitState = { words: [], word: null };
  let i = 0;
  while (i < command.length) {
    const ch = command[i] as string;
    if (SPACE.has(ch)) {
      if (st.word !== null) st.words.push(st.word);
      st.word = null;
      i++;
    } else if (ch === "'" || ch === '"') {
      const [text, after] = readQuoted(command, i + 1, ch, label);
      st.word = (st.word ?? '') + text;
      i = after;
    } else if (ch === '\\') {
      const next = command[i + 1];
      if (next === undefined) throw usage(label, command, 'ends with a lone backslash');
      st.word = (st.word ?? '') + next;
      i += 2;
    } else {
      st.word = (st.word ?? '') + ch;
      i++;
    }
  }
  if (st.word !== null) st.words.push(st.word);
  if (st.words.length === 0 || st.words[0] === '') throw usage(label, command, 'no command given');
  return st.words;
}

/**
 * The remote shell argv: `option` (from `-e/--rsh`) if given, else `env` (the CLI passes
 * `BIGSYNC_RSH`; transport code never reads the environment), else {@link DEFAULT_RSH}.
 * An empty `env` counts as unset.
 *
 * @throws BigsyncError `USAGE` as {@link splitRshCommand}.
 */
export function rshArgv(option: string | undefined, env: string | undefined): string[] {
  if (option !== undefined) return splitRshCommand(option, '-e/--rsh');
  if (env !== undefined && env !== '') return splitRshCommand(env, 'BIGSYNC_RSH');
  return [DEFAULT_RSH];
}

/**
 * Quotes argv words so that {@link splitRshCommand} (and a POSIX shell) reads them back
 * unchanged: plain words stay as they are, others are single-quoted. For `-e` strings in tests
 * and messages.
 */
export function joinRshCommand(argv: readonly string[]): string {
  return argv
    .map((w) => (/^[A-Za-z0-9_./=:,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
