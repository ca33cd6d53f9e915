/**
 * How a sync tells the outside world what it is doing. The sync counts; a renderer in cli/ draws.
 * Every method is optional and must return quickly (it is called on the sync's own loop); a
 * reporter must not throw.
 */

/** Sent once when the sync knows its sizes. */
export interface StartInfo {
  source: string;
  target: string;
  size: number;
  blockSize: number;
  dryRun: boolean;
}

/** Sent as work completes (often: throttle in the renderer). */
export interface Progress {
  /** Bytes of the file compared (or copied) so far, of `bytesTotal`. */
  bytesDone: number;
  bytesTotal: number;
  bytesWritten: number;
  changedBlocks: number;
  /** Bytes sent and received over a transport (0 locally). */
  wireBytesSent: number;
  wireBytesReceived: number;
}

/** A warning: something worth saying that did not stop the sync. */
export interface Warning {
  code: string;
  message: string;
}

/** The interface a sync reports through. */
export interface Reporter {
  start?(info: StartInfo): void;
  progress?(p: Progress): void;
  warning?(w: Warning): void;
}

/** A reporter that says nothing. */
export const NULL_REPORTER: Reporter = {};
