/**
 * Where a sync operand lives: a local path, or `[user@]host:path` reached over SSH.
 *
 * Operands are read as rsync reads them: `host:path` and `user@host:path` are remote when the
 * part before the first `:` contains no `/`; `[::1]:path` and `user@[fe80::1%eth0]:path` name an
 * IPv6 host; anything with a `/` before the first `:` (`./a:b`, `/x/y:z`) and anything without a
 * `:` is a local path. Write `./host:path` for a local file whose name contains a colon.
 *
 * The host and user end up as separate words on the ssh command line (never the path: paths
 * travel in-band in the protocol), so they are checked here: a host or user starting with `-`
 * would be read by ssh as an option (`-oProxyCommand=...`), and is refused.
 */
import { BigsyncError } from '../errors.js';

/** A path on this machine. */
export interface LocalLocation {
  kind: 'local';
  path: string;
}

/** A path on another machine, reached with ssh. `host` has no brackets (`::1`, not `[::1]`). */
export interface SshLocation {
  kind: 'ssh';
  user?: string;
  host: string;
  path: string;
}

/** A parsed operand. */
export type Location = LocalLocation | SshLocation;

/** Whitespace or a control character (C0, DEL, C1). */
const UNSAFE_CHAR = /[\s\p{Cc}]/u;

/** The pieces of a remote operand before validation, or null when the text is a local path. */
interface RawRemote {
  user: string | undefined;
  host: string;
  path: string;
}

/** Scans `[user@][host]:path` / `[user@]host:path` as rsync does; null means "a local path". */
function splitRemote(text: string): RawRemote | null {
  let hostStart = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '/') return null;
    if (ch === '@') hostStart = i + 1;
    else if (ch === '[') return i === hostStart ? splitBracketed(text, hostStart) : null;
    else if (ch === ':') {
      return {
        user: hostStart > 0 ? text.slice(0, hostStart - 1) : undefined,
        host: text.slice(hostStart, i),
        path: text.slice(i + 1),
      };
    }
  }
  return null;
}

/** `[user@][v6-host]:path`; like rsync, anything else starting with `[` is a local path. */
function splitBracketed(text: string, open: number): RawRemote | null {
  const close = text.indexOf(']', open);
  if (close < 0 || text[close + 1] !== ':') return null;
  const host = text.slice(open + 1, close);
  if (host.includes('/')) return null;
  return {
    user: open > 0 ? text.slice(0, open - 1) : undefined,
    host,
    path: text.slice(close + 2),
  };
}

function refuse(text: string, why: string): never {
  throw new BigsyncError('BAD_LOCATION', `bad location '${text}': ${why}`, { location: text });
}

/** Throws BAD_LOCATION unless `host` is safe to hand to ssh as one word. */
export function checkSshHost(host: string, text = host): void {
  if (host === '') refuse(text, 'empty host name (write ./NAME for a local file with ":" in its name)');
  if (host.startsWith('-')) refuse(text, 'a host name must not start with "-"');
  if (UNSAFE_CHAR.test(host)) refuse(text, 'the host name contains whitespace or control characters');
  if (/[[\]@]/.test(host)) refuse(text, 'the host name contains "[", "]" or "@"');
}

/** Throws BAD_LOCATION unless `user` is safe to hand to ssh as one word (`-l user`). */
export function checkSshUser(user: string, text = user): void {
  if (user === '') refuse(text, 'empty user name before "@"');
  if (user.includes('@')) refuse(text, 'the user name contains "@"');
  if (user.startsWith('-')) refuse(text, 'a user name must not start with "-"');
  if (UNSAFE_CHAR.test(user)) refuse(text, 'the user name contains whitespace or control characters');
}

/**
 * Parses a sync operand. Pure; never touches the file system or the network.
 *
 * @throws BigsyncError `BAD_LOCATION` for a remote operand that cannot be used: an empty host,
 *   a host or user starting with `-`, a user containing `@`, whitespace or control characters in
 *   the host or user, an empty remote path (`host:`), or rsync daemon syntax (`host::module`).
 *   A local path is never refused here (the sync layer reports missing files).
 */
export function parseLocation(text: string): Location {
  const raw = splitRemote(text);
  if (raw === null) return { kind: 'local', path: text };
  if (raw.path.startsWith(':')) {
    refuse(text, 'rsync daemon syntax (host::module) is not supported; use host:/path over ssh');
  }
  checkSshHost(raw.host, text);
  if (raw.user !== undefined) checkSshUser(raw.user, text);
  if (raw.path === '') refuse(text, 'empty remote path after ":"');
  const loc: SshLocation = { kind: 'ssh', host: raw.host, path: raw.path };
  if (raw.user !== undefined) loc.user = raw.user;
  return loc;
}

/** True for a location reached over SSH. */
export function isRemote(loc: Location): loc is SshLocation {
  return loc.kind === 'ssh';
}

/** The operand as a person would write it (`user@[::1]:path`), for messages. */
export function formatLocation(loc: Location): string {
  if (loc.kind === 'local') return loc.path;
  const host = loc.host.includes(':') ? `[${loc.host}]` : loc.host;
  return `${loc.user !== undefined ? `${loc.user}@` : ''}${host}:${loc.path}`;
}
