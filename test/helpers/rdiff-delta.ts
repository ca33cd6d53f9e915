/**
 * Reading a librsync delta file (what `rdiff delta` writes) far enough to count its literal bytes,
 * for the differential tests against rdiff. Layout: the magic 0x72730236, then commands: 0x00
 * END; 0x01..0x40 a literal of that many bytes; 0x41..0x44 a literal whose length follows in 1,
 * 2, 4 or 8 bytes; 0x45..0x54 a copy with a start and a length of 1, 2, 4 or 8 bytes each
 * (big-endian). The test only needs the literal total and the copy total.
 */

const MAGIC = 0x72730236;

function readN(buf: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + (buf[at + i] as number);
  return v;
}

/** Literal and copied bytes of a delta. @throws Error on a malformed delta. */
export function deltaTotals(delta: Buffer): { literal: number; copied: number } {
  if (delta.readUInt32BE(0) !== MAGIC) throw new Error('not a librsync delta (bad magic)');
  let at = 4;
  let literal = 0;
  let copied = 0;
  for (;;) {
    const op = delta[at++];
    if (op === undefined) throw new Error('delta ends without END');
    if (op === 0) return { literal, copied };
    if (op <= 0x40) {
      literal += op;
      at += op;
    } else if (op <= 0x44) {
      const n = 1 << (op - 0x41);
      const len = readN(delta, at, n);
      literal += len;
      at += n + len;
    } else if (op <= 0x54) {
      const k = op - 0x45;
      const sn = 1 << Math.floor(k / 4);
      const ln = 1 << (k % 4);
      copied += readN(delta, at + sn, ln);
      at += sn + ln;
    } else throw new Error(`unknown delta command 0x${op.toString(16)}`);
  }
}
