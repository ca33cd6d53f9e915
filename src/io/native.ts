/**
 * The JS face of the optional native addon (native/bigsync_native.c).
 *
 * The addon is loaded lazily, once per thread, on the first call to {@link nativeOps},
 * {@link nativeStatus} or {@link fastPaths}. It is optional: when it is missing, fails to load,
 * or is disabled, every io/ module that uses it falls back to pure JS, so callers never need it.
 *
 * Environment (read once, at first use; the documented escape hatches of this module):
 * - `BIGSYNC_NO_NATIVE=1` never load the addon.
 * - `BIGSYNC_NATIVE_PATH=/path/to/bigsync_native.node` load this file instead of the
 *   package's `build/Release/bigsync_native.node`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Advice for {@link NativeOps.fadvise}, as in posix_fadvise(2). */
export type FadviseAdvice = 'sequential' | 'dontneed' | 'willneed';

/**
 * The syscalls the addon provides. All are synchronous and take an open file descriptor.
 *
 * Offsets and lengths must be integers in [0, 2^53]; otherwise a TypeError or RangeError is
 * thrown. A failing syscall throws an Error shaped like Node's system errors: `code` is the
 * errno name (`'EOPNOTSUPP'`, `'ENOSPC'`, `'EBADF'`, ...; `'EUNKNOWN'` for rare ones), `errno`
 * the negated errno number (as Node does), and `syscall` the call that failed.
 */
export interface NativeOps {
  /** lseek(SEEK_DATA): the first data offset at or after `offset`, or -1 when there is none (ENXIO). */
  seekData(fd: number, offset: number): number;
  /** lseek(SEEK_HOLE): the first hole offset at or after `offset` (EOF counts as a hole), or -1 when `offset` is at or past EOF (ENXIO). */
  seekHole(fd: number, offset: number): number;
  /** fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE); `length` must be at least 1. */
  punchHole(fd: number, offset: number, length: number): void;
  /** ioctl(BLKGETSIZE64): the size in bytes of the block device open on `fd` (ENOTTY otherwise). */
  blkGetSize64(fd: number): number;
  /** posix_fadvise; `length` 0 means "to the end of the file". */
  fadvise(fd: number, offset: number, length: number, advice: FadviseAdvice): void;
  /**
   * Compares `[offset, offset + length)` of the files on `fdA` and `fdB` with pread + memcmp in
   * pieces of `pieceSize` bytes (the last may be short; bytes past a file's end read as zeros):
   * sets `out[i]` to 1 when piece i differs, else 0, and returns the number of differing pieces.
   * `out` must hold at least ceil(length / pieceSize) bytes. A failing pread throws like the
   * syscalls above. Absent (undefined) when the loaded addon predates it; see io/piece-compare.ts.
   */
  comparePieces?(
    fdA: number,
    fdB: number,
    offset: number,
    length: number,
    pieceSize: number,
    out: Uint8Array,
  ): number;
  /**
   * The rolling match's weak checksum (core/rolling-checksum.ts) of each whole `blockSize` block
   * of `buf`, into `out[k]` for block k. Absent when the loaded addon predates it; see
   * io/weak-sums.ts.
   */
  weakSums?(buf: Uint8Array, blockSize: number, out: Uint32Array): void;
  /**
   * {@link NativeOps.comparePieces} over several runs, on a libuv pool thread: `runs` holds
   * (offset, length) pairs; `out` gets one flag per piece, run after run. Resolves with the number
   * of differing pieces; rejects like the syscalls above. `runs` and `out` must be left alone until
   * it settles. Absent when the loaded addon predates it; see io/piece-compare.ts.
   */
  compareRunsAsync?(
    fdA: number,
    fdB: number,
    runs: Float64Array,
    pieceSize: number,
    out: Uint8Array,
  ): Promise<number>;
  /**
   * The data extents of `[start, end)` by SEEK_DATA/SEEK_HOLE, on a libuv pool thread, as
   * (offset, length) pairs, sorted and clipped to `end`. Rejects like the syscalls above. Absent
   * when the loaded addon predates it; see io/sparse-map.ts.
   */
  dataMapAsync?(fd: number, start: number, end: number): Promise<Float64Array>;
  /**
   * Punches a hole over each (offset, length) pair of `ranges` (lengths at least 1), in order, on a
   * libuv pool thread, then reads them back: resolves with -1 when all read as zeros, else with the
   * offset of the first piece that does not. Rejects like the syscalls above on the first failing
   * call. Absent when the loaded addon predates it; see io/hole-punch.ts.
   */
  punchRangesAsync?(fd: number, ranges: Float64Array): Promise<number>;
  /**
   * fcntl(F_SETPIPE_SZ): makes the pipe on `fd` hold at least `size` bytes and returns its new
   * capacity; throws like the syscalls above (EBADF when `fd` is not a pipe, EPERM past the
   * system's limit). Absent when the loaded addon predates it; see io/pipe-size.ts.
   */
  setPipeSize?(fd: number, size: number): number;
  /**
   * The GMAC tag (AES-128-GCM under `key`, 16 bytes; IV zero, the page as additional data) of
   * each `pageSize` page of `data` (the last may be short) into `out`, 16 bytes a page; returns
   * the number of pages. Through the OpenSSL inside Node: absent when the addon predates it or
   * Node's OpenSSL functions are not found; see io/gmac-pages.ts.
   */
  gmacPages?(key: Uint8Array, data: Uint8Array, pageSize: number, out: Uint8Array): number;
  /**
   * On a libuv pool thread: the GMAC block hash (the whole block as additional data, as
   * {@link NativeOps.gmacPages}) of each block [firstBlock, firstBlock + count) of the file on
   * `fd` into `tags` (16 bytes a block), or zero[i] = 1 for an all-zero block; `data` holds the
   * sorted (offset, length) data extents (the rest reads as zeros, unread) or is null (all data).
   * Resolves with the bytes read. Present only with gmacPages; see io/hash-blocks-native.ts.
   */
  hashBlocksAsync?(
    fd: number,
    firstBlock: number,
    count: number,
    blockSize: number,
    size: number,
    data: Float64Array | null,
    key: Uint8Array,
    tags: Uint8Array,
    zero: Uint8Array,
  ): Promise<number>;
}

