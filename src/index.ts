/**
 * The public library surface of bigsync: re-exports only.
 */
export { syncLocalFile, type LocalSyncOptions } from './sync/local-sync.js';
export type { SyncSummary } from './sync/summary.js';
export type { Reporter, Progress, StartInfo, Warning } from './sync/reporter.js';
export { BigsyncError, ERROR_CODES, isBigsyncError, type ErrorCode, type ErrorData } from './errors.js';
export { parseSize, formatBytes } from './core/size-units.js';
export { DEFAULT_BLOCK_SIZE, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE } from './core/block-size.js';
