/**
 * Micro-benchmark behind docs/design.md's hash choice: per-core throughput of the candidate block
 * hashes from node:crypto, per block size, over 512 MiB of random data in one buffer per size.
 * Run: `node dist/bench/hash-speed.js` (after `npm run build`; unset NODE_EXTRA_CA_CERTS).
 */
import * as crypto from 'node:crypto';

const TOTAL = 512 * 1024 * 1024;
const key = crypto.randomBytes(16);
const iv = crypto.randomBytes(12);

const HASHES: Record<string, (b: Buffer) => Buffer> = {
  sha256: (b) => crypto.createHash('sha256').update(b).digest(),
  'gmac (aes-128-gcm, setAAD)': (b) => {
    const c = crypto.createCipheriv('aes-128-gcm', key, iv);
    c.setAAD(b);
    c.final();
    return c.getAuthTag();
  },
  md5: (b) => crypto.createHash('md5').update(b).digest(),
  blake2b512: (b) => crypto.createHash('blake2b512').update(b).digest(),
};

for (const bs of [4096, 65536, 131072, 1048576]) {
  const buf = crypto.randomBytes(bs);
  const cells = Object.entries(HASHES).map(([name, fn]) => {
    const t = performance.now();
    for (let i = 0; i < TOTAL / bs; i++) fn(buf);
    return `${name} ${(TOTAL / ((performance.now() - t) / 1000) / 1e9).toFixed(2)} GB/s`;
  });
  process.stdout.write(`block ${bs}: ${cells.join(', ')}\n`);
}
