/**
 * The pieces several functions' configurations share: the zod building blocks, the variable groups (AWS
 * endpoints, the subscriber tables, Google access, host keys and events, the subscriber id secret), the checks
 * across variables, and the plain-data shapes the shared wiring builds from. Each function's own `config.ts`
 * composes its schema from these and parses only the variables it reads.
 */
import * as z from 'zod';
import { parseHostKeysText } from '../domain/host-keys.ts';
import { DEFAULT_HORIZON_SPAN, type HorizonSpan } from '../domain/ics/horizon.ts';
import { SafeMessageError } from '../errors.ts';

/** How often the schedule fires; see docs/operating.md, "Scheduled syncs", for why 15 minutes. */
export const DEFAULT_SYNC_INTERVAL_MINUTES = 15;
export type SecretSource =
  | { kind: 'secrets_manager'; secretId: string }
  | { kind: 'environment'; value: string };

/**
 * The key that seals tokens, and `dataKeys`, the table of data keys (DATA_KEYS_TABLE): with it tokens are sealed
 * by envelope encryption, without it by the key itself (earlier versions; every open a KMS call).
 */
export type CipherConfig = ({ kind: 'kms'; keyId: string } | { kind: 'local'; keyBase64: string }) & {
  dataKeys?: string;
};

/** AWS endpoints (set only for local emulators). */
export interface AwsConfig {
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
}

/** What every function that calls Google with a subscriber's tokens needs. */
export interface GoogleConfig {
  /** One base URL for every Google endpoint (the emulator); Google's own hosts when absent. */
  apiBaseUrl?: string;
  /** Where the OAuth client id/secret come from. */
  credentials: { kind: 'secrets_manager'; secretId: string } | { kind: 'environment' };
  /** Refresh an access token this long before it expires. */
  accessTokenRefreshMarginSeconds: number;
}

/** The tables of a subscriber's sync: connection, sync state and event map. */
export interface SubscriberTables {
  connections: string;
  syncState: string;
  eventMap: string;
}

/**
 * Optional notifications to the host (docs/operating.md, "Telling the host"): its endpoint and the id of the host key that
 * signs them, from the same key ring as the host's own requests.
 */
export interface HostEventsConfig {
  url: string;
  keyId: string;
  hostKeys: HostKeysSource;
}

export type HostKeysSource =
  | { kind: 'secrets_manager'; secretId: string }
  | { kind: 'environment'; text: string };

/** Every problem of the environment at once; names the variables, never their values. */
export class ConfigError extends SafeMessageError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export const text = z.string().trim().min(1, 'is required');
export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
export const httpUrl = text.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));
export const timeZone = text.refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone');
/** Every function: AWS endpoints for local emulators. */
export const awsVariables = {
  DYNAMODB_ENDPOINT: optionalText.pipe(httpUrl.optional()),
  SQS_ENDPOINT: optionalText.pipe(httpUrl.optional()),
};

export const subscriberTableVariables = {
  CONNECTIONS_TABLE: text,
  SYNC_STATE_TABLE: text,
  EVENT_MAP_TABLE: text,
};

export const feedUrlTemplate = httpUrl.refine(
  (value) => value.split('{token}').length === 2,
  'must contain the {token} placeholder exactly once',
);

/** Every function that refreshes access tokens and calls Google for a subscriber. */
export const googleAccessVariables = {
  GOOGLE_API_BASE_URL: optionalText.pipe(httpUrl.optional()),
  GOOGLE_CLIENT_SECRET_ARN: optionalText,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  ACCESS_TOKEN_REFRESH_MARGIN_SECONDS: positiveInt(300),
  KMS_KEY_ID: optionalText,
  LOCAL_CIPHER_KEY: optionalText,
  DATA_KEYS_TABLE: optionalText,
};

/** How often each calendar is audited against what the service wrote (lambdas/sync/engine/README.md, "Audit"). */
export const DEFAULT_SYNC_AUDIT_INTERVAL_HOURS = 24;
/**
 * Google quota units one subscriber's syncs may spend per UTC day: a first sync of 10,000 events with room to
 * spare, while 50 feeds that change wholly on every fetch cannot spend the project's default daily quota.
 */
export const DEFAULT_SYNC_MAX_UNITS_PER_DAY = 20_000;

/**
 * What a sync reaches and may spend: the worker runs by it, and the check decides by the same values what a run
 * would do (the fingerprint covers the horizon; an audit due or a spent budget decides before any fetch).
 */
