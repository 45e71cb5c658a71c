/**
 * The change-notification function's configuration (POST /api/google-sync/notify): its schema and parser, over
 * only the variables it reads.
 */
import * as z from 'zod';
import {
  type AwsConfig,
  awsConfig,
  awsVariables,
  exactlyOne,
  type HostKeysSource,
  hostKeysSource,
  hostKeysText,
  httpUrl,
  optionalText,
  positiveInt,
  type SecretSource,
  subscriberIdSecretSource,
  subscriberIdSecretVariables,
  text,
  validated,
} from '../shared/wiring/config-parts.ts';

/** Unsigned or badly signed notifications per IP and window (a notification is only ever signed). */
const DEFAULT_NOTIFY_PER_IP = 120;
/** Signed notifications per host key and window: 100 a second, each naming up to 1,000 feeds. */
const DEFAULT_NOTIFY_PER_HOST_KEY = 6_000;
/** A subscriber notified again within this many seconds costs no further immediate sync (see notify-changes). */
const DEFAULT_NOTIFY_DEDUP_SECONDS = 60;

/** The change-notification function (POST /api/google-sync/notify), called by the ICS service. */
export interface NotifyConfig {
  tables: { connections: string; rateLimits: string; hostNonces: string };
  /** The keys the host signs with: a Secrets Manager JSON secret, or HOST_KEYS locally. */
  hostKeys: HostKeysSource;
  /** The HMAC key of subscriber ids, which also keys the feed lookup (SubscriberIdentity.feedLookupKey). */
  subscriberIdSecret: SecretSource;
  syncQueueUrl: string;
  notify: { dedupWindowSeconds: number };
  rateLimits: { windowSeconds: number; routes: { notify: { perIp: number; host: { perKey: number } } } };
  aws: AwsConfig;
}

const notifySchema = z.object({
  ...awsVariables,
  CONNECTIONS_TABLE: text,
  RATE_LIMITS_TABLE: text,
  HOST_NONCES_TABLE: text,
  HOST_KEYS_SECRET_ARN: optionalText,
  HOST_KEYS: hostKeysText,
  ...subscriberIdSecretVariables,
  SYNC_QUEUE_URL: httpUrl,
  NOTIFY_DEDUP_SECONDS: positiveInt(DEFAULT_NOTIFY_DEDUP_SECONDS).refine(
    (seconds) => seconds <= 900,
    'must be at most 900',
  ),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  RATE_LIMIT_NOTIFY_PER_IP: positiveInt(DEFAULT_NOTIFY_PER_IP),
  RATE_LIMIT_HOST_NOTIFY_PER_KEY: positiveInt(DEFAULT_NOTIFY_PER_HOST_KEY),
});

/** The variables the notify function reads (the stack's drift test holds its environment to them). */
export const NOTIFY_VARIABLES = Object.keys(notifySchema.shape);

/** The notify function's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseNotifyConfig(env: NodeJS.ProcessEnv): NotifyConfig {
  const e = validated(notifySchema, env, (raw) => [
    ...exactlyOne(raw, 'HOST_KEYS_SECRET_ARN', 'HOST_KEYS'),
    ...exactlyOne(raw, 'SUBSCRIBER_ID_SECRET_ARN', 'SUBSCRIBER_ID_SECRET'),
  ]);
  return {
    tables: {
      connections: e.CONNECTIONS_TABLE,
      rateLimits: e.RATE_LIMITS_TABLE,
      hostNonces: e.HOST_NONCES_TABLE,
    },
    hostKeys: hostKeysSource(e),
    subscriberIdSecret: subscriberIdSecretSource(e),
    syncQueueUrl: e.SYNC_QUEUE_URL,
    notify: { dedupWindowSeconds: e.NOTIFY_DEDUP_SECONDS },
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      routes: {
        notify: { perIp: e.RATE_LIMIT_NOTIFY_PER_IP, host: { perKey: e.RATE_LIMIT_HOST_NOTIFY_PER_KEY } },
      },
    },
    aws: awsConfig(e),
  };
}
