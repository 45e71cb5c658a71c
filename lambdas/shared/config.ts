/**
 * The service's configuration, one parser per function: each validates only the variables it reads, once per
 * container. A bad or missing variable stops the function with one error that lists every problem (names only,
 * never a value). Plain data only: the composition root turns it into adapters.
 */
import * as z from 'zod';
import { parseHostKeysText } from './domain/host-keys.ts';
import { DEFAULT_HORIZON_SPAN, type HorizonSpan } from './domain/ics/horizon.ts';
import { SafeMessageError } from './errors.ts';

export const DEFAULT_GOOGLE_SCOPE = 'https://www.googleapis.com/auth/calendar.app.created';

/** The OAuth function's routes with their own rate limits (`sync`: "sync now", POST /api/google-sync). */
export const RATE_LIMITED_ROUTES = ['start', 'callback', 'status', 'disconnect', 'sync'] as const;
export type RateLimitedRoute = (typeof RATE_LIMITED_ROUTES)[number];

/** `perIp` counts failed authentications only; `perSubscriber` proven requests (README, "Rate limits"). */
export interface RouteLimits {
  perIp: number;
  perSubscriber: number;
  /** Requests the host signed: per key id, and per subscriber apart from unsigned requests. */
  host?: { perKey: number; perSubscriber: number };
}

/** The routes the host's server calls, which take its signature (README, "Signed requests from the host"). */
export const HOST_SIGNED_ROUTES = ['status', 'sync', 'disconnect'] as const;
export type HostSignedRoute = (typeof HOST_SIGNED_ROUTES)[number];

/** Requests per window (RATE_LIMIT_WINDOW_SECONDS). Start and callback are rare by nature; status is polled. */
const DEFAULT_RATE_LIMITS: Record<RateLimitedRoute, RouteLimits> = {
  start: { perIp: 20, perSubscriber: 10 },
  callback: { perIp: 20, perSubscriber: 10 },
  status: { perIp: 120, perSubscriber: 30 },
  disconnect: { perIp: 20, perSubscriber: 10 },
  sync: { perIp: 20, perSubscriber: 1 },
};

/**
 * Signed requests of the host per window, sized for 1,000,000 subscribers behind a few servers. Status: each
 * subscriber opening the settings page about once a day with ~10 polls is 7,000 a minute on average; four times
 * that at the peak, and 500 a second stays within what one DynamoDB item takes (1,000 writes a second).
 * Per subscriber: a page polling every few seconds in a couple of tabs; one "sync now" a minute, as unsigned.
 */
const DEFAULT_HOST_RATE_LIMITS: Record<HostSignedRoute, { perKey: number; perSubscriber: number }> = {
  status: { perKey: 30_000, perSubscriber: 60 },
  sync: { perKey: 6_000, perSubscriber: 1 },
  disconnect: { perKey: 3_000, perSubscriber: 10 },
};

/** Unsigned or badly signed notifications per IP and window (a notification is only ever signed). */
const DEFAULT_NOTIFY_PER_IP = 120;
/** Signed notifications per host key and window: 100 a second, each naming up to 1,000 feeds. */
const DEFAULT_NOTIFY_PER_HOST_KEY = 6_000;
/** A subscriber notified again within this many seconds costs no further immediate sync (see notify-changes). */
const DEFAULT_NOTIFY_DEDUP_SECONDS = 60;

/** Google's per-project Calendar API quota (requests per minute) unless the project was granted more. */
export const DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE = 10_000;
/** How often the schedule fires; see the README for why 15 minutes. */
export const DEFAULT_SYNC_INTERVAL_MINUTES = 15;
/** How often each calendar is audited against what the service wrote (lambdas/sync/README.md, "Audit"). */
export const DEFAULT_SYNC_AUDIT_INTERVAL_HOURS = 24;
/**
 * Google quota units one subscriber's syncs may spend per UTC day: a first sync of 10,000 events with room to
 * spare, while 50 feeds that change wholly on every fetch cannot spend the project's default daily quota.
 */
export const DEFAULT_SYNC_MAX_UNITS_PER_DAY = 20_000;

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

