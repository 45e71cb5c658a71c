import { DecryptionError } from './cipher-errors.ts';

/**
 * Stored ciphertexts carry a kind-and-version prefix, so a local ciphertext can never be handed to KMS (or the
 * reverse) by mistake, and a future format can live next to the current one:
 * - `dk1:<key id>:<base64>`: sealed with AES-256-GCM under a data key (envelope encryption, EnvelopeCipher);
 * - `kms1:<base64>`: encrypted by KMS itself (earlier versions; still read);
 * - `local1:<base64>`: AES-256-GCM under the local run's configured key (earlier versions; still read).
 */
export type CiphertextKind = 'kms1' | 'local1' | 'dk1';

const KINDS: readonly CiphertextKind[] = ['kms1', 'local1', 'dk1'];
/** `<purpose>-<generation>`: see DataKeyRecord. */
const DATA_KEY_ID = /^[a-z_]{1,40}-[1-9][0-9]{0,8}$/;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeCiphertext(kind: CiphertextKind, bytes: Uint8Array): string {
  return `${kind}:${Buffer.from(bytes).toString('base64')}`;
}

/** The bytes of a ciphertext of the expected kind; a typed DecryptionError for anything else. */
export function decodeCiphertext(expected: CiphertextKind, stored: string): Buffer {
  return strictBase64(expected, decodeCiphertextText(expected, stored));
}

/** The kind a stored value claims by its prefix; undefined when it claims none we know. */
export function kindOf(stored: string): CiphertextKind | undefined {
  const kind = stored.slice(0, Math.max(0, stored.indexOf(':')));
  return KINDS.includes(kind as CiphertextKind) ? (kind as CiphertextKind) : undefined;
}

function isDataKeyId(keyId: string): boolean {
  return DATA_KEY_ID.test(keyId);
}

/** `dk1:<key id>:<base64(bytes)>`. */
export function encodeSealed(keyId: string, bytes: Uint8Array): string {
  if (!isDataKeyId(keyId)) throw new Error('not a data key id');
  return `dk1:${keyId}:${Buffer.from(bytes).toString('base64')}`;
}

/** The key id and bytes of a `dk1:` value; a typed DecryptionError for anything else. */
export function decodeSealed(stored: string): { keyId: string; bytes: Buffer } {
  const rest = decodeCiphertextText('dk1', stored);
  const separator = rest.indexOf(':');
  const keyId = separator > 0 ? rest.slice(0, separator) : '';
  if (!isDataKeyId(keyId))
    throw new DecryptionError('malformed', 'the dk1 ciphertext names no valid data key');
  return { keyId, bytes: strictBase64('dk1', rest.slice(separator + 1)) };
}

function decodeCiphertextText(expected: CiphertextKind, stored: string): string {
  const kind = kindOf(stored);
  if (kind === expected) return stored.slice(expected.length + 1);
  if (kind)
    throw new DecryptionError('wrong_kind', `a ${kind} ciphertext cannot be decrypted as ${expected}`);
  throw new DecryptionError('malformed', `not a ${expected} ciphertext`);
}

function strictBase64(kind: CiphertextKind, payload: string): Buffer {
  if (payload.length === 0 || !STRICT_BASE64.test(payload)) {
    throw new DecryptionError('malformed', `the ${kind} ciphertext is not valid base64`);
  }
  return Buffer.from(payload, 'base64');
}
