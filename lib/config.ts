/**
 * The stack's configuration: CDK context (`-c name=value` or cdk.json) first, then an environment variable of
 * the same meaning, then the default. Validated once with every problem listed, so `cdk synth` stops with one
 * readable message instead of deploying a stack whose functions refuse to start. docs/operating.md: "Deploying".
 */
import * as z from 'zod';
import { DEFAULT_GOOGLE_SCOPE } from '../lambdas/oauth/config.ts';
import { DEFAULT_HORIZON_SPAN } from '../lambdas/shared/domain/ics/horizon.ts';
import { DEFAULT_SYNC_INTERVAL_MINUTES } from '../lambdas/shared/wiring/config-parts.ts';
import {
  DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE,
  DEFAULT_SYNC_AUDIT_INTERVAL_HOURS,
  DEFAULT_SYNC_MAX_UNITS_PER_DAY,
} from '../lambdas/sync/config.ts';

type DeployTarget = 'aws' | 'localstack';

/**
 * Sweeps checked at once by default. A sweep of a shard at 1,000,000 subscribers holds ~3,900 of them; at 32
 * fetches in flight and ~0.2 s per fetch it takes ~25 s, so 256 sweeps per 15 minutes need ~7 at once: 20 leaves
 * room for slow feed services and continuations.
 */
export const DEFAULT_CHECK_FUNCTION_CONCURRENCY = 20;

/**
 * Worker invocations at once by default. The project's quota budget (not this) keeps Google's project quota; this
 * only has to be enough for a backlog (first syncs of many subscribers) to use the whole quota: 10 invocations of
 * 4 subscribers each are 40 syncs, twice the 19 that spend 10,000 units a minute at the per-user pace of 540, as
 * a sync also fetches, parses and writes its state between calls.
 */
export const DEFAULT_WORKER_CONCURRENCY = 10;

export interface StackConfig {
  /** Names resources (`ics-google-sync-<stage>`); `dev` stages may be torn down with their data. */
  stage: string;
  /** `localstack` swaps what LocalStack's community edition cannot run (docs/operating.md, "LocalStack"). */
  target: DeployTarget;
  feedUrlTemplate: string;
  returnToAllowList: string[];
  defaultReturnTo: string;
  /** Where the API is reached from outside (a custom domain); the execute-api URL when absent. */
  publicApiUrl?: string;
  googleScopes: string;
  /** Google's endpoints under one base URL (an emulator, for LocalStack); Google's own hosts when absent. */
  googleApiBaseUrl?: string;
  calendarName: string;
  calendarTimeZone: string;
  syncIntervalMinutes: number;
  horizonPastDays: number;
  horizonFutureMonths: number;
  auditIntervalHours: number;
  maxUnitsPerDay: number;
  googleProjectQuotaPerMinute: number;
  /** Sweeps checked at once: the check function's maximum concurrency on the sweep queue. */
  checkConcurrency: number;
  /** Sync worker invocations at once: its maximum concurrency on the sync queue. */
  workerConcurrency: number;
  connectIntents: 'required' | 'token_only';
  /** Whether the connect link (`GET /start`, the confirmation page) is served; the POST form always is. */
  connectLink: boolean;
  hostEventsUrl?: string;
  hostEventsKeyId?: string;
  waf: boolean;
  /** The host's server addresses (CIDRs): WAF's per-IP rules do not count their requests. */
  hostIpAllowList: string[];
  alarmEmail?: string;
  logRetentionDays: number;
  needsReauthRetentionDays: number;
}

