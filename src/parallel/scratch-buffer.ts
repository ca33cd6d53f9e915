/**
 * Reusable buffers per thread for tasks that need a whole block or a source window in memory:
 * grown on demand, never shrunk (block sizes are capped at 64 MiB, windows at a chunk plus a block).
 */
const slots: Buffer[] = [];

/** A buffer of at least `size` bytes for `slot` (0, 1, ...), valid until the next call for that slot on this thread. */
export function scratch(size: number, slot = 0): Buffer {
  const have = slots[slot];
  if (have !== undefined && have.length >= size) return have;
  const fresh = Buffer.allocUnsafe(size);
  slots[slot] = fresh;
  return fresh;
}
