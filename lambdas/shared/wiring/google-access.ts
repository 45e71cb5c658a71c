/**
 * Google access for the functions that act for a subscriber (OAuth and the sync worker): the endpoints, the
 * OAuth client with its credentials, the cipher that opens the stored tokens, and the access tokens made with
 * them. Only those two functions import this file, so only their bundles carry Google's client code.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { createCipher } from '../adapters/crypto/create-cipher.ts';
import type { DynamoConnectionStore } from '../adapters/dynamodb/connection-store.ts';
import { DynamoDataKeyStore } from '../adapters/dynamodb/data-key-store.ts';
import { CachingAccessTokenProvider } from '../adapters/google/access-token-provider.ts';
import { endpointsUnder, GOOGLE_ENDPOINTS, type GoogleEndpoints } from '../adapters/google/endpoints.ts';
import { GoogleOAuthClient } from '../adapters/google/oauth-client.ts';
import {
  EnvironmentGoogleClientCredentials,
  SecretsManagerGoogleClientCredentials,
} from '../adapters/secrets/google-client-credentials.ts';
import type { Cipher } from '../ports/cipher.ts';
import type { Clock } from './clock.ts';
import { dateNow } from './clock.ts';
import type { CipherConfig, GoogleConfig } from './config-parts.ts';
import type { WiringOverrides } from './overrides.ts';

export const googleEndpoints = (google: GoogleConfig): GoogleEndpoints =>
  google.apiBaseUrl ? endpointsUnder(google.apiBaseUrl) : GOOGLE_ENDPOINTS;

/** The Google OAuth client and the access tokens made with it: what every function acting for a subscriber needs. */
export function googleAccess(
  config: { google: GoogleConfig; cipher: CipherConfig },
  parts: { dynamo: DynamoDBClient; connections: DynamoConnectionStore; clock: Clock; logger: Logger },
  overrides: WiringOverrides,
  redirectUri?: string,
) {
  const { dynamo, connections, clock, logger } = parts;
  // Envelope encryption when the data-key table is configured (always in AWS): KMS only unwraps data keys.
  const dataKeys = config.cipher.dataKeys
    ? new DynamoDataKeyStore(dynamo, config.cipher.dataKeys)
    : undefined;
  const cipher: Cipher = createCipher(config.cipher, () => overrides.kms ?? new KMSClient({}), dataKeys, {
    now: dateNow(clock),
  });
  const credentials =
    config.google.credentials.kind === 'secrets_manager'
      ? new SecretsManagerGoogleClientCredentials({
          secretId: config.google.credentials.secretId,
          ...(overrides.secretsManager ? { client: overrides.secretsManager } : {}),
        })
      : new EnvironmentGoogleClientCredentials(overrides.env ?? process.env);
  const oauth = new GoogleOAuthClient({
    credentials,
    endpoints: googleEndpoints(config.google),
    ...(redirectUri ? { redirectUri } : {}),
    now: dateNow(clock),
  });
  const accessTokens = new CachingAccessTokenProvider({
    connections,
    cipher,
    oauth,
    refreshMarginMs: config.google.accessTokenRefreshMarginSeconds * 1000,
    now: dateNow(clock),
    onNeedsReauth: (subscriberId) =>
      logger.warn('Google refused the refresh token: connection needs re-authorisation', { subscriberId }),
  });
  return { cipher, oauth, accessTokens };
}