export const syncPolicyVariables = {
  SYNC_HORIZON_PAST_DAYS: positiveInt(DEFAULT_HORIZON_SPAN.pastDays).refine(
    (days) => days <= 366,
    'must be at most 366',
  ),
  SYNC_HORIZON_FUTURE_MONTHS: positiveInt(DEFAULT_HORIZON_SPAN.futureMonths).refine(
    (months) => months <= 60,
    'must be at most 60',
  ),
  SYNC_AUDIT_INTERVAL_HOURS: positiveInt(DEFAULT_SYNC_AUDIT_INTERVAL_HOURS).refine(
    (hours) => hours <= 720,
    'must be at most 720',
  ),
  SYNC_MAX_UNITS_PER_DAY: positiveInt(DEFAULT_SYNC_MAX_UNITS_PER_DAY).refine(
    (units) => units <= 1_000_000,
    'must be at most 1000000',
  ),
};

/** The sync policy both the worker and the check read. */
export interface SyncPolicy {
  horizon: HorizonSpan;
  auditIntervalHours: number;
  maxUnitsPerDay: number;
}

export const syncPolicy = (e: z.output<z.ZodObject<typeof syncPolicyVariables>>): SyncPolicy => ({
  horizon: { pastDays: e.SYNC_HORIZON_PAST_DAYS, futureMonths: e.SYNC_HORIZON_FUTURE_MONTHS },
  auditIntervalHours: e.SYNC_AUDIT_INTERVAL_HOURS,
  maxUnitsPerDay: e.SYNC_MAX_UNITS_PER_DAY,
});

export const syncIntervalMinutes = positiveInt(DEFAULT_SYNC_INTERVAL_MINUTES).refine(
  (minutes) => minutes <= 1440,
  'must be at most 1440 (a day)',
);

// Only the names of bad entries are reported, never a key.
export const hostKeysText = optionalText.superRefine((value, ctx) => {
  if (value === undefined) return;
  const { problems } = parseHostKeysText(value);
  if (problems.length > 0) ctx.addIssue({ code: 'custom', message: problems.join('; ') });
});

export const hostEventVariables = {
  HOST_EVENTS_URL: httpUrl.optional(),
  HOST_EVENTS_KEY_ID: optionalText.refine(
    (value) => value === undefined || /^[A-Za-z0-9._-]{1,64}$/.test(value),
    'must be 1-64 of A-Z a-z 0-9 . _ -',
  ),
};

/** Host events need the id of a signing key and a key ring to find it in. */
export function hostEventsProblems(raw: NodeJS.ProcessEnv): string[] {
  if (!isSet(raw, 'HOST_EVENTS_URL')) return [];
  const problems = isSet(raw, 'HOST_EVENTS_KEY_ID')
    ? []
    : ['HOST_EVENTS_KEY_ID: is required with HOST_EVENTS_URL'];
  if (!isSet(raw, 'HOST_KEYS') && !isSet(raw, 'HOST_KEYS_SECRET_ARN'))
    problems.push('HOST_KEYS or HOST_KEYS_SECRET_ARN: is required with HOST_EVENTS_URL');
  return problems;
}

/** The HMAC key of subscriber ids: a Secrets Manager secret, or the value itself locally. */
export const subscriberIdSecretVariables = {
  SUBSCRIBER_ID_SECRET_ARN: optionalText,
  SUBSCRIBER_ID_SECRET: optionalText.refine(
    (value) => value === undefined || value.length >= 32,
    'must be at least 32 characters',
  ),
};

export const subscriberIdSecretSource = (e: {
  SUBSCRIBER_ID_SECRET_ARN?: string | undefined;
  SUBSCRIBER_ID_SECRET?: string | undefined;
}): SecretSource =>
  e.SUBSCRIBER_ID_SECRET_ARN
    ? { kind: 'secrets_manager', secretId: e.SUBSCRIBER_ID_SECRET_ARN }
    : { kind: 'environment', value: e.SUBSCRIBER_ID_SECRET as string };

/** What Powertools reads as true in its boolean variables. */
const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);

export const isSet = (env: NodeJS.ProcessEnv, name: string) => Boolean(env[name]?.trim());

/** Every function: settings that would write tokens to the logs. */
function loggingProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  if (isSet(env, 'GOOGLE_SDK_NODE_LOGGING')) {
    problems.push(
      "GOOGLE_SDK_NODE_LOGGING: must not be set (Google's client library would log requests holding tokens)",
    );
  }
  if (TRUTHY.has(env.POWERTOOLS_LOGGER_LOG_EVENT?.trim().toLowerCase() ?? '')) {
    problems.push(
      'POWERTOOLS_LOGGER_LOG_EVENT: must not be true (the events hold feed tokens and OAuth codes)',
    );
  }
  return problems;
}

