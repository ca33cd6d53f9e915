/**
 * Cutting one move within a file (a COPY of the rolling match: bytes [from, from+length) to
 * [to, to+length), overlapping or not) into segments that threads can move at the same time.
 *
 * Data moving up (from < to) is moved top segment first, so each segment reads below everything
 * written before it; moving down, bottom first. Run concurrently, segment k's read range meets a
 * neighbour's write range only in its first (moving up) or last (moving down) `d = |to - from|`
 * bytes. Two ways around that:
 * - a short distance (d <= {@link MAX_SAVED}): every segment's endangered `d` bytes are read
 *   before any segment starts ("saved") and overlaid on what the segment reads; then all segments
 *   run in one wave;
 * - a long distance: segments of at most d / jobs bytes, in waves of floor(d / segment) segments,
 *   which never meet within a wave (a wave's writes lie at least d away from its reads).
 */

/** Largest distance whose endangered bytes are saved in memory (per segment). */
export const MAX_SAVED = 1024 * 1024;

/** One segment of a move. `save` is the read range to capture before the wave starts. */
export interface MoveSegment {
  from: number;
  to: number;
  length: number;
  save: { offset: number; length: number } | null;
}

/** Segments in waves: waves run one after another, the segments of a wave at the same time. */
export type MovePlan = MoveSegment[][];

/**
 * Plans the move of `length` bytes from `from` to `to`.
 * @param segment the segment size to aim for (e.g. 32 MiB)
 * @param jobs the threads that will run a wave
 */
export function planMove(from: number, to: number, length: number, segment: number, jobs: number): MovePlan {
  const d = Math.abs(to - from);
  if (d === 0 || length <= 0) return [];
  const up = from < to;
  const size =
    d <= MAX_SAVED ? segment : Math.max(1024 * 1024, Math.min(segment, Math.floor(d / Math.max(1, jobs))));
  const count = Math.ceil(length / size);
  const order = Array.from({ length: count }, (_, i) => (up ? count - 1 - i : i));
  const segs = order.map((k) => {
    const rel = k * size;
    const len = Math.min(size, length - rel);
    const endangered = up ? k > 0 : k < count - 1;
    const n = Math.min(d, len);
    const save =
      d <= MAX_SAVED && endangered ? { offset: up ? from + rel : from + rel + len - n, length: n } : null;
    return { from: from + rel, to: to + rel, length: len, save };
  });
  if (d <= MAX_SAVED) return [segs];
  const perWave = Math.max(1, Math.floor(d / size));
  const waves: MovePlan = [];
  for (let i = 0; i < segs.length; i += perWave) waves.push(segs.slice(i, i + perWave));
  return waves;
}