/** The connect, callback, disconnect and status routes. */
export interface OAuthConfig {
  tables: SubscriberTables & { oauthStates: string; rateLimits: string };
  feed: {
    /** Has exactly one `{token}`, replaced by the URL-encoded feed token. */
    urlTemplate: string;
    /** How long a warm container trusts a feed token it saw valid (0: never). Refusals are never kept. */
    validTokenCacheSeconds: number;
  };
  oauth: {
    /** The callback URL registered with the Google OAuth client (exact match at Google). */
    redirectUri: string;
    scopes: string[];
    /** Canonical `origin + path` entries a `return_to` must match exactly. */
    returnToAllowList: string[];
    /** Where the browser goes when `return_to` is absent or refused. */
    defaultReturnTo: string;
    stateTtlSeconds: number;
    cookie: { secure: boolean };
    /**
     * Whether `GET /start` (the connect link, which shows the confirmation page) is served. Off, only the POST
     * form starts a connect, so no link can be mailed at all.
     */
    connectLink: boolean;
  };
  calendar: { name: string; timeZone: string };
  google: GoogleConfig;
  cipher: CipherConfig;
  /** The HMAC key that turns a feed token into a subscriberId. */
  subscriberIdSecret: SecretSource;
  syncQueueUrl: string;
  rateLimits: { windowSeconds: number; routes: Record<RateLimitedRoute, RouteLimits> };
  /**
   * Whether linking and destructive actions need a connect intent signed by the host (README, "Connect
   * intents"): `required` (the default) with the host's keys and the table of used nonces, or `token_only`.
   */
  intents: IntentsConfig;
  hostEvents?: HostEventsConfig;
  aws: AwsConfig;
}

/**
 * Optional notifications to the host (README, "Telling the host"): its endpoint and the id of the host key that
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

export type IntentsConfig =
  | { mode: 'required'; hostKeys: HostKeysSource; noncesTable: string }
  | { mode: 'token_only' };

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

/** The sync worker: one SQS message, one subscriber's sync. */
export interface SyncWorkerConfig {
  tables: SubscriberTables;
  feed: { urlTemplate: string };
  /** The zone for floating times in feeds without X-WR-TIMEZONE: the dedicated calendar's zone. */
  calendar: { timeZone: string };
  google: GoogleConfig;
  cipher: CipherConfig;
  /** Where continuations and busy retries go (the queue the worker reads). */
  syncQueueUrl: string;
  sync: {
    /** The schedule's interval: a scheduled request for a subscriber synced more recently is skipped. */
    intervalSeconds: number;
    /** Kept free at the end of an invocation: no Google write starts later than the remaining time minus this. */
    timeMarginSeconds: number;
    /** Delay of the message that continues a sync the time budget cut short. */
    continueDelaySeconds: number;
    /** Delay of the message that retries a subscriber whose sync was already running. */
    busyRetryDelaySeconds: number;
    /** Google's Calendar quota of the whole project, per minute. */
    projectQuotaPerMinute: number;
    /** What a sync reaches: days back and months ahead (events outside it are left alone). */
    horizon: HorizonSpan;
    /** How often a sync audits the calendar (and every "Sync now" does). */
    auditIntervalHours: number;
    /** Google quota units one subscriber's syncs may spend per UTC day; then its sync waits for the next day. */
    maxUnitsPerDay: number;
  };
  hostEvents?: HostEventsConfig;
  aws: AwsConfig;
}

/** The scheduled jobs: enqueue every subscriber to sync, and the daily retention purge. */
export interface SchedulerConfig {
  tables: SubscriberTables;
  syncQueueUrl: string;
  schedule: { intervalSeconds: number };
  retention: { needsReauthDays: number };
  aws: AwsConfig;
}

/** Every problem of the environment at once; names the variables, never their values. */
export class ConfigError extends SafeMessageError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const text = z.string().trim().min(1, 'is required');
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const httpUrl = text.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));
const urlList = text.transform((value, ctx) => {
  const entries = value.split(/[\s,]+/).filter(Boolean);
  const canonical: string[] = [];
  for (const entry of entries) {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
      ctx.addIssue({
        code: 'custom',
        message: 'entries must be http(s) URLs without credentials, query or hash',
      });
      return z.NEVER;
    }
    canonical.push(url.origin + url.pathname);
  }
  return canonical;
});
const timeZone = text.refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone');
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1'));

const rateLimitVariables = Object.fromEntries(
  RATE_LIMITED_ROUTES.flatMap((route) => [
    [`RATE_LIMIT_${route.toUpperCase()}_PER_IP`, positiveInt(DEFAULT_RATE_LIMITS[route].perIp)],
    [
      `RATE_LIMIT_${route.toUpperCase()}_PER_SUBSCRIBER`,
      positiveInt(DEFAULT_RATE_LIMITS[route].perSubscriber),
    ],
  ]),
) as Record<string, ReturnType<typeof positiveInt>>;

