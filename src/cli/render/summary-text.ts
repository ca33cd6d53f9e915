/**
 * The human summaries: `--stats` at the end of a sync, and the similarity report of `--dry-run`.
 */
import { formatBytes, formatDuration } from '../../core/size-units.js';
import type { SyncSummary } from '../../sync/summary.js';

function pct(x: number): string {
  return `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 2)}%`;
}

/** How the bytes of the result come about: in place, moved within the target, or from the source. */
function matchLines(s: SyncSummary, dry: boolean): string[] {
  const move = dry ? 'would move' : 'moved';
  return [
    `  match          ${s.match}`,
    `  in place       ${formatBytes(s.matchedBytes)} (${s.matchedBytes} bytes)`,
    `  ${move.padEnd(15)}${formatBytes(s.movedBytes)} (${s.movedBytes} bytes) within the target`,
    `  literal        ${formatBytes(s.literalBytes)} (${s.literalBytes} bytes) from the source`,
  ];
}

/** The dry-run report: how similar the files are and what a real run would do. */
export function dryRunText(s: SyncSummary): string {
  return [
    `dry run: ${s.source} -> ${s.target} (nothing written)`,
    `  size           ${formatBytes(s.size)} (${s.size} bytes), ${s.blocks} blocks of ${formatBytes(s.blockSize)}`,
    `  identical      ${s.blocks - s.changedBlocks} blocks (${pct(s.similarity)})`,
    `  differing      ${s.changedBlocks} blocks`,
    `  would write    ${formatBytes(s.bytesWritten)} (${s.bytesWritten} bytes)`,
    `  would zero     ${formatBytes(s.bytesZeroed)} as holes`,
    ...matchLines(s, true),
    `  source holes   ${formatBytes(s.holeBytes)}`,
  ].join('\n');
}

/** The `--stats` summary. */
export function statsText(s: SyncSummary): string {
  const rate = s.seconds > 0 ? s.size / s.seconds : 0;
  const lines = [
    `synced ${s.source} -> ${s.target} in ${formatDuration(s.seconds)} (${formatBytes(rate)}/s)`,
    `  size           ${formatBytes(s.size)} (${s.size} bytes), ${s.blocks} blocks of ${formatBytes(s.blockSize)}`,
    `  changed        ${s.changedBlocks} blocks (${pct(1 - s.similarity)})`,
    `  read           ${formatBytes(s.bytesRead)}`,
    `  written        ${formatBytes(s.bytesWritten)} (${s.bytesWritten} bytes)`,
    `  zeroed (holes) ${formatBytes(s.bytesZeroed)}`,
    ...matchLines(s, false),
    `  source holes   ${formatBytes(s.holeBytes)}`,
  ];
  if (s.wireBytesSent + s.wireBytesReceived > 0) {
    lines.push(
      `  wire           ${formatBytes(s.wireBytesSent)} sent, ${formatBytes(s.wireBytesReceived)} received`,
    );
  }
  lines.push(`  verified       ${s.verified ? 'yes' : 'no'}`, `  workers        ${s.jobs}`);
  return lines.join('\n');
}
