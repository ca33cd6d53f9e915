/**
 * The result of one sync, as the library returns it and as `--json` prints it (one object with
 * `"type": "summary"`). Field meanings are documented in docs/cli.md; add fields, never rename.
 */

/** How blocks are matched (see LocalSyncOptions.match). */
export type MatchMode = 'auto' | 'aligned' | 'rolling';

/** The summary of one file sync. */
export interface SyncSummary {
  type: 'summary';
  source: string;
  target: string;
  /** The source's size, which the target has afterwards. */
  size: number;
  blockSize: number;
  blocks: number;
  /** Blocks whose bytes differed (in whole-file mode: every block). */
  changedBlocks: number;
  /** Fraction of blocks that were identical, 0..1. */
  similarity: number;
  /** Bytes read from both files (holes are not read). */
  bytesRead: number;
  /** Bytes written to the target (a dry run: bytes that would be written). */
  bytesWritten: number;
  /** Bytes of the target made to read as zero by punching holes (or would be). */
  bytesZeroed: number;
  /** Bytes of the source that are holes: never read, never written. */
  holeBytes: number;
  /** Whether every changed range was read back and matched the source (false in a dry run). */
  verified: boolean;
  dryRun: boolean;
  mode: 'compare' | 'whole';
  /** The match this sync used: 'aligned', or 'rolling' when it also searched for moved data. */
  match: 'aligned' | 'rolling';
  /** Bytes of the result already in place: neither written, moved nor zeroed. */
  matchedBytes: number;
  /** Bytes copied from elsewhere in the old target (data that moved); 0 in an aligned match. */
  movedBytes: number;
  /** Bytes that had to come from the source's data (written, or sent over the wire). */
  literalBytes: number;
  jobs: number;
  seconds: number;
  wireBytesSent: number;
  wireBytesReceived: number;
}
