/**
 * A file's identity: what must not change while we read it. A source whose size, mtime, ctime or
 * inode moved during a sync was modified (or replaced) under us, and the result cannot be trusted.
 */
import type * as fs from 'node:fs';

/** The fields compared before and after a sync. Times in nanoseconds, as decimal strings. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeNs: string;
  ctimeNs: string;
}

/** The identity of a file from a `stat` taken with `{ bigint: true }`. */
export function identityOf(st: fs.BigIntStats): FileIdentity {
  return {
    dev: Number(st.dev),
    ino: Number(st.ino),
    size: Number(st.size),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
  };
}

/** The names of the fields that differ between two identities (empty when the file is unchanged). */
export function identityChanges(before: FileIdentity, after: FileIdentity): string[] {
  const keys: (keyof FileIdentity)[] = ['dev', 'ino', 'size', 'mtimeNs', 'ctimeNs'];
  return keys.filter((k) => before[k] !== after[k]);
}
