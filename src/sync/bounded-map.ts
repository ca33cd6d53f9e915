/**
 * Running many executor tasks with a bounded number in flight. The executor runs a task on the
 * calling thread when every worker is busy; submitting a whole list at once would therefore put
 * almost all of it on the calling thread, one after another. Here the next task is submitted only
 * when one finishes, so workers and the calling thread share the list.
 */

/**
 * Maps `items` through `fn` with at most `limit` calls pending; results in input order.
 * Rejects with the first failure (calls already started still run to their end).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
