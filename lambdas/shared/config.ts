/**
 * The service's configuration: one schema for the whole environment, validated once per container. A bad or
 * missing variable stops the function with one error that lists every problem (names only, never a value).
 */
import { z } from 'zod';
import type { TableNames } from './adapters/dynamodb/tables.ts';
import { endpointsUnder, GOOGLE_ENDPOINTS, type GoogleEndpoints } from './adapters/google/endpoints.ts';

export const DEFAULT_GOOGLE_SCOPE = 'https://www.googleapis.com/auth/calendar.app.created';

/** The routes with their own rate limits (`sync` is the "sync now" route of the sync issue). */
export const RATE_LIMITED_ROUTES = ['start', 'callback', 'status', 'disconnect', 'sync'] as const;
export type RateLimitedRoute = (typeof RATE_LIMITED_ROUTES)[number];

export interface RouteLimits {
  perIp: number;
  perSubscriber: number;
}

/** Requests per window (RATE_LIMIT_WINDOW_SECONDS). Start and callback are rare by nature; status is polled. */
const DEFAULT_RATE_LIMITS: Record<RateLimitedRoute, RouteLimits> = {
  start: { perIp: 20, perSubscriber: 10 },
  callback: { perIp: 20, perSubscriber: 10 },
  status: { perIp: 120, perSubscriber: 30 },
  disconnect: { perIp: 20, perSubscriber: 10 },
  sync: { perIp: 20, perSubscriber: 2 },
};

export type SecretSource =
  | { kind: 'secrets_manager'; secretId: string }
  | { kind: 'environment'; value: string };

export interface Config {
  tables: TableNames;
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
  };
  calendar: { name: string; timeZone: string };
  google: {
    endpoints: GoogleEndpoints;
    /** Where the OAuth client id/secret come from. */
    credentials: { kind: 'secrets_manager'; secretId: string } | { kind: 'environment' };
    /** Refresh an access token this long before it expires. */
    accessTokenRefreshMarginSeconds: number;
  };
  cipher: { kind: 'kms'; keyId: string } | { kind: 'local'; keyBase64: string };
  /** The HMAC key that turns a feed token into a subscriberId. */
  subscriberIdSecret: SecretSource;
  syncQueueUrl: string;
  rateLimits: { windowSeconds: number; routes: Record<RateLimitedRoute, RouteLimits> };
  retention: { needsReauthDays: number };
  aws: { dynamodbEndpoint?: string; sqsEndpoint?: string };
}

/** Every problem of the environment at once; names the variables, never their values. */
export class ConfigError extends Error {
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

const environmentSchema = z.object({
  CONNECTIONS_TABLE: text,
  SYNC_STATE_TABLE: text,
  EVENT_MAP_TABLE: text,
  OAUTH_STATES_TABLE: text,
  RATE_LIMITS_TABLE: text,
  FEED_URL_TEMPLATE: httpUrl.refine(
    (value) => value.split('{token}').length === 2,
    'must contain the {token} placeholder exactly once',
  ),
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
  GOOGLE_API_BASE_URL: optionalText.pipe(httpUrl.optional()),
  GOOGLE_CLIENT_SECRET_ARN: optionalText,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  ACCESS_TOKEN_REFRESH_MARGIN_SECONDS: positiveInt(300),
  KMS_KEY_ID: optionalText,
  LOCAL_CIPHER_KEY: optionalText,
  SUBSCRIBER_ID_SECRET_ARN: optionalText,
  SUBSCRIBER_ID_SECRET: optionalText.refine(
    (value) => value === undefined || value.length >= 32,
    'must be at least 32 characters',
  ),
  SYNC_QUEUE_URL: httpUrl,
  OAUTH_STATE_TTL_SECONDS: positiveInt(600).refine((seconds) => seconds <= 3600, 'must be at most 3600'),
  OAUTH_COOKIE_SECURE: flag(true),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  ...rateLimitVariables,
  NEEDS_REAUTH_RETENTION_DAYS: positiveInt(30),
  DYNAMODB_ENDPOINT: optionalText.pipe(httpUrl.optional()),
  SQS_ENDPOINT: optionalText.pipe(httpUrl.optional()),
});

/** What Powertools reads as true in its boolean variables. */
const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);

