import { ReasonedError } from '../../errors.ts';

/**
 * Why a decryption failed. Callers must tell them apart: only `refused` proves the ciphertext is useless
 * (wrong subscriber or purpose, other key, tampered); `unavailable` is the key service failing or misconfigured,
 * and never a reason to discard the stored ciphertext.
 */
export type DecryptionFailure =
  | 'malformed' // not a ciphertext of any known kind, or its bytes are truncated
  | 'wrong_kind' // a ciphertext of the other cipher (a `kms1:` value given to the local cipher, or the reverse)
  | 'refused' // authentication failed: another encryption context, another key, or tampered bytes
  | 'unavailable'; // the key service could not answer (throttled, key disabled, access denied, network)

/** Neither the secret nor the ciphertext ever appears in the message. */
export class DecryptionError extends ReasonedError<DecryptionFailure> {
  override readonly name = 'DecryptionError';

  constructor(reason: DecryptionFailure, detail: string, options?: { cause?: unknown }) {
    super(reason, `decryption failed (${reason}): ${detail}`, options);
  }

  /** True when trying again later may succeed. */
  get retryable(): boolean {
    return this.reason === 'unavailable';
  }
}

export type EncryptionFailure =
  | 'too_large' // KMS takes at most 4096 bytes of plaintext
  | 'unavailable'; // the key service could not answer

/** Neither the secret nor the ciphertext ever appears in the message. */
export class EncryptionError extends ReasonedError<EncryptionFailure> {
  override readonly name = 'EncryptionError';

  constructor(reason: EncryptionFailure, detail: string, options?: { cause?: unknown }) {
    super(reason, `encryption failed (${reason}): ${detail}`, options);
  }
}
