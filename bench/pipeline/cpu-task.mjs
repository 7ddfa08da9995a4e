// A CPU-heavy task (about what one detection frame costs): hashes a buffer over and over.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export default function burn({ ms }) {
  const data = Buffer.alloc(64 * 1024, 7);
  const end = performance.now() + ms;
  let rounds = 0;
  while (performance.now() < end) {
    createHash('sha256').update(data).digest();
    rounds++;
  }
  return rounds;
}