const hostRateLimitVariables = Object.fromEntries(
  HOST_SIGNED_ROUTES.flatMap((route) => [
    [`RATE_LIMIT_HOST_${route.toUpperCase()}_PER_KEY`, positiveInt(DEFAULT_HOST_RATE_LIMITS[route].perKey)],
    [
      `RATE_LIMIT_HOST_${route.toUpperCase()}_PER_SUBSCRIBER`,
      positiveInt(DEFAULT_HOST_RATE_LIMITS[route].perSubscriber),
    ],
  ]),
) as Record<string, ReturnType<typeof positiveInt>>;

/** Every function: AWS endpoints for local emulators. */
const awsVariables = {
  DYNAMODB_ENDPOINT: optionalText.pipe(httpUrl.optional()),
  SQS_ENDPOINT: optionalText.pipe(httpUrl.optional()),
};

const subscriberTableVariables = {
  CONNECTIONS_TABLE: text,
  SYNC_STATE_TABLE: text,
  EVENT_MAP_TABLE: text,
};

const feedUrlTemplate = httpUrl.refine(
  (value) => value.split('{token}').length === 2,
  'must contain the {token} placeholder exactly once',
);

/** Every function that refreshes access tokens and calls Google for a subscriber. */
const googleAccessVariables = {
  GOOGLE_API_BASE_URL: optionalText.pipe(httpUrl.optional()),
  GOOGLE_CLIENT_SECRET_ARN: optionalText,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  ACCESS_TOKEN_REFRESH_MARGIN_SECONDS: positiveInt(300),
  KMS_KEY_ID: optionalText,
  LOCAL_CIPHER_KEY: optionalText,
  DATA_KEYS_TABLE: optionalText,
};

const syncIntervalMinutes = positiveInt(DEFAULT_SYNC_INTERVAL_MINUTES).refine(
  (minutes) => minutes <= 1440,
  'must be at most 1440 (a day)',
);

// Only the names of bad entries are reported, never a key.
const hostKeysText = optionalText.superRefine((value, ctx) => {
  if (value === undefined) return;
  const { problems } = parseHostKeysText(value);
  if (problems.length > 0) ctx.addIssue({ code: 'custom', message: problems.join('; ') });
});

const hostEventVariables = {
  HOST_EVENTS_URL: httpUrl.optional(),
  HOST_EVENTS_KEY_ID: optionalText.refine(
    (value) => value === undefined || /^[A-Za-z0-9._-]{1,64}$/.test(value),
    'must be 1-64 of A-Z a-z 0-9 . _ -',
  ),
};

/** Host events need the id of a signing key and a key ring to find it in. */
function hostEventsProblems(raw: NodeJS.ProcessEnv): string[] {
  if (!isSet(raw, 'HOST_EVENTS_URL')) return [];
  const problems = isSet(raw, 'HOST_EVENTS_KEY_ID')
    ? []
    : ['HOST_EVENTS_KEY_ID: is required with HOST_EVENTS_URL'];
  if (!isSet(raw, 'HOST_KEYS') && !isSet(raw, 'HOST_KEYS_SECRET_ARN'))
    problems.push('HOST_KEYS or HOST_KEYS_SECRET_ARN: is required with HOST_EVENTS_URL');
  return problems;
}

const oauthSchema = z.object({
  ...awsVariables,
  ...subscriberTableVariables,
  ...googleAccessVariables,
  OAUTH_STATES_TABLE: text,
  RATE_LIMITS_TABLE: text,
  FEED_URL_TEMPLATE: feedUrlTemplate,
  FEED_TOKEN_CACHE_SECONDS: nonNegativeInt(300).refine((seconds) => seconds <= 3600, 'must be at most 3600'),
  OAUTH_REDIRECT_URI: httpUrl,
  RETURN_TO_ALLOWLIST: urlList,
  DEFAULT_RETURN_TO: httpUrl,
  GOOGLE_SCOPES: z
    .string()
    .trim()
    .default(DEFAULT_GOOGLE_SCOPE)
    .transform((value) => (value || DEFAULT_GOOGLE_SCOPE).split(/\s+/)),
  CALENDAR_NAME: z.string().trim().min(1).max(200).default('ICS subscription'),
  CALENDAR_TIME_ZONE: timeZone.default('UTC'),
  SUBSCRIBER_ID_SECRET_ARN: optionalText,
  SUBSCRIBER_ID_SECRET: optionalText.refine(
    (value) => value === undefined || value.length >= 32,
    'must be at least 32 characters',
  ),
  SYNC_QUEUE_URL: httpUrl,
  OAUTH_STATE_TTL_SECONDS: positiveInt(600).refine((seconds) => seconds <= 3600, 'must be at most 3600'),
  OAUTH_COOKIE_SECURE: flag(true),
  CONNECT_LINK: flag(true),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  ...rateLimitVariables,
  ...hostRateLimitVariables,
  ...hostEventVariables,
  CONNECT_INTENTS: z.enum(['required', 'token_only']).default('required'),
  HOST_NONCES_TABLE: optionalText,
  HOST_KEYS_SECRET_ARN: optionalText,
  HOST_KEYS: hostKeysText,
});

