import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerHostKeyRing, StaticHostKeyRing } from '../adapters/secrets/host-keys.ts';
import type { HostKeyRing } from '../ports/host-keys.ts';
import type { HostKeysSource, SecretSource } from './config-parts.ts';
import type { WiringOverrides } from './overrides.ts';

/** A secret read once per container: from Secrets Manager in AWS, from the environment locally. */
export function secretLoader(
  source: SecretSource,
  client: SecretsManagerClient | undefined,
): () => Promise<string> {
  if (source.kind === 'environment') return async () => source.value;
  const provider = new SecretsProvider(client ? { awsSdkV3Client: client } : {});
  return async () => {
    const value = await provider.get(source.secretId, { maxAge: Number.MAX_SAFE_INTEGER });
    if (typeof value !== 'string' || value.length < 32) {
      throw new Error('the subscriber id secret is missing or shorter than 32 characters');
    }
    return value;
  };
}

/** The keys the host signs with (change notifications, connect intents). */
export function hostKeyRing(source: HostKeysSource, overrides: WiringOverrides): HostKeyRing {
  return source.kind === 'secrets_manager'
    ? new SecretsManagerHostKeyRing({
        secretId: source.secretId,
        ...(overrides.secretsManager ? { client: overrides.secretsManager } : {}),
      })
    : StaticHostKeyRing.fromText(source.text);
}
