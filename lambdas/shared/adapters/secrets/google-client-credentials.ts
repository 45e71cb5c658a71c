import { TransformParameterError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ReasonedError } from '../../errors.ts';
import type {
  GoogleClientCredentials,
  GoogleClientCredentialsSource,
} from '../../ports/google-client-credentials.ts';
import { isSecretPlaceholder, SecretNotSetError } from './secret-not-set.ts';

export type GoogleClientCredentialsFailure =
  | 'unavailable' // the secret could not be read (missing, access denied, network)
  | 'malformed' // the secret is not a JSON object
  | 'incomplete'; // a field is missing or empty

/** Names the source and the missing field; never contains the secret or any part of it. */
export class GoogleClientCredentialsError extends ReasonedError<GoogleClientCredentialsFailure> {
  override readonly name = 'GoogleClientCredentialsError';
}

const credentialsSchema = z.object({
  clientId: z.string().trim().min(1),
  clientSecret: z.string().trim().min(1),
});

/** Field names that failed validation, and nothing of their values. */
function invalidFields(value: unknown): (keyof GoogleClientCredentials)[] {
  const result = credentialsSchema.safeParse(value);
  if (result.success) return [];
  return [...new Set(result.error.issues.map((issue) => issue.path[0] as keyof GoogleClientCredentials))];
}

function validated(
  value: unknown,
  describeField: (field: keyof GoogleClientCredentials) => string,
  where: string,
) {
  const fields = invalidFields(value);
  if (fields.length > 0) {
    throw new GoogleClientCredentialsError(
      'incomplete',
      `${where}: missing or empty ${fields.map(describeField).join(', ')}`,
    );
  }
  return credentialsSchema.parse(value);
}

const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

export interface SecretsManagerGoogleClientCredentialsOptions {
  /** Secret name or ARN. Its value: `{ "clientId": "...", "clientSecret": "..." }`. */
  secretId: string;
  /** How long a warm function keeps the secret before reading it again (default 5 minutes). */
  maxAgeSeconds?: number;
  /** For tests and custom configuration; by default Powertools creates its own client. */
  client?: SecretsManagerClient;
}

/** In AWS: the Google OAuth client from Secrets Manager, through Powertools Parameters and its cache. */
export class SecretsManagerGoogleClientCredentials implements GoogleClientCredentialsSource {
  private readonly provider: SecretsProvider;
  private readonly secretId: string;
  private readonly maxAgeSeconds: number;

  constructor({ secretId, maxAgeSeconds, client }: SecretsManagerGoogleClientCredentialsOptions) {
    this.secretId = secretId;
    this.maxAgeSeconds = maxAgeSeconds ?? DEFAULT_SECRET_MAX_AGE_SECONDS;
    this.provider = new SecretsProvider(client ? { awsSdkV3Client: client } : {});
  }

  async get(): Promise<GoogleClientCredentials> {
    const where = 'Google client credentials secret';
    let value: unknown;
    try {
      value = await this.provider.get(this.secretId, { maxAge: this.maxAgeSeconds, transform: 'json' });
    } catch (error) {
      if (error instanceof TransformParameterError) {
        // The JSON parser's message quotes the start of the secret: drop it, cause included.
        throw new GoogleClientCredentialsError('malformed', `${where}: the value is not valid JSON`);
      }
      throw new GoogleClientCredentialsError(
        'unavailable',
        `${where}: could not be read (${errorName(error)})`,
        {
          cause: error,
        },
      );
    }
    if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new GoogleClientCredentialsError('malformed', `${where}: the value is not a JSON object`);
    }
    if (isSecretPlaceholder(value)) throw new SecretNotSetError(this.secretId, where);
    return validated(value, (field) => field, where);
  }
}

/** Locally: the Google OAuth client from GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET. */
export class EnvironmentGoogleClientCredentials implements GoogleClientCredentialsSource {
  static readonly VARIABLES = { clientId: 'GOOGLE_CLIENT_ID', clientSecret: 'GOOGLE_CLIENT_SECRET' } as const;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(): Promise<GoogleClientCredentials> {
    const { VARIABLES } = EnvironmentGoogleClientCredentials;
    const value = { clientId: this.env[VARIABLES.clientId], clientSecret: this.env[VARIABLES.clientSecret] };
    return validated(value, (field) => VARIABLES[field], 'Google client credentials environment');
  }
}

function errorName(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.name : 'unknown error';
}

/** Secrets Manager in AWS; the environment for the local run. */
export type GoogleClientCredentialsSettings =
  | { kind: 'secrets_manager'; secretId: string }
  | { kind: 'environment' };

/** One source per container: create it once, outside the handler, so the cache outlives an invocation. */
export function createGoogleClientCredentialsSource(
  settings: GoogleClientCredentialsSettings,
  env: NodeJS.ProcessEnv = process.env,
): GoogleClientCredentialsSource {
  return settings.kind === 'secrets_manager'
    ? new SecretsManagerGoogleClientCredentials({ secretId: settings.secretId })
    : new EnvironmentGoogleClientCredentials(env);
}
