import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random values of the connect flow: 256 bits, base64url (state, browser binding, PKCE verifier). */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** What `state` and cookie values look like (refused before any lookup otherwise). */
export const RANDOM_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export const pkceChallenge = (verifier: string): string =>
  createHash('sha256').update(verifier, 'ascii').digest('base64url');

export function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