const notifySchema = z.object({
  ...awsVariables,
  CONNECTIONS_TABLE: text,
  RATE_LIMITS_TABLE: text,
  HOST_NONCES_TABLE: text,
  HOST_KEYS_SECRET_ARN: optionalText,
  HOST_KEYS: hostKeysText,
  SUBSCRIBER_ID_SECRET_ARN: optionalText,
  SUBSCRIBER_ID_SECRET: optionalText.refine(
    (value) => value === undefined || value.length >= 32,
    'must be at least 32 characters',
  ),
  SYNC_QUEUE_URL: httpUrl,
  NOTIFY_DEDUP_SECONDS: positiveInt(DEFAULT_NOTIFY_DEDUP_SECONDS).refine(
    (seconds) => seconds <= 900,
    'must be at most 900',
  ),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  RATE_LIMIT_NOTIFY_PER_IP: positiveInt(DEFAULT_NOTIFY_PER_IP),
  RATE_LIMIT_HOST_NOTIFY_PER_KEY: positiveInt(DEFAULT_NOTIFY_PER_HOST_KEY),
});

const syncWorkerSchema = z.object({
  ...awsVariables,
  ...subscriberTableVariables,
  ...googleAccessVariables,
  FEED_URL_TEMPLATE: feedUrlTemplate,
  CALENDAR_TIME_ZONE: timeZone.default('UTC'),
  SYNC_QUEUE_URL: httpUrl,
  SYNC_INTERVAL_MINUTES: syncIntervalMinutes,
  SYNC_TIME_MARGIN_SECONDS: positiveInt(60),
  SYNC_CONTINUE_DELAY_SECONDS: nonNegativeInt(2).refine((seconds) => seconds <= 900, 'must be at most 900'),
  SYNC_BUSY_RETRY_SECONDS: nonNegativeInt(60).refine((seconds) => seconds <= 900, 'must be at most 900'),
  GOOGLE_PROJECT_QUOTA_PER_MINUTE: positiveInt(DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE),
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
  ...hostEventVariables,
  HOST_KEYS_SECRET_ARN: optionalText,
  HOST_KEYS: hostKeysText,
});

const schedulerSchema = z.object({
  ...awsVariables,
  ...subscriberTableVariables,
  SYNC_QUEUE_URL: httpUrl,
  SYNC_INTERVAL_MINUTES: syncIntervalMinutes,
  NEEDS_REAUTH_RETENTION_DAYS: positiveInt(30),
});

/** The variables each function's configuration reads (the stack's drift test holds environments to them). */
export const CONFIG_VARIABLES = {
  oauth: Object.keys(oauthSchema.shape),
  notify: Object.keys(notifySchema.shape),
  syncWorker: Object.keys(syncWorkerSchema.shape),
  scheduler: Object.keys(schedulerSchema.shape),
} as const satisfies Record<string, readonly string[]>;

/** What Powertools reads as true in its boolean variables. */
const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);

const isSet = (env: NodeJS.ProcessEnv, name: string) => Boolean(env[name]?.trim());

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

const exactlyOne = (env: NodeJS.ProcessEnv, a: string, b: string): string[] =>
  isSet(env, a) === isSet(env, b) ? [`${a}: set exactly one of ${a} or ${b}`] : [];

