import type { Cipher, EncryptionContext } from '../../ports/cipher.ts';
import { openAesGcm, sealAesGcm } from './aes-gcm.ts';
import { DecryptionError } from './cipher-errors.ts';
import { decodeSealed, encodeSealed, kindOf } from './ciphertext-format.ts';
import type { DataKeyRing } from './data-key-ring.ts';
import { canonicalContext } from './local-cipher.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Envelope encryption: each secret is sealed with AES-256-GCM under its purpose's active data key, and the
 * data key is unwrapped by the key service once per container, so opening a token costs no key-service call.
 * The format, the key id and the context `{subscriberId, purpose}` are the additional authenticated data: a
 * ciphertext opens only for the subscriber and purpose it was sealed for, under the key it names.
 * Stored form: `dk1:<key id>:<base64(iv | tag | ciphertext)>`. Values of earlier versions (`kms1:`, `local1:`)
 * are opened by `earlier`, and sealed in the new form the next time they are written.
 */
export class EnvelopeCipher implements Cipher {
  constructor(
    private readonly keys: DataKeyRing,
    private readonly earlier?: Pick<Cipher, 'decrypt'>,
  ) {}

  async encrypt(plaintext: string, context: EncryptionContext): Promise<string> {
    const { keyId, key } = await this.keys.activeKey(context.purpose);
    const sealed = sealAesGcm(key, Buffer.from(plaintext, 'utf8'), additionalData(keyId, context));
    return encodeSealed(keyId, sealed);
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<string> {
    if (kindOf(ciphertext) !== 'dk1' && this.earlier) return this.earlier.decrypt(ciphertext, context);
    const { keyId, bytes } = decodeSealed(ciphertext);
    // Checked before any key is fetched: a function never unwraps keys of a purpose it has no business with.
    if (!keyId.startsWith(`${context.purpose}-`)) {
      throw new DecryptionError('refused', 'the ciphertext was sealed under a key of another purpose');
    }
    const key = await this.keys.key(keyId);
    const opened = openAesGcm(key, bytes, additionalData(keyId, context));
    if ('failure' in opened) {
      if (opened.failure === 'truncated')
        throw new DecryptionError('malformed', 'the dk1 ciphertext is truncated');
      throw new DecryptionError('refused', 'authentication failed (other context, other key, or tampered)');
    }
    try {
      return utf8.decode(opened.plaintext);
    } catch {
      throw new DecryptionError('malformed', 'the decrypted bytes are not UTF-8 text');
    }
  }
}

function additionalData(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([Buffer.from(`dk1\n${keyId}\n`, 'utf8'), canonicalContext(context)]);
}
