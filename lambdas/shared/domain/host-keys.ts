/**
 * The host's signing keys: `HOST_KEYS` (`kid1:key1,kid2:key2`) locally, or a Secrets Manager secret
 * `{ "kid1": "key1", ... }` in AWS. A key is hex (an even number of hex digits) or base64/base64url, and at
 * least 32 bytes once decoded. Errors name the key id or position, never a key.
 */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_KEY_BYTES = 32;
const MAX_KEYS = 20;

export class HostKeysError extends Error {
  override readonly name = 'HostKeysError';
}

/** The bytes of one key as written in the configuration; undefined when it is not hex or base64 of 32+ bytes. */
export function decodeHostKey(text: string): Buffer | undefined {
  const value = text.trim();
  let bytes: Buffer;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) bytes = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) bytes = Buffer.from(value, 'base64');
  else return undefined;
  return bytes.length >= MIN_KEY_BYTES ? bytes : undefined;
}

/** Validates key id -> key text pairs; returns the problems (names and positions only) and the keys. */
export function hostKeysFromEntries(entries: [string, unknown][]): {
  keys: Map<string, Buffer>;
  problems: string[];
} {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  if (entries.length === 0) problems.push('no key');
  if (entries.length > MAX_KEYS) problems.push(`more than ${MAX_KEYS} keys`);
  entries.forEach(([keyId, text], index) => {
    const where = KEY_ID_PATTERN.test(keyId) ? `key "${keyId}"` : `key #${index + 1}`;
    if (!KEY_ID_PATTERN.test(keyId)) problems.push(`${where}: the key id must be 1-64 of A-Z a-z 0-9 . _ -`);
    else if (keys.has(keyId)) problems.push(`${where}: appears twice`);
    const key = typeof text === 'string' ? decodeHostKey(text) : undefined;
    if (!key) problems.push(`${where}: must be hex or base64 of at least ${MIN_KEY_BYTES} bytes`);
    else if (KEY_ID_PATTERN.test(keyId)) keys.set(keyId, key);
  });
  return { keys, problems };
}

/** `kid1:key1,kid2:key2` (spaces around entries allowed). */
export function parseHostKeysText(text: string): { keys: Map<string, Buffer>; problems: string[] } {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry): [string, string] => {
      const separator = entry.indexOf(':');
      return separator < 0 ? ['', entry] : [entry.slice(0, separator).trim(), entry.slice(separator + 1)];
    });
  return hostKeysFromEntries(entries);
}