/** Rules across variables, checked on the raw environment so they are reported together with all others. */
function crossVariableProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => Boolean(env[name]?.trim());
  const problems: string[] = [];
  const exactlyOne = (a: string, b: string) => {
    if (set(a) === set(b)) problems.push(`${a}: set exactly one of ${a} or ${b}`);
  };
  // Both would write request data with tokens to the logs.
  if (set('GOOGLE_SDK_NODE_LOGGING')) {
    problems.push(
      "GOOGLE_SDK_NODE_LOGGING: must not be set (Google's client library would log requests holding tokens)",
    );
  }
  if (TRUTHY.has(env.POWERTOOLS_LOGGER_LOG_EVENT?.trim().toLowerCase() ?? '')) {
    problems.push(
      'POWERTOOLS_LOGGER_LOG_EVENT: must not be true (the events hold feed tokens and OAuth codes)',
    );
  }
  exactlyOne('KMS_KEY_ID', 'LOCAL_CIPHER_KEY');
  exactlyOne('SUBSCRIBER_ID_SECRET_ARN', 'SUBSCRIBER_ID_SECRET');
  const fromEnvironment = set('GOOGLE_CLIENT_ID') || set('GOOGLE_CLIENT_SECRET');
  const completeInEnvironment = set('GOOGLE_CLIENT_ID') && set('GOOGLE_CLIENT_SECRET');
  if (set('GOOGLE_CLIENT_SECRET_ARN') ? fromEnvironment : !completeInEnvironment) {
    problems.push(
      'GOOGLE_CLIENT_SECRET_ARN: set either GOOGLE_CLIENT_SECRET_ARN or both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET',
    );
  }
  return problems;
}

/** Validates the environment; throws ConfigError listing every missing or invalid variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems = crossVariableProblems(env);
  if (parsed.success) {
    const fallback = new URL(parsed.data.DEFAULT_RETURN_TO);
    if (!parsed.data.RETURN_TO_ALLOWLIST.includes(fallback.origin + fallback.pathname)) {
      problems.push('DEFAULT_RETURN_TO: must be on RETURN_TO_ALLOWLIST');
    }
  } else {
    problems.unshift(
      ...parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const limit = (name: string) => e[name as keyof typeof e] as number;
  return {
    tables: {
      connections: e.CONNECTIONS_TABLE,
      syncState: e.SYNC_STATE_TABLE,
      eventMap: e.EVENT_MAP_TABLE,
      oauthStates: e.OAUTH_STATES_TABLE,
      rateLimits: e.RATE_LIMITS_TABLE,
    },
    feed: { urlTemplate: e.FEED_URL_TEMPLATE, validTokenCacheSeconds: e.FEED_TOKEN_CACHE_SECONDS },
    oauth: {
      redirectUri: e.OAUTH_REDIRECT_URI,
      scopes: e.GOOGLE_SCOPES,
      returnToAllowList: e.RETURN_TO_ALLOWLIST,
      defaultReturnTo: e.DEFAULT_RETURN_TO,
      stateTtlSeconds: e.OAUTH_STATE_TTL_SECONDS,
      cookie: { secure: e.OAUTH_COOKIE_SECURE },
    },
    calendar: { name: e.CALENDAR_NAME, timeZone: e.CALENDAR_TIME_ZONE },
    google: {
      endpoints: e.GOOGLE_API_BASE_URL ? endpointsUnder(e.GOOGLE_API_BASE_URL) : GOOGLE_ENDPOINTS,
      credentials: e.GOOGLE_CLIENT_SECRET_ARN
        ? { kind: 'secrets_manager', secretId: e.GOOGLE_CLIENT_SECRET_ARN }
        : { kind: 'environment' },
      accessTokenRefreshMarginSeconds: e.ACCESS_TOKEN_REFRESH_MARGIN_SECONDS,
    },
    cipher: e.KMS_KEY_ID
      ? { kind: 'kms', keyId: e.KMS_KEY_ID }
      : { kind: 'local', keyBase64: e.LOCAL_CIPHER_KEY as string },
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
          },
        ]),
      ) as Record<RateLimitedRoute, RouteLimits>,
    },
    retention: { needsReauthDays: e.NEEDS_REAUTH_RETENTION_DAYS },
    aws: { dynamodbEndpoint: e.DYNAMODB_ENDPOINT, sqsEndpoint: e.SQS_ENDPOINT },
  };
}

let loaded: Config | undefined;

/** The configuration of this container, validated on first use. */
export function config(): Config {
  loaded ??= parseConfig(process.env);
  return loaded;
}
