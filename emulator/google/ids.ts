/** Identifiers in the shapes Google uses (opaque to clients, but realistic). */
import { randomBytes, randomInt } from 'node:crypto';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** Google's event id alphabet: lower-case base32hex. */
export function randomBase32Hex(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += BASE32HEX[byte & 31];
  return out;
}

export const randomToken = (prefix: string, bytes = 48): string =>
  `${prefix}${randomBytes(bytes).toString('base64url')}`;

/** A Google account id (`sub`): 21 digits. */
export function randomAccountId(): string {
  let digits = '1';
  for (let i = 0; i < 20; i++) digits += randomInt(10).toString();
  return digits;
}
