import { KMSClient } from '@aws-sdk/client-kms';
import type { Cipher } from '../../ports/cipher.ts';
import { KmsCipher } from './kms-cipher.ts';
import { LocalAesGcmCipher } from './local-cipher.ts';

/** KMS in AWS; AES-256-GCM under a configured key for the local run and tests. */
export type CipherSettings = { kind: 'kms'; keyId: string } | { kind: 'local'; keyBase64: string };

/** One cipher per container: create it once, outside the handler. */
export function createCipher(
  settings: CipherSettings,
  kms: () => KMSClient = () => new KMSClient({}),
): Cipher {
  return settings.kind === 'kms'
    ? new KmsCipher(kms(), settings.keyId)
    : new LocalAesGcmCipher(settings.keyBase64);
}