/** The cipher key and the Google OAuth client, each from exactly one source. */
function googleAccessProblems(env: NodeJS.ProcessEnv): string[] {
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
function validated<Schema extends z.ZodType>(
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

type GoogleAccessVariables = z.output<z.ZodObject<typeof googleAccessVariables>>;

function googleConfig(e: GoogleAccessVariables): GoogleConfig {
  return {
    ...(e.GOOGLE_API_BASE_URL ? { apiBaseUrl: e.GOOGLE_API_BASE_URL } : {}),
    credentials: e.GOOGLE_CLIENT_SECRET_ARN
      ? { kind: 'secrets_manager', secretId: e.GOOGLE_CLIENT_SECRET_ARN }
      : { kind: 'environment' },
    accessTokenRefreshMarginSeconds: e.ACCESS_TOKEN_REFRESH_MARGIN_SECONDS,
  };
}

const cipherConfig = (e: GoogleAccessVariables): CipherConfig => ({
  ...(e.KMS_KEY_ID
    ? { kind: 'kms', keyId: e.KMS_KEY_ID }
    : { kind: 'local', keyBase64: e.LOCAL_CIPHER_KEY as string }),
  ...(e.DATA_KEYS_TABLE ? { dataKeys: e.DATA_KEYS_TABLE } : {}),
});

const awsConfig = (e: z.output<z.ZodObject<typeof awsVariables>>): AwsConfig => ({
  dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
  sqsEndpoint: e.SQS_ENDPOINT,
});

const subscriberTables = (e: z.output<z.ZodObject<typeof subscriberTableVariables>>): SubscriberTables => ({
  connections: e.CONNECTIONS_TABLE,
  syncState: e.SYNC_STATE_TABLE,
  eventMap: e.EVENT_MAP_TABLE,
});

/** The OAuth function's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseOAuthConfig(env: NodeJS.ProcessEnv): OAuthConfig {
  const e = validated(oauthSchema, env, (raw, data) => {
    const problems = [
      ...googleAccessProblems(raw),
      ...exactlyOne(raw, 'SUBSCRIBER_ID_SECRET_ARN', 'SUBSCRIBER_ID_SECRET'),
    ];
    // token_only needs neither keys nor the nonce table (README: what it leaves open).
    if (raw.CONNECT_INTENTS?.trim() !== 'token_only') {
      problems.push(...exactlyOne(raw, 'HOST_KEYS_SECRET_ARN', 'HOST_KEYS'));
      if (!isSet(raw, 'HOST_NONCES_TABLE')) problems.push('HOST_NONCES_TABLE: is required');
    }
    problems.push(...hostEventsProblems(raw));
    if (data) {
      const fallback = new URL(data.DEFAULT_RETURN_TO);
      if (!data.RETURN_TO_ALLOWLIST.includes(fallback.origin + fallback.pathname)) {
        problems.push('DEFAULT_RETURN_TO: must be on RETURN_TO_ALLOWLIST');
      }
    }
    return problems;
  });
  const limit = (name: string) => e[name as keyof typeof e] as number;
  return {
    tables: { ...subscriberTables(e), oauthStates: e.OAUTH_STATES_TABLE, rateLimits: e.RATE_LIMITS_TABLE },
    feed: { urlTemplate: e.FEED_URL_TEMPLATE, validTokenCacheSeconds: e.FEED_TOKEN_CACHE_SECONDS },
    oauth: {
      redirectUri: e.OAUTH_REDIRECT_URI,
      scopes: e.GOOGLE_SCOPES,
      returnToAllowList: e.RETURN_TO_ALLOWLIST,
      defaultReturnTo: e.DEFAULT_RETURN_TO,
      stateTtlSeconds: e.OAUTH_STATE_TTL_SECONDS,
      cookie: { secure: e.OAUTH_COOKIE_SECURE },
      connectLink: e.CONNECT_LINK,
    },
    calendar: { name: e.CALENDAR_NAME, timeZone: e.CALENDAR_TIME_ZONE },
    google: googleConfig(e),
    cipher: cipherConfig(e),
    subscriberIdSecret: e.SUBSCRIBER_ID_SECRET_ARN
      ? { kind: 'secrets_manager', secretId: e.SUBSCRIBER_ID_SECRET_ARN }
      : { kind: 'environment', value: e.SUBSCRIBER_ID_SECRET as string },
    syncQueueUrl: e.SYNC_QUEUE_URL,
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      routes: Object.fromEntries(
        RATE_LIMITED_ROUTES.map((route) => [
          route,
          {
            perIp: limit(`RATE_LIMIT_${route.toUpperCase()}_PER_IP`),
            perSubscriber: limit(`RATE_LIMIT_${route.toUpperCase()}_PER_SUBSCRIBER`),
            ...((HOST_SIGNED_ROUTES as readonly string[]).includes(route)
              ? {
                  host: {
                    perKey: limit(`RATE_LIMIT_HOST_${route.toUpperCase()}_PER_KEY`),
                    perSubscriber: limit(`RATE_LIMIT_HOST_${route.toUpperCase()}_PER_SUBSCRIBER`),
                  },
                }
              : {}),
          },
        ]),
      ) as Record<RateLimitedRoute, RouteLimits>,
    },
    intents:
      e.CONNECT_INTENTS === 'token_only'
        ? { mode: 'token_only' }
        : { mode: 'required', hostKeys: hostKeysSource(e), noncesTable: e.HOST_NONCES_TABLE as string },
    ...hostEventsConfig(e),
    aws: awsConfig(e),
  };
}

const hostKeysSource = (e: { HOST_KEYS_SECRET_ARN?: string; HOST_KEYS?: string }): HostKeysSource =>
  e.HOST_KEYS_SECRET_ARN
    ? { kind: 'secrets_manager', secretId: e.HOST_KEYS_SECRET_ARN }
    : { kind: 'environment', text: e.HOST_KEYS as string };

const hostEventsConfig = (e: {
  HOST_EVENTS_URL?: string | undefined;
  HOST_EVENTS_KEY_ID?: string | undefined;
  HOST_KEYS_SECRET_ARN?: string;
  HOST_KEYS?: string;
}): { hostEvents?: HostEventsConfig } =>
  e.HOST_EVENTS_URL && e.HOST_EVENTS_KEY_ID
    ? { hostEvents: { url: e.HOST_EVENTS_URL, keyId: e.HOST_EVENTS_KEY_ID, hostKeys: hostKeysSource(e) } }
    : {};

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
    subscriberIdSecret: e.SUBSCRIBER_ID_SECRET_ARN
      ? { kind: 'secrets_manager', secretId: e.SUBSCRIBER_ID_SECRET_ARN }
      : { kind: 'environment', value: e.SUBSCRIBER_ID_SECRET as string },
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

/** The sync worker's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseSyncWorkerConfig(env: NodeJS.ProcessEnv): SyncWorkerConfig {
  const e = validated(syncWorkerSchema, env, (raw) => [
    ...googleAccessProblems(raw),
    ...hostEventsProblems(raw),
  ]);
  return {
    tables: subscriberTables(e),
    feed: { urlTemplate: e.FEED_URL_TEMPLATE },
    calendar: { timeZone: e.CALENDAR_TIME_ZONE },
    google: googleConfig(e),
    cipher: cipherConfig(e),
    syncQueueUrl: e.SYNC_QUEUE_URL,
    sync: {
      intervalSeconds: e.SYNC_INTERVAL_MINUTES * 60,
      timeMarginSeconds: e.SYNC_TIME_MARGIN_SECONDS,
      continueDelaySeconds: e.SYNC_CONTINUE_DELAY_SECONDS,
      busyRetryDelaySeconds: e.SYNC_BUSY_RETRY_SECONDS,
      projectQuotaPerMinute: e.GOOGLE_PROJECT_QUOTA_PER_MINUTE,
      horizon: { pastDays: e.SYNC_HORIZON_PAST_DAYS, futureMonths: e.SYNC_HORIZON_FUTURE_MONTHS },
      auditIntervalHours: e.SYNC_AUDIT_INTERVAL_HOURS,
      maxUnitsPerDay: e.SYNC_MAX_UNITS_PER_DAY,
    },
    ...hostEventsConfig(e),
    aws: awsConfig(e),
  };
}

/** The scheduler's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseSchedulerConfig(env: NodeJS.ProcessEnv): SchedulerConfig {
  const e = validated(schedulerSchema, env, () => []);
  return {
    tables: subscriberTables(e),
    syncQueueUrl: e.SYNC_QUEUE_URL,
    schedule: { intervalSeconds: e.SYNC_INTERVAL_MINUTES * 60 },
    retention: { needsReauthDays: e.NEEDS_REAUTH_RETENTION_DAYS },
    aws: awsConfig(e),
  };
}

/** Parses once per container, on first use. */
function loadedOnce<T>(parse: (env: NodeJS.ProcessEnv) => T): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= parse(process.env);
    return loaded;
  };
}

export const oauthConfig = loadedOnce(parseOAuthConfig);
export const syncWorkerConfig = loadedOnce(parseSyncWorkerConfig);
export const notifyConfig = loadedOnce(parseNotifyConfig);
export const schedulerConfig = loadedOnce(parseSchedulerConfig);
