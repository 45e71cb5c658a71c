/** How the emulator is configured. Every field has a default; tests override only what they need. */

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
   * How an over-quota call is answered: `403` (reason `userRateLimitExceeded` for the per-user quota,
   * `rateLimitExceeded` for the project's) or `429` (reason `rateLimitExceeded`). Google uses both.
   */
  overQuotaStatus: 403 | 429;
  /** When set, over-quota answers carry `Retry-After: <seconds>` (Google usually sends none). */
  retryAfterSeconds?: number;
}

export interface UsageLimitOptions {
  /**
   * Calendars a user may create or delete per window before `403 quotaExceeded` (Google: about 60 new
   * calendars "in a short period"; its message names deletions too).
   */
  calendarsCreatedOrDeletedPerUser: number;
  /**
   * Events a user may create (insert, import of a new event) or delete (events.delete, instances included) per
   * window before `403 quotaExceeded` (Google: about 100,000 "in a short period"; its message names deletions too).
   */
  eventsCreatedOrDeletedPerUser: number;
  /** Sliding window length in ms (Google does not publish it; default one hour). */
  windowMs: number;
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
}

export interface InstanceIdOptions {
  /**
   * Series created at or after this instant (epoch ms, emulator clock) get opaque instance ids; older ones keep
   * `<seriesId>_<start>`. Default `Date.UTC(2026, 6, 1)`: Google announced new-format instance ids for new
   * recurring events from Q3 2026 (October 2025 notice, quoted in OutlookGoogleCalendarSync issue #2205).
   */
  opaqueFrom: number;
}

/** What `startGoogleEmulator` accepts: any field, nested groups partially. */
export type EmulatorOverrides = Partial<
  Omit<EmulatorOptions, 'quotas' | 'usageLimits' | 'tokens' | 'calendarWrites'>
> & {
  quotas?: Partial<QuotaOptions>;
  usageLimits?: Partial<UsageLimitOptions>;
  tokens?: Partial<TokenOptions>;
  calendarWrites?: Partial<CalendarWriteOptions>;
};

export const DEFAULT_OPTIONS: EmulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  now: () => Date.now(),
  latencyMs: 0,
  quotas: {
    perUserPerWindow: 600,
    perProjectPerWindow: 10_000,
    windowMs: 60_000,
    overQuotaStatus: 403,
    unitsPerMethod: { 'events.patch': 3, 'calendars.patch': 3 },
  },
  usageLimits: {
    calendarsCreatedOrDeletedPerUser: 60,
    eventsCreatedOrDeletedPerUser: 100_000,
    windowMs: 3_600_000,
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
};

export function resolveOptions(overrides: EmulatorOverrides = {}): EmulatorOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...overrides,
    quotas: { ...DEFAULT_OPTIONS.quotas, ...overrides.quotas },
    usageLimits: { ...DEFAULT_OPTIONS.usageLimits, ...overrides.usageLimits },
    tokens: { ...DEFAULT_OPTIONS.tokens, ...overrides.tokens },
    calendarWrites: { ...DEFAULT_OPTIONS.calendarWrites, ...overrides.calendarWrites },
  };
}
