/**
 * The aligned comparison: given a piece of the source and the same piece of the target, decide
 * which target ranges must change. Pure: no I/O; the caller reads the piece and applies the
 * {@link TargetAction}s it gets back.
 *
 * Pieces are compared whole first (memcmp speed); only a piece that differs is looked at page by
 * page (`pageSize`, normally 4 KiB), so a VM that rewrote one page of a block costs one page of
 * writes. A differing page whose source bytes are all zero becomes a `zero` action (a hole on a
 * regular file) instead of a write. Adjacent actions of one kind are coalesced.
 */
import { isAllZero } from './zero-detect.js';

/** One change to apply to the target, offsets relative to the piece start. */
export interface TargetAction {
  /** `write`: copy the source bytes of the range; `zero`: make the range read as zeros. */
  kind: 'write' | 'zero';
  offset: number;
  length: number;
}

/** Options of {@link diffPiece} and {@link wholePiece}. */
export interface DiffOptions {
  /** Write granularity. Default 4096. */
  pageSize?: number;
  /** Turn all-zero source pages into `zero` actions (diff) or skip them (whole). Default true. */
  zeroAsHole?: boolean;
}

/** Appends an action, merging it into the previous one when they touch and are of one kind. */
export function pushAction(
  actions: TargetAction[],
  kind: TargetAction['kind'],
  offset: number,
  length: number,
): void {
  const last = actions[actions.length - 1];
  if (last !== undefined && last.kind === kind && last.offset + last.length === offset) {
    last.length += length;
  } else {
    actions.push({ kind, offset, length });
  }
}

/**
 * Compares `src[0, length)` with `dst[0, length)`; returns the actions that make dst equal src
 * (none when they are equal). Bytes past a file's end must be zero-filled by the caller.
 */
export function diffPiece(
  src: Uint8Array,
  dst: Uint8Array,
  length: number,
  opts: DiffOptions = {},
): TargetAction[] {
  const actions: TargetAction[] = [];
  if (Buffer.compare(src.subarray(0, length), dst.subarray(0, length)) === 0) return actions;
  const page = opts.pageSize ?? 4096;
  const zeroAsHole = opts.zeroAsHole ?? true;
  for (let p = 0; p < length; p += page) {
    const q = Math.min(p + page, length);
    if (Buffer.compare(src.subarray(p, q), dst.subarray(p, q)) === 0) continue;
    pushAction(actions, zeroAsHole && isAllZero(src, p, q) ? 'zero' : 'write', p, q - p);
  }
  return actions;
}

/**
 * Whole-file mode: the piece is written without comparing. With `zeroAsHole`, the target is known
 * to read as zeros (a freshly emptied regular file), so all-zero pages are skipped.
 */
export function wholePiece(src: Uint8Array, length: number, opts: DiffOptions = {}): TargetAction[] {
  const actions: TargetAction[] = [];
  if (opts.zeroAsHole === false) {
    if (length > 0) actions.push({ kind: 'write', offset: 0, length });
    return actions;
  }
  const page = opts.pageSize ?? 4096;
  for (let p = 0; p < length; p += page) {
    const q = Math.min(p + page, length);
    if (!isAllZero(src, p, q)) pushAction(actions, 'write', p, q - p);
  }
  return actions;
}

/**
 * Counts the blocks that sorted, absolute-offset actions touch, skipping `lastBlock` (the last
 * block already counted by the caller). Returns the count and the new last block.
 */
export function countTouchedBlocks(
  actions: readonly TargetAction[],
  base: number,
  blockSize: number,
  lastBlock: number,
): { count: number; lastBlock: number } {
  let count = 0;
  for (const a of actions) {
    const first = Math.floor((base + a.offset) / blockSize);
    const last = Math.floor((base + a.offset + a.length - 1) / blockSize);
    count += last - Math.max(first, lastBlock + 1) + 1 > 0 ? last - Math.max(first, lastBlock + 1) + 1 : 0;
    lastBlock = Math.max(lastBlock, last);
  }
  return { count, lastBlock };
}
