import { randomBytes } from 'node:crypto';
import type { SecretPurpose } from '../../ports/cipher.ts';
import { AES_KEY_BYTES, openAesGcm, sealAesGcm } from './aes-gcm.ts';
import { DecryptionError } from './cipher-errors.ts';
import { decodeCiphertext, encodeCiphertext } from './ciphertext-format.ts';
import type { DataKeyWrapper } from './data-key-ring.ts';
import { canonicalContext, LocalAesGcmCipher } from './local-cipher.ts';

/**
 * The local run's stand-in for KMS in envelope encryption: data keys are wrapped with AES-256-GCM under the
 * configured local key, bound to `{purpose, dataKeyId}` as KMS binds its encryption context.
 */
export class LocalKeyWrapper implements DataKeyWrapper {
  private readonly masterKey: Buffer;

  /** @param keyBase64 the local cipher key (32 bytes, base64), checked as LocalAesGcmCipher checks it. */
  constructor(keyBase64: string) {
    new LocalAesGcmCipher(keyBase64);
    this.masterKey = Buffer.from(keyBase64, 'base64');
  }

  async generate(
    purpose: SecretPurpose,
    dataKeyId: string,
  ): Promise<{ plaintext: Buffer; wrappedKey: string }> {
    const plaintext = randomBytes(AES_KEY_BYTES);
    const wrapped = sealAesGcm(this.masterKey, plaintext, wrappingContext(purpose, dataKeyId));
    return { plaintext, wrappedKey: encodeCiphertext('local1', wrapped) };
  }

  async unwrap(purpose: SecretPurpose, dataKeyId: string, wrappedKey: string): Promise<Buffer> {
    const opened = openAesGcm(
      this.masterKey,
      decodeCiphertext('local1', wrappedKey),
      wrappingContext(purpose, dataKeyId),
    );
    if ('failure' in opened)
      throw new DecryptionError('refused', 'the wrapped data key did not authenticate');
    return opened.plaintext;
  }
}

// The same canonical form as a secret's context; the key sets differ, so the two can never be confused.
const wrappingContext = (purpose: SecretPurpose, dataKeyId: string) =>
  canonicalContext({ purpose, dataKeyId });