export const exactlyOne = (env: NodeJS.ProcessEnv, a: string, b: string): string[] =>
  isSet(env, a) === isSet(env, b) ? [`${a}: set exactly one of ${a} or ${b}`] : [];

/** The cipher key and the Google OAuth client, each from exactly one source. */
export function googleAccessProblems(env: NodeJS.ProcessEnv): string[] {
  const problems = exactlyOne(env, 'KMS_KEY_ID', 'LOCAL_CIPHER_KEY');
  const fromEnvironment = isSet(env, 'GOOGLE_CLIENT_ID') || isSet(env, 'GOOGLE_CLIENT_SECRET');
  const completeInEnvironment = isSet(env, 'GOOGLE_CLIENT_ID') && isSet(env, 'GOOGLE_CLIENT_SECRET');
  if (isSet(env, 'GOOGLE_CLIENT_SECRET_ARN') ? fromEnvironment : !completeInEnvironment) {
    problems.push(
      'GOOGLE_CLIENT_SECRET_ARN: set either GOOGLE_CLIENT_SECRET_ARN or both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET',
    );
  }
  return problems;
}

/**
 * Validates `env` against `schema` plus rules across variables (checked on the raw environment so they are
 * reported together with all others); throws ConfigError listing every problem.
 */
export function validated<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  crossVariableProblems: (env: NodeJS.ProcessEnv, data: z.output<Schema> | undefined) => string[],
): z.output<Schema> {
  const parsed = schema.safeParse(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`)),
    ...loggingProblems(env),
    ...crossVariableProblems(env, parsed.success ? parsed.data : undefined),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

export type GoogleAccessVariables = z.output<z.ZodObject<typeof googleAccessVariables>>;

export function googleConfig(e: GoogleAccessVariables): GoogleConfig {
  return {
    ...(e.GOOGLE_API_BASE_URL ? { apiBaseUrl: e.GOOGLE_API_BASE_URL } : {}),
    credentials: e.GOOGLE_CLIENT_SECRET_ARN
      ? { kind: 'secrets_manager', secretId: e.GOOGLE_CLIENT_SECRET_ARN }
      : { kind: 'environment' },
    accessTokenRefreshMarginSeconds: e.ACCESS_TOKEN_REFRESH_MARGIN_SECONDS,
  };
}

export const cipherConfig = (e: GoogleAccessVariables): CipherConfig => ({
  ...(e.KMS_KEY_ID
    ? { kind: 'kms', keyId: e.KMS_KEY_ID }
    : { kind: 'local', keyBase64: e.LOCAL_CIPHER_KEY as string }),
  ...(e.DATA_KEYS_TABLE ? { dataKeys: e.DATA_KEYS_TABLE } : {}),
});

export const awsConfig = (e: z.output<z.ZodObject<typeof awsVariables>>): AwsConfig => ({
  ...(e.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: e.DYNAMODB_ENDPOINT } : {}),
  ...(e.SQS_ENDPOINT ? { sqsEndpoint: e.SQS_ENDPOINT } : {}),
});

export const subscriberTables = (
  e: z.output<z.ZodObject<typeof subscriberTableVariables>>,
): SubscriberTables => ({
  connections: e.CONNECTIONS_TABLE,
  syncState: e.SYNC_STATE_TABLE,
  eventMap: e.EVENT_MAP_TABLE,
});

export const hostKeysSource = (e: {
  HOST_KEYS_SECRET_ARN?: string | undefined;
  HOST_KEYS?: string | undefined;
}): HostKeysSource =>
  e.HOST_KEYS_SECRET_ARN
    ? { kind: 'secrets_manager', secretId: e.HOST_KEYS_SECRET_ARN }
    : { kind: 'environment', text: e.HOST_KEYS as string };

export const hostEventsConfig = (e: {
  HOST_EVENTS_URL?: string | undefined;
  HOST_EVENTS_KEY_ID?: string | undefined;
  HOST_KEYS_SECRET_ARN?: string | undefined;
  HOST_KEYS?: string | undefined;
}): { hostEvents?: HostEventsConfig } =>
  e.HOST_EVENTS_URL && e.HOST_EVENTS_KEY_ID
    ? { hostEvents: { url: e.HOST_EVENTS_URL, keyId: e.HOST_EVENTS_KEY_ID, hostKeys: hostKeysSource(e) } }
    : {};
