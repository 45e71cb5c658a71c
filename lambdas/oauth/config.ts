/**
 * The OAuth function's configuration (start, callback, status, disconnect, "sync now"): its schema and parser.
 * It validates only the variables this function reads, once per container; a bad or missing variable stops the
 * function with one error that lists every problem (names only, never a value).
 */
import * as z from 'zod';
import {
  type AwsConfig,
  awsConfig,
  awsVariables,
  type CipherConfig,
  cipherConfig,
  exactlyOne,
  feedUrlTemplate,
  type GoogleConfig,
  googleAccessProblems,
  googleAccessVariables,
  googleConfig,
  type HostEventsConfig,
  type HostKeysSource,
  hostEventsConfig,
  hostEventsProblems,
  hostEventVariables,
  hostKeysSource,
  hostKeysText,
  httpUrl,
  isSet,
  nonNegativeInt,
  optionalText,
  positiveInt,
  type SecretSource,
  type SubscriberTables,
  subscriberIdSecretSource,
  subscriberIdSecretVariables,
  subscriberTables,
  subscriberTableVariables,
  text,
  timeZone,
  validated,
} from '../shared/wiring/config-parts.ts';

export const DEFAULT_GOOGLE_SCOPE = 'https://www.googleapis.com/auth/calendar.app.created';

/** The OAuth function's routes with their own rate limits (`sync`: "sync now", POST /api/google-sync). */
export const RATE_LIMITED_ROUTES = ['start', 'callback', 'status', 'disconnect', 'sync'] as const;
export type RateLimitedRoute = (typeof RATE_LIMITED_ROUTES)[number];

/** `perIp` counts failed authentications only; `perSubscriber` proven requests (docs/operating.md, "Rate limits"). */
interface RouteLimits {
  perIp: number;
  perSubscriber: number;
  /** Requests the host signed: per key id, and per subscriber apart from unsigned requests. */
  host?: { perKey: number; perSubscriber: number };
}

/** The routes the host's server calls, which take its signature (docs/operating.md, "Signed requests from the host"). */
export const HOST_SIGNED_ROUTES = ['status', 'sync', 'disconnect'] as const;
type HostSignedRoute = (typeof HOST_SIGNED_ROUTES)[number];

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
   * Whether linking and destructive actions need a connect intent signed by the host (docs/operating.md, "Connect
   * intents"): `required` (the default) with the host's keys and the table of used nonces, or `token_only`.
   */
  intents: IntentsConfig;
  hostEvents?: HostEventsConfig;
  aws: AwsConfig;
}

type IntentsConfig =
  | { mode: 'required'; hostKeys: HostKeysSource; noncesTable: string }
  | { mode: 'token_only' };

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
  ...subscriberIdSecretVariables,
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

/** The variables the OAuth function reads (the stack's drift test holds its environment to them). */
export const OAUTH_VARIABLES = Object.keys(oauthSchema.shape);

/** The OAuth function's configuration; throws ConfigError listing every missing or invalid variable. */
export function parseOAuthConfig(env: NodeJS.ProcessEnv): OAuthConfig {
  const e = validated(oauthSchema, env, (raw, data) => {
    const problems = [
      ...googleAccessProblems(raw),
      ...exactlyOne(raw, 'SUBSCRIBER_ID_SECRET_ARN', 'SUBSCRIBER_ID_SECRET'),
    ];
    // token_only needs neither keys nor the nonce table (docs/operating.md, "Connect intents": what it leaves open).
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
    subscriberIdSecret: subscriberIdSecretSource(e),
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
