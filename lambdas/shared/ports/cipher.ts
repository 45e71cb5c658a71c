/**
 * Encrypts the secrets the service keeps (Google refresh tokens, feed tokens). The context is bound to the
 * ciphertext (KMS encryption context / AES-GCM additional data): a ciphertext only decrypts under the same
 * context, so one subscriber's ciphertext can never be replayed as another's, or as another kind of secret.
 * The context is not secret (KMS logs it in CloudTrail).
 */
export type SecretPurpose = 'google_refresh_token' | 'feed_token';

export interface EncryptionContext {
  subscriberId: string;
  purpose: SecretPurpose;
}

export interface Cipher {
  /** Returns an opaque, storable string (base64). */
  encrypt(plaintext: string, context: EncryptionContext): Promise<string>;
  /** Throws when the ciphertext was not made under this exact context or was tampered with. */
  decrypt(ciphertext: string, context: EncryptionContext): Promise<string>;
}