/** One row per setting: its context key, its environment variable, and what it means (docs/operating.md, "Stack settings"). */
export const SETTINGS = {
  stage: {
    env: 'STAGE',
    about: 'stage name; anything but `dev` turns on deletion protection and retains data',
  },
  target: { env: 'DEPLOY_TARGET', about: '`aws` or `localstack`' },
  feedUrlTemplate: { env: 'FEED_URL_TEMPLATE', about: "subscribers' feed URL with one `{token}` (required)" },
  returnToAllowList: {
    env: 'RETURN_TO_ALLOWLIST',
    about: 'comma-separated pages `return_to` may name, origin + path (required)',
  },
  defaultReturnTo: { env: 'DEFAULT_RETURN_TO', about: 'where the browser returns by default (first entry)' },
  publicApiUrl: { env: 'PUBLIC_API_URL', about: 'the API behind a custom domain, if any' },
  googleScopes: { env: 'GOOGLE_SCOPES', about: 'space-separated OAuth scopes' },
  googleApiBaseUrl: {
    env: 'GOOGLE_API_BASE_URL',
    about: 'a Google emulator instead of Google (LocalStack only)',
  },
  calendarName: { env: 'CALENDAR_NAME', about: 'name of the dedicated calendar' },
  calendarTimeZone: { env: 'CALENDAR_TIME_ZONE', about: 'its zone, and the zone of floating times' },
  syncIntervalMinutes: { env: 'SYNC_INTERVAL_MINUTES', about: 'how often every subscriber is synced' },
  horizonPastDays: { env: 'SYNC_HORIZON_PAST_DAYS', about: 'days back a sync reaches' },
  horizonFutureMonths: { env: 'SYNC_HORIZON_FUTURE_MONTHS', about: 'months ahead a sync reaches' },
  auditIntervalHours: {
    env: 'SYNC_AUDIT_INTERVAL_HOURS',
    about: 'how often each calendar is compared with what the service wrote',
  },
  maxUnitsPerDay: {
    env: 'SYNC_MAX_UNITS_PER_DAY',
    about: "Google quota units one subscriber's syncs may spend per UTC day",
  },
  googleProjectQuotaPerMinute: {
    env: 'GOOGLE_PROJECT_QUOTA_PER_MINUTE',
    about: "the Google project's Calendar quota, shared by every sync (the worker's budget)",
  },
  workerConcurrency: {
    env: 'WORKER_CONCURRENCY',
    about: "sync worker invocations at once (the worker's maximum concurrency, 2 to 1000)",
  },
  checkConcurrency: {
    env: 'CHECK_FUNCTION_CONCURRENCY',
    about: "sweeps checked at once (the check function's maximum concurrency, 2 to 1000)",
  },
  connectIntents: { env: 'CONNECT_INTENTS', about: '`required` (host-signed intents) or `token_only`' },
  connectLink: {
    env: 'CONNECT_LINK',
    about: '`false` turns off the connect link (GET start); the POST form keeps working',
  },
  hostEventsUrl: { env: 'HOST_EVENTS_URL', about: "the host's endpoint for signed events, if any" },
  hostEventsKeyId: { env: 'HOST_EVENTS_KEY_ID', about: 'the host key id that signs them' },
  waf: { env: 'WAF', about: 'a WAF web ACL with a per-IP rate rule on the API' },
  hostIpAllowList: {
    env: 'HOST_IP_ALLOWLIST',
    about: "comma-separated CIDRs of the host's servers, which WAF's per-IP rules do not count",
  },
  alarmEmail: { env: 'ALARM_EMAIL', about: 'an e-mail address subscribed to the alarms' },
  logRetentionDays: { env: 'LOG_RETENTION_DAYS', about: 'CloudWatch Logs retention' },
  needsReauthRetentionDays: {
    env: 'NEEDS_REAUTH_RETENTION_DAYS',
    about: 'days a connection needing re-authorisation is kept',
  },
} as const satisfies Record<keyof StackConfig, { env: string; about: string }>;

type Setting = keyof typeof SETTINGS;

const text = z.string({ error: 'is required' }).trim().min(1, 'is required');
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));
const httpsOrLocalUrl = text.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));
const intIn = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === 'true'));

