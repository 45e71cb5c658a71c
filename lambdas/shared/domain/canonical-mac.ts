import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a presented base64url MAC is exactly the expected one, compared as canonical text in constant time.
 * 32 bytes take 43 characters whose last one carries 2 unused bits; decoding ignores them, so comparing decoded
 * bytes would let 4 different strings verify. Comparing the presented text with the expected MAC's own encoding
 * leaves exactly one.
 */
export function macMatches(presented: string, expected: Buffer): boolean {
  const canonical = Buffer.from(expected.toString('base64url'), 'utf8');
  const given = Buffer.from(presented, 'utf8');
  return given.length === canonical.length && timingSafeEqual(given, canonical);
}
