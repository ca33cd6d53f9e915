/**
 * Byte sizes and rates as people write them: `4096`, `64K`, `1.5M`, `2G`, `1T` (binary units,
 * case-insensitive, an optional trailing `B` or `iB`). Pure functions.
 */
import { BigsyncError } from '../errors.js';

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * Parses a size such as `64K` into bytes (a whole number).
 * @throws BigsyncError BAD_SIZE when the text is not a size or the value is not a safe integer.
 */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (m === null) {
    throw new BigsyncError(
      'BAD_SIZE',
      `invalid ${what} '${text}': expected a number with an optional K/M/G/T suffix`,
      {
        value: text,
      },
    );
  }
  const unit = UNITS[(m[2] ?? '').toUpperCase()] ?? 1;
  const value = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(value)) {
    throw new BigsyncError('BAD_SIZE', `invalid ${what} '${text}': too large`, { value: text });
  }
  return value;
}

/** Formats bytes for people: `0 B`, `512 B`, `64.0 KiB`, `1.50 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const names = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < names.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${names[i]}`;
}

/** Formats a duration in seconds as `0.42s`, `12.3s`, `3m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
