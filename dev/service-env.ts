import type { TableNames } from '../lambdas/shared/adapters/dynamodb/tables.ts';
import { API_ROUTES } from '../lambdas/shared/routes.ts';
import type { LocalSecrets } from './local-secrets.ts';

/** Where the local run's pieces are, once they listen. */
export interface LocalRuntime {
  /** http://127.0.0.1:PORT, no trailing slash: the API, the demo host and its pages. */
  baseUrl: string;
  tableNames: TableNames;
  queueUrl: string;
  sweepQueueUrl: string;
  secrets: LocalSecrets;
  /** The emulator's base URL, or undefined for real Google. */
  googleBaseUrl: string | undefined;
  googleClient: { clientId: string; clientSecret: string };
}

const demoFeedUrlTemplate = (baseUrl: string) => `${baseUrl}/demo/feeds/{token}.ics`;
export const hostEventsPath = '/demo/host-events';
export const callbackPath = API_ROUTES.callback.path;

/** Defaults of the local run for the service's own variables (a variable set in the environment wins). */
const LOCAL_DEFAULTS = {
  SYNC_INTERVAL_MINUTES: '1',
  NOTIFY_DEDUP_SECONDS: '10',
  POWERTOOLS_LOG_LEVEL: 'INFO',
} as const;

/** Sources of secrets and Google that do not exist locally: dropped, the local ones below take their place. */
const AWS_ONLY = [
  'KMS_KEY_ID',
  'GOOGLE_CLIENT_SECRET_ARN',
  'SUBSCRIBER_ID_SECRET_ARN',
  'HOST_KEYS_SECRET_ARN',
  'GOOGLE_API_BASE_URL',
  'DYNAMODB_ENDPOINT',
  'SQS_ENDPOINT',
];

/**
 * The environment every function of the service gets in the local run: the caller's environment (so any
 * variable of the configuration (docs/operating.md) can be set), the local defaults, and what the local run decides
 * itself: tables, queue, keys, the Google endpoints and the URLs on 127.0.0.1.
 */
export function serviceEnvironment(env: NodeJS.ProcessEnv, runtime: LocalRuntime): NodeJS.ProcessEnv {
  const { baseUrl, tableNames, secrets } = runtime;
  const passed: NodeJS.ProcessEnv = { ...LOCAL_DEFAULTS, ...env };
  for (const name of AWS_ONLY) delete passed[name];
  return {
    ...passed,
    FEED_URL_TEMPLATE: env.FEED_URL_TEMPLATE?.trim() || demoFeedUrlTemplate(baseUrl),
    CONNECTIONS_TABLE: tableNames.connections,
    SYNC_STATE_TABLE: tableNames.syncState,
    EVENT_MAP_TABLE: tableNames.eventMap,
    OAUTH_STATES_TABLE: tableNames.oauthStates,
    RATE_LIMITS_TABLE: tableNames.rateLimits,
    HOST_NONCES_TABLE: tableNames.hostNonces,
    DATA_KEYS_TABLE: tableNames.dataKeys,
    SYNC_QUEUE_URL: runtime.queueUrl,
    SWEEP_QUEUE_URL: runtime.sweepQueueUrl,
    OAUTH_REDIRECT_URI: `${baseUrl}${callbackPath}`,
    RETURN_TO_ALLOWLIST: `${baseUrl}/`,
    DEFAULT_RETURN_TO: `${baseUrl}/`,
    // Plain HTTP on 127.0.0.1: no Secure cookie (browsers would drop it) and no __Host- prefix.
    OAUTH_COOKIE_SECURE: 'false',
    LOCAL_CIPHER_KEY: secrets.cipherKey,
    SUBSCRIBER_ID_SECRET: secrets.subscriberIdSecret,
    HOST_KEYS: `${secrets.hostKeyId}:${secrets.hostKey}`,
    HOST_EVENTS_URL: `${baseUrl}${hostEventsPath}`,
    HOST_EVENTS_KEY_ID: secrets.hostKeyId,
    GOOGLE_CLIENT_ID: runtime.googleClient.clientId,
    GOOGLE_CLIENT_SECRET: runtime.googleClient.clientSecret,
    ...(runtime.googleBaseUrl ? { GOOGLE_API_BASE_URL: runtime.googleBaseUrl } : {}),
  };
}
