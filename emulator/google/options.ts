/** How the emulator is configured. Every field has a default; tests override only what they need. */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface QuotaOptions {
  /** Quota units per user per window (Google: 600 requests per minute per user per project). */
  perUserPerWindow: number;
  /**
   * Quota units per project per window (Google: 10,000 requests per minute). A project is an OAuth client's
   * `projectId`.
   */
  perProjectPerWindow: number;
  /**
   * Quota units a call costs, by method; methods not listed cost 1. Default `{'events.patch': 3,
   * 'calendars.patch': 3}`: both references say "each patch request consumes three quota units". Each call is
   * charged its units against the per-user and the per-project window alike (Google does not say how units
   * and the per-minute request limits combine: this is the costlier reading). `{}` charges 1 per request.
   */
  unitsPerMethod: Record<string, number>;
  /** Sliding window length in ms (Google: one minute). */
  windowMs: number;
  /**
   * How an over-quota call is answered: `403` (for the per-user quota the reason `perUserReason` names,
   * `rateLimitExceeded` for the project's) or `429` (reason `rateLimitExceeded`). Google uses both.
   */
  overQuotaStatus: 403 | 429;
  /**
   * The reason of a 403 over the per-user quota. `userRateLimitExceeded` (default): "User Rate Limit Exceeded",
   * as the Calendar errors guide lists it. `rateLimitExceeded`: the form reported from production (Inky-Calendar-
   * Server issue #104, 2022): domain `usageLimits`, "Quota exceeded for quota metric 'Queries' and limit 'Queries
   * per minute per user' of service 'calendar-json.googleapis.com' for consumer 'project_number:...'".
   */
  perUserReason: 'userRateLimitExceeded' | 'rateLimitExceeded';
  /**
   * Calendar calls a project may make per day (Google: "Queries per day"); past them every Calendar call of the
   * project answers 403 `dailyLimitExceeded` until the next midnight in America/Los_Angeles (emulator clock).
   * Unset (default): no daily limit (Google bills above 1,000,000 a day rather than refusing; older projects
   * met hard daily limits, google-calendar-crx #539, OutlookGoogleCalendarSync #1133). `exhaustDailyQuota`
   * trips it whatever this says.
   */
  perProjectPerDay?: number;
  /** When set, over-quota answers carry `Retry-After: <seconds>` (Google usually sends none). */
  retryAfterSeconds?: number;
}

/**
 * Calendar usage limits (support.google.com/a/answer/2905486, "Avoid Calendar use limits"): about 100,000 events
 * created "during a short period" ("It might take several months until this limit type is fully replenished")
 * and 60 calendars ("several hours" to replenish). Each is a bucket per user that refills linearly: full after
 * its refill period, one creation (or deletion) takes one from it; an empty bucket answers 403 `quotaExceeded`
 * "Calendar usage limits exceeded.".
 */
export interface UsageLimitOptions {
  /** Capacity of the calendars bucket (Google: 60 new calendars in a short period; deletions counted too). */
  calendarsCreatedOrDeletedPerUser: number;
  /** Time an empty calendars bucket takes to fill again (default 12 h: "several hours"). */
  calendarsRefillMs: number;
  /**
   * Capacity of the events bucket: events created (insert, import of a new event) or deleted (events.delete,
   * instances included). Google: about 100,000 "in a short period"; its message names deletions too.
   */
  eventsCreatedOrDeletedPerUser: number;
  /** Time an empty events bucket takes to fill again (default 90 days: "several months"). */
  eventsRefillMs: number;
  /**
   * How long a user whose bucket ran dry cannot write at all (every event and calendar write answers 403
   * `quotaExceeded`, reads still work). Google: "you might lose calendar edit ability for a few hours" / "your
   * calendar might go into read-only mode for several hours". Default 3 h; 0 refuses only the creations and
   * deletions that find the bucket empty.
   */
  readOnlyMs: number;
}