/** Whether the addon is in use, and why (or why not), for `bigsync --version` and diagnostics. */
export interface NativeStatus {
  loaded: boolean;
  reason: string;
  /** The addon file, when loaded (uploaded beside the bundle to hosts without bigsync). */
  path?: string;
}

/** Ops every usable addon has; one missing disables the addon. */
const OP_NAMES = ['seekData', 'seekHole', 'punchHole', 'blkGetSize64', 'fadvise'] as const;

/** Ops added later, each with its fast path's name; an older addon without one only loses that path. */
const OPTIONAL_OPS = [
  ['comparePieces', 'pread-compare'],
  ['weakSums', 'weak-sums'],
  ['compareRunsAsync', 'threaded-compare'],
  ['dataMapAsync', 'threaded-data-map'],
  ['punchRangesAsync', 'threaded-punch'],
  ['setPipeSize', 'pipe-size'],
  ['gmacPages', 'gmac-pages'],
  ['hashBlocksAsync', 'threaded-hash'],
] as const;

/** The fast paths every usable addon enables, by name. */
const FAST_PATHS = ['seek-data', 'punch-hole', 'blkgetsize64', 'fadvise'] as const;

let state: { ops: NativeOps | null; status: NativeStatus } | undefined;

/** The packaged addon: this file is dist/src/io/native.js (package root three levels up) or the bundle. */
function defaultAddonPath(): string {
  // In the single-file bundles (dist/bigsync.bundle.mjs, .cjs) the package root is one level up.
  const up = /\.bundle\.[cm]js$/.test(import.meta.url) ? '../' : '../../../';
  return fileURLToPath(new URL(`${up}build/Release/bigsync_native.node`, import.meta.url));
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n', 1)[0] ?? msg;
}

function load(): { ops: NativeOps | null; status: NativeStatus } {
  const off = (reason: string) => ({ ops: null, status: { loaded: false, reason } });
  if (process.env['BIGSYNC_NO_NATIVE'] === '1') return off('disabled by BIGSYNC_NO_NATIVE=1');
  if (process.platform !== 'linux') return off(`no native addon on ${process.platform}`);
  const file = process.env['BIGSYNC_NATIVE_PATH'] || defaultAddonPath();
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)(file);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND') return off(`native addon not built (${file} missing)`);
    return off(`native addon failed to load: ${firstLine(err)}`);
  }
  const rec = (typeof mod === 'object' && mod !== null ? mod : {}) as Record<string, unknown>;
  const missing = OP_NAMES.filter((name) => typeof rec[name] !== 'function');
  if (missing.length > 0) return off(`native addon ${file} lacks ${missing.join(', ')}`);
  const ops: Record<string, unknown> = {};
  for (const name of OP_NAMES) ops[name] = rec[name];
  const lacking: string[] = [];
  for (const [name] of OPTIONAL_OPS) {
    if (typeof rec[name] === 'function') ops[name] = rec[name];
    else lacking.push(name);
  }
  const note = lacking.length > 0 ? ` (older build, lacks ${lacking.join(', ')})` : '';
  return {
    ops: ops as unknown as NativeOps,
    status: { loaded: true, reason: `loaded ${file}${note}`, path: file },
  };
}

function current(): { ops: NativeOps | null; status: NativeStatus } {
  state ??= load();
  return state;
}

/**
 * The addon's operations, or null when it is unavailable (not built, failed to load, not
 * Linux, or disabled by `BIGSYNC_NO_NATIVE=1`). Never throws. The first call loads the addon.
 */
export function nativeOps(): NativeOps | null {
  return current().ops;
}

/** Whether the addon is loaded, with a one-line reason. Never throws. */
export function nativeStatus(): NativeStatus {
  return { ...current().status };
}

/**
 * The names of the active native fast paths, e.g. `['seek-data', 'punch-hole', 'blkgetsize64',
 * 'fadvise', 'pread-compare']`, or `[]` when the addon is unavailable ({@link nativeStatus} says
 * why). An older addon lacking a later op (see {@link NativeOps.comparePieces}) omits its path.
 */
export function fastPaths(): string[] {
  const ops = current().ops;
  if (ops === null) return [];
  const optional = OPTIONAL_OPS.filter(([name]) => ops[name] !== undefined).map(([, path]) => path);
  return [...FAST_PATHS, ...optional];
}
