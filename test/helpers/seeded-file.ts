/** Seeded test files of any size, written in 4 MiB pieces (bounded memory). */
import * as fs from 'node:fs';
import { Keystream } from '../../bench/seeded-random.js';

/** Writes `size` bytes of the keystream of `seed` to `path` (replacing it). */
export function writeSeededFile(path: string, size: number, seed: string): void {
  const ks = new Keystream(seed);
  const fd = fs.openSync(path, 'w');
  try {
    for (let pos = 0; pos < size; pos += 4 << 20) {
      const buf = ks.next(Math.min(4 << 20, size - pos));
      fs.writeSync(fd, buf, 0, buf.length, pos);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** True when both files hold the same bytes (compared in 8 MiB pieces). */
export function sameBytes(a: string, b: string): boolean {
  const sa = fs.statSync(a).size;
  if (sa !== fs.statSync(b).size) return false;
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  const ba = Buffer.allocUnsafe(8 << 20);
  const bb = Buffer.allocUnsafe(8 << 20);
  try {
    for (let pos = 0; pos < sa; pos += ba.length) {
      const n = fs.readSync(fa, ba, 0, ba.length, pos);
      const m = fs.readSync(fb, bb, 0, bb.length, pos);
      if (n !== m || !ba.subarray(0, n).equals(bb.subarray(0, m))) return false;
    }
    return true;
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}