export interface TokenOptions {
  /** `expires_in` of access tokens (Google answers 3599). */
  accessTokenLifetimeSeconds: number;
  /** Authorization codes are single-use and expire after this many seconds. */
  authorizationCodeLifetimeSeconds: number;
  /** Live refresh tokens per OAuth client per user; minting one more silently invalidates the oldest. */
  refreshTokensPerClientPerUser: number;
  /**
   * What revoking a token revokes. `grant` (default, Google's documented behaviour: "Revocation removes all
   * OAuth 2.0 scopes previously granted to a project, invalidating any issued access or refresh tokens for all
   * clients registered under that project", OAuth 2.0 web-server guide, token revocation): every access and
   * refresh token the user granted that project, across all its OAuth clients. `token`: only the token's family
   * (a refresh token and the access tokens minted from it; an access token and its refresh token).
   */
  revocation: 'grant' | 'token';
}

export interface CalendarWriteOptions {
  /**
   * Event writes (insert, import, patch, update, delete) one calendar takes per window before
   * `403 rateLimitExceeded` "Rate Limit Exceeded" (domain `usageLimits`). Unset (the default): no limit. Google
   * warns of such operational limits when one calendar is written in quick succession, without numbers.
   */
  perSecond?: number;
  /** Sliding window length in ms (default 1,000: a second). */
  windowMs: number;
}

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** The clock (ms since the epoch): token expiry, quota windows, `updated` timestamps, sync token age. */
  now: () => number;
  /** Added to every Google API call (calendar and OAuth endpoints; not the `/__emulator` control endpoints). */
  latencyMs: number;
  quotas: QuotaOptions;
  usageLimits: UsageLimitOptions;
  tokens: TokenOptions;
  /** Per-calendar write throttle (off by default). */
  calendarWrites: CalendarWriteOptions;
  /** A sync token older than this answers `410 fullSyncRequired` (Google does not publish the age). */
  syncTokenLifetimeMs: number;
  /** Which instance id scheme new series get (see `calendar/instance-ids.ts`). */
  instanceIds: InstanceIdOptions;
  /** When deleted events disappear for good (their ids stay taken). */
  tombstones: TombstoneOptions;
  /**
   * How events.update and events.patch answer on an event the user deleted in the Calendar UI
   * (`userDeleteEvent`). `forbidden` (default): 403 `forbidden`, as reported in google-api-ruby-client #1811
   * (insert with the id answers 409, update 403). `restore`: the write restores it, as for an event deleted
   * through the API (Stack Overflow 27542721). Events deleted through the API are always restored by a write.
   */
  userDeletedUpdate: 'forbidden' | 'restore';
  /** Short and empty pages of events.list and events.instances. */
  paging: PagingOptions;
  /** Zone names Google has refused or is not shown to take. */
  timeZones: TimeZoneOptions;
  /**
   * Who a `calendar.app.created` calendar belongs to: `client` (default, the stricter reading: the OAuth client
   * that created it; another client's token, same project or not, gets 403 insufficientPermissions) or
   * `project` (any client of the creating client's project). Google says "calendars created by this app"
   * without saying whether the app is the client or the Cloud project.
   */
  appCreatedOwner: 'client' | 'project';
}

interface TombstoneOptions {
  /**
   * A deleted event (`status: cancelled`) is purged this long after its deletion (emulator clock): then `get`
   * answers 404 and listings no longer show it, while its id stays taken (insert answers 409). The Events
   * resource: "Deleted events will eventually disappear, so do not rely on them being available indefinitely";
   * ids staying taken: GAMADV-X #82, google-api-ruby-client #284 and #1811. Google publishes no delay: default
   * 30 days. `purgeTombstones` purges at once.
   */
  purgeAfterMs: number;
}

export interface PagingOptions {
  /**
   * events.list and events.instances references: the page "may be less than [maxResults], or none at all,
   * even if there are more events matching the query". When true (default), a listing that needs more than one
   * page gets a first page of half the page size and an empty second page (with a nextPageToken), then full
   * pages. Deterministic; a listing that fits in one page is answered whole.
   */
  shortPages: boolean;
  /**
   * When set, a page holds at most this many items whatever `maxResults` asks (lets a test page through a few
   * events with the product's maxResults of 2500). Unset by default.
   */
  maxPageSize?: number;
}

