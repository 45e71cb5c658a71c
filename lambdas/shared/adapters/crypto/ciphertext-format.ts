import { DecryptionError } from './cipher-errors.ts';

/**
 * Stored ciphertexts carry a kind-and-version prefix, so a local ciphertext can never be handed to KMS (or the
 * reverse) by mistake, and a future format can live next to the current one.
 */
export type CiphertextKind = 'kms1' | 'local1';

const KINDS: readonly CiphertextKind[] = ['kms1', 'local1'];
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeCiphertext(kind: CiphertextKind, bytes: Uint8Array): string {
  return `${kind}:${Buffer.from(bytes).toString('base64')}`;
}

/** The bytes of a ciphertext of the expected kind; a typed DecryptionError for anything else. */
export function decodeCiphertext(expected: CiphertextKind, stored: string): Buffer {
  const separator = stored.indexOf(':');
  const kind = separator > 0 ? stored.slice(0, separator) : undefined;
  if (kind !== expected) {
    if (KINDS.includes(kind as CiphertextKind)) {
      throw new DecryptionError('wrong_kind', `a ${kind} ciphertext cannot be decrypted as ${expected}`);
    }
    throw new DecryptionError('malformed', `not a ${expected} ciphertext`);
  }
  const payload = stored.slice(separator + 1);
  if (payload.length === 0 || !STRICT_BASE64.test(payload)) {
    throw new DecryptionError('malformed', `the ${expected} ciphertext is not valid base64`);
  }
  return Buffer.from(payload, 'base64');
}
