import { timingSafeEqual } from 'node:crypto';

/** Compares a secret someone offered with ours in constant time (for equal lengths). */
export function sameSecret(offered: string, expected: string): boolean {
  const x = Buffer.from(offered);
  const y = Buffer.from(expected);
  return x.length === y.length && timingSafeEqual(x, y);
}