interface TimeZoneOptions {
  /**
   * Whether the refused names are taken after all: the IANA names of 2016 and later that Google has refused
   * (`Europe/Kyiv`: 400 "Invalid time zone definition for start time.", OutlookGoogleCalendarSync #1525 and
   * #1530) or that share that fate by assumption (`America/Nuuk`, `Pacific/Kanton`, `America/Ciudad_Juarez`,
   * `Asia/Yangon`), and every `Etc/GMT+N`/`Etc/GMT-N` with N other than 0 (no source shows Google taking them).
   * Default false (refused).
   */
  acceptRecentNames: boolean;
}

interface InstanceIdOptions {
  /**
   * Series created at or after this instant (epoch ms, emulator clock) get opaque instance ids; older ones keep
   * `<seriesId>_<start>`. Default `Date.UTC(2026, 6, 1)`: Google announced new-format instance ids for new
   * recurring events from Q3 2026 (October 2025 notice, quoted in OutlookGoogleCalendarSync issue #2205).
   */
  opaqueFrom: number;
}

/** What `startGoogleEmulator` accepts: any field, nested groups partially. */
export type EmulatorOverrides = Partial<
  Omit<
    EmulatorOptions,
    'quotas' | 'usageLimits' | 'tokens' | 'calendarWrites' | 'tombstones' | 'paging' | 'timeZones'
  >
> & {
  quotas?: Partial<QuotaOptions>;
  usageLimits?: Partial<UsageLimitOptions>;
  tokens?: Partial<TokenOptions>;
  calendarWrites?: Partial<CalendarWriteOptions>;
  tombstones?: Partial<TombstoneOptions>;
  paging?: Partial<PagingOptions>;
  timeZones?: Partial<TimeZoneOptions>;
};

const DEFAULT_OPTIONS: EmulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  now: () => Date.now(),
  latencyMs: 0,
  quotas: {
    perUserPerWindow: 600,
    perProjectPerWindow: 10_000,
    windowMs: 60_000,
    overQuotaStatus: 403,
    perUserReason: 'userRateLimitExceeded',
    unitsPerMethod: { 'events.patch': 3, 'calendars.patch': 3 },
  },
  usageLimits: {
    calendarsCreatedOrDeletedPerUser: 60,
    calendarsRefillMs: 12 * HOUR_MS,
    eventsCreatedOrDeletedPerUser: 100_000,
    eventsRefillMs: 90 * DAY_MS,
    readOnlyMs: 3 * HOUR_MS,
  },
  tokens: {
    accessTokenLifetimeSeconds: 3599,
    authorizationCodeLifetimeSeconds: 600,
    refreshTokensPerClientPerUser: 100,
    revocation: 'grant',
  },
  calendarWrites: { windowMs: 1000 },
  syncTokenLifetimeMs: 7 * 24 * 3_600_000,
  instanceIds: { opaqueFrom: Date.UTC(2026, 6, 1) },
  tombstones: { purgeAfterMs: 30 * DAY_MS },
  userDeletedUpdate: 'forbidden',
  paging: { shortPages: true },
  timeZones: { acceptRecentNames: false },
  appCreatedOwner: 'client',
};

export function resolveOptions(overrides: EmulatorOverrides = {}): EmulatorOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...overrides,
    quotas: { ...DEFAULT_OPTIONS.quotas, ...overrides.quotas },
    usageLimits: { ...DEFAULT_OPTIONS.usageLimits, ...overrides.usageLimits },
    tokens: { ...DEFAULT_OPTIONS.tokens, ...overrides.tokens },
    calendarWrites: { ...DEFAULT_OPTIONS.calendarWrites, ...overrides.calendarWrites },
    tombstones: { ...DEFAULT_OPTIONS.tombstones, ...overrides.tombstones },
    paging: { ...DEFAULT_OPTIONS.paging, ...overrides.paging },
    timeZones: { ...DEFAULT_OPTIONS.timeZones, ...overrides.timeZones },
  };
}
