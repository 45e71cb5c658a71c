import { KMSClient } from '@aws-sdk/client-kms';
import type { Cipher } from '../../ports/cipher.ts';
import type { DataKeyStore } from '../../ports/data-key-store.ts';
import { DataKeyRing, type DataKeyRingOptions } from './data-key-ring.ts';
import { EnvelopeCipher } from './envelope-cipher.ts';
import { KmsCipher } from './kms-cipher.ts';
import { KmsKeyService } from './kms-key-service.ts';
import { LocalAesGcmCipher } from './local-cipher.ts';
import { LocalKeyWrapper } from './local-key-wrapper.ts';

/**
 * KMS in AWS; a configured key for the local run and tests. `dataKeys` names the table of data keys: with it,
 * secrets are sealed by envelope encryption (EnvelopeCipher, KMS only to unwrap a data key); without it, by the
 * key itself as in earlier versions (every open a KMS call).
 */
export type CipherSettings = ({ kind: 'kms'; keyId: string } | { kind: 'local'; keyBase64: string }) & {
  dataKeys?: string;
};

/** One cipher per container: create it once, outside the handler. */
export function createCipher(
  settings: CipherSettings,
  kms: () => KMSClient = () => new KMSClient({}),
  dataKeys?: DataKeyStore,
  ring: Omit<DataKeyRingOptions, 'store' | 'wrapper'> = {},
): Cipher {
  if (settings.kind === 'kms') {
    if (!dataKeys) return new KmsCipher(kms(), settings.keyId);
    const service = new KmsKeyService(kms(), settings.keyId);
    return new EnvelopeCipher(new DataKeyRing({ ...ring, store: dataKeys, wrapper: service }), service);
  }
  const earlier = new LocalAesGcmCipher(settings.keyBase64);
  if (!dataKeys) return earlier;
  const wrapper = new LocalKeyWrapper(settings.keyBase64);
  return new EnvelopeCipher(new DataKeyRing({ ...ring, store: dataKeys, wrapper }), earlier);
}
