import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HostKeysError, hostKeysFromEntries, parseHostKeysText } from '../../domain/host-keys.ts';
import type { HostKeyRing } from '../../ports/host-keys.ts';
import { isSecretPlaceholder, SecretNotSetError } from './secret-not-set.ts';

export { HostKeysError } from '../../domain/host-keys.ts';

/** Locally: the keys of HOST_KEYS (validated with the configuration). */
export class StaticHostKeyRing implements HostKeyRing {
  constructor(private readonly keys: ReadonlyMap<string, Buffer>) {}

  static fromText(text: string): StaticHostKeyRing {
    const { keys, problems } = parseHostKeysText(text);
    if (problems.length > 0) throw new HostKeysError(`HOST_KEYS: ${problems.join('; ')}`);
    return new StaticHostKeyRing(keys);
  }

  async keyFor(keyId: string): Promise<Buffer | undefined> {
    return this.keys.get(keyId);
  }
}

/**
 * In AWS: the keys from a Secrets Manager JSON secret, read through Powertools Parameters and kept for
 * `maxAgeSeconds` (5 minutes), so that a key added or removed in the secret is seen by warm functions soon.
 */
export class SecretsManagerHostKeyRing implements HostKeyRing {
  private readonly provider: SecretsProvider;

  constructor(
    private readonly options: { secretId: string; maxAgeSeconds?: number; client?: SecretsManagerClient },
  ) {
    this.provider = new SecretsProvider(options.client ? { awsSdkV3Client: options.client } : {});
  }

  async keyFor(keyId: string): Promise<Buffer | undefined> {
    return (await this.keys()).get(keyId);
  }

  private async keys(): Promise<Map<string, Buffer>> {
    let text: unknown;
    try {
      text = await this.provider.get(this.options.secretId, { maxAge: this.options.maxAgeSeconds ?? 300 });
    } catch (error) {
      // Powertools wraps every failure in a GetParameterError: the SDK's error (missing secret, access denied)
      // is its cause, and that is the name an operator needs.
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new HostKeysError(
        `host keys secret: could not be read (${cause instanceof Error ? cause.name : 'unknown error'})`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(String(text));
    } catch {
      // The parser's message would quote the secret.
      throw new HostKeysError('host keys secret: the value is not valid JSON');
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new HostKeysError('host keys secret: the value is not a JSON object');
    }
    if (isSecretPlaceholder(json)) throw new SecretNotSetError(this.options.secretId, 'host keys secret');
    const { keys, problems } = hostKeysFromEntries(Object.entries(json));
    if (problems.length > 0) throw new HostKeysError(`host keys secret: ${problems.join('; ')}`);
    return keys;
  }
}