const schema = z.object({
  stage: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be 1-16 of a-z 0-9 - starting with a letter')
    .default('dev'),
  target: z.enum(['aws', 'localstack']).default('aws'),
  feedUrlTemplate: httpsOrLocalUrl.refine(
    (value) => value.split('{token}').length === 2,
    'must contain {token} exactly once',
  ),
  returnToAllowList: text.transform((value) => value.split(/[\s,]+/).filter(Boolean)),
  defaultReturnTo: optionalText,
  publicApiUrl: optionalText.pipe(httpsOrLocalUrl.optional()),
  googleScopes: text.default(DEFAULT_GOOGLE_SCOPE),
  googleApiBaseUrl: optionalText.pipe(httpsOrLocalUrl.optional()),
  calendarName: text.max(200).default('ICS subscription'),
  calendarTimeZone: text.default('UTC'),
  syncIntervalMinutes: intIn(1, 1440, DEFAULT_SYNC_INTERVAL_MINUTES),
  horizonPastDays: intIn(1, 366, DEFAULT_HORIZON_SPAN.pastDays),
  horizonFutureMonths: intIn(1, 60, DEFAULT_HORIZON_SPAN.futureMonths),
  auditIntervalHours: intIn(1, 720, DEFAULT_SYNC_AUDIT_INTERVAL_HOURS),
  maxUnitsPerDay: intIn(1, 1_000_000, DEFAULT_SYNC_MAX_UNITS_PER_DAY),
  googleProjectQuotaPerMinute: intIn(1_160, 10_000_000, DEFAULT_GOOGLE_PROJECT_QUOTA_PER_MINUTE),
  // SQS event sources take a maximum concurrency of 2 to 1000.
  checkConcurrency: intIn(2, 1000, DEFAULT_CHECK_FUNCTION_CONCURRENCY),
  workerConcurrency: intIn(2, 1000, DEFAULT_WORKER_CONCURRENCY),
  connectIntents: z.enum(['required', 'token_only']).default('required'),
  connectLink: flag,
  hostEventsUrl: optionalText.pipe(httpsOrLocalUrl.optional()),
  hostEventsKeyId: optionalText,
  waf: flag,
  hostIpAllowList: optionalText
    .transform((value) => (value ?? '').split(/[\s,]+/).filter(Boolean))
    .refine(
      (cidrs) => cidrs.every((cidr) => IPV4_CIDR.test(cidr) || IPV6_CIDR.test(cidr)),
      'must be CIDRs such as 203.0.113.7/32 or 2001:db8::/64',
    ),
  alarmEmail: optionalText.pipe(z.email().optional()),
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine((days) => LOG_RETENTION_DAYS.includes(days), 'must be a CloudWatch Logs retention period')
    .default(30),
  needsReauthRetentionDays: intIn(1, 3650, 30),
});

const IPV4_CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(?:12[0-8]|1[01]\d|[1-9]?\d)$/;

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];

export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
  constructor(readonly problems: string[]) {
    super(
      `invalid stack configuration (docs/operating.md, "Deploying"):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/**
 * Reads every setting from `context(key)` (CDK context), else `env[SETTINGS[key].env]`. Values may be strings
 * (command line, environment) or JSON values (cdk.json): both are accepted.
 */
export function parseStackConfig(
  context: (key: string) => unknown,
  env: NodeJS.ProcessEnv = process.env,
): StackConfig {
  const raw: Record<string, string | undefined> = {};
  for (const [key, { env: variable }] of Object.entries(SETTINGS)) {
    const value = context(key) ?? env[variable];
    raw[key] =
      value === undefined || value === null
        ? undefined
        : Array.isArray(value)
          ? value.join(',')
          : String(value);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new StackConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '') as Setting;
        return `${key} (-c ${key}=... or ${SETTINGS[key]?.env ?? '?'}): ${issue.message}`;
      }),
    );
  }
  const c = parsed.data;
  const problems: string[] = [];
  if (c.googleApiBaseUrl && c.target !== 'localstack') {
    problems.push('googleApiBaseUrl: only with target=localstack (a deployed service talks to Google)');
  }
  if (Boolean(c.hostEventsUrl) !== Boolean(c.hostEventsKeyId)) {
    problems.push('hostEventsUrl and hostEventsKeyId: set both or neither');
  }
  const defaultReturnTo = c.defaultReturnTo ?? c.returnToAllowList[0] ?? '';
  if (problems.length > 0) throw new StackConfigError(problems);
  return {
    ...c,
    defaultReturnTo,
    waf: c.waf ?? c.target === 'aws',
    connectLink: c.connectLink ?? true,
    ...(c.publicApiUrl ? { publicApiUrl: c.publicApiUrl.replace(/\/+$/, '') } : {}),
  } as StackConfig;
}
