import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Cipher, EncryptionContext, SecretPurpose } from '../../ports/cipher.ts';
import { DecryptionError, EncryptionError } from './cipher-errors.ts';
import { decodeCiphertext, encodeCiphertext } from './ciphertext-format.ts';
import type { DataKeyWrapper } from './data-key-ring.ts';

/**
 * KMS exceptions that prove the ciphertext does not belong to this key and context (or was altered).
 * Anything else (throttling, disabled key, access denied, network) says nothing about the ciphertext.
 */
const REFUSALS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Everything the service asks of its KMS key (symmetric): it makes data keys (GenerateDataKey) and unwraps them
 * (Decrypt), each under the encryption context `{purpose, dataKeyId}`, and it opens the `kms1:` values of
 * earlier versions, which KMS encrypted itself under `{subscriberId, purpose}`. Decrypt always names the key,
 * so a ciphertext made under any other key is refused instead of silently accepted.
 */
export class KmsKeyService implements DataKeyWrapper, Pick<Cipher, 'decrypt'> {
  constructor(
    private readonly kms: KMSClient,
    /** Key id, key ARN, alias name or alias ARN. */
    private readonly keyId: string,
  ) {}

  async generate(
    purpose: SecretPurpose,
    dataKeyId: string,
  ): Promise<{ plaintext: Buffer; wrappedKey: string }> {
    let answer: { Plaintext?: Uint8Array | undefined; CiphertextBlob?: Uint8Array | undefined };
    try {
      answer = await this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { purpose, dataKeyId },
        }),
      );
    } catch (error) {
      throw new EncryptionError('unavailable', `KMS GenerateDataKey failed (${errorName(error)})`, {
        cause: error,
      });
    }
    if (!answer.Plaintext || !answer.CiphertextBlob) {
      throw new EncryptionError('unavailable', 'KMS GenerateDataKey returned no key');
    }
    return {
      plaintext: Buffer.from(answer.Plaintext),
      wrappedKey: encodeCiphertext('kms1', answer.CiphertextBlob),
    };
  }

  async unwrap(purpose: SecretPurpose, dataKeyId: string, wrappedKey: string): Promise<Buffer> {
    const blob = decodeCiphertext('kms1', wrappedKey);
    return Buffer.from(await this.kmsDecrypt(blob, { purpose, dataKeyId }));
  }

  /** A `kms1:` value of earlier versions, encrypted by KMS itself under `{subscriberId, purpose}`. */
  async decrypt(ciphertext: string, { subscriberId, purpose }: EncryptionContext): Promise<string> {
    const plaintext = await this.kmsDecrypt(decodeCiphertext('kms1', ciphertext), { subscriberId, purpose });
    try {
      return utf8.decode(plaintext);
    } catch {
      throw new DecryptionError('malformed', 'the decrypted bytes are not UTF-8 text');
    }
  }

  private async kmsDecrypt(blob: Uint8Array, context: Record<string, string>): Promise<Uint8Array> {
    let plaintext: Uint8Array | undefined;
    try {
      ({ Plaintext: plaintext } = await this.kms.send(
        new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: blob, EncryptionContext: context }),
      ));
    } catch (error) {
      const name = errorName(error);
      const reason = REFUSALS.has(name) ? 'refused' : 'unavailable';
      throw new DecryptionError(reason, `KMS Decrypt failed (${name})`, { cause: error });
    }
    if (!plaintext) throw new DecryptionError('unavailable', 'KMS Decrypt returned no plaintext');
    return plaintext;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
