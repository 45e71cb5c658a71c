/** How the emulator is configured. Every field has a default; tests override only what they need. */

export interface QuotaOptions {
  /** Requests per user per window (Google: 600 per minute per user per project). */
  perUserPerWindow: number;
  /** Requests per project per window (Google: 10,000 per minute). A project is an OAuth client's `projectId`. */
  perProjectPerWindow: number;
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
   * What revoking a token revokes. `token` (default): the token's family (a refresh token and the access tokens
   * minted from it; an access token and its refresh token). `grant`: every token of that user for that client.
   * Google documents the first; whether it does the second is unconfirmed, so both can be tested.
   */
  revocation: 'token' | 'grant';
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
  /** A sync token older than this answers `410 fullSyncRequired` (Google does not publish the age). */
  syncTokenLifetimeMs: number;
}

/** What `startGoogleEmulator` accepts: any field, nested groups partially. */
export type EmulatorOverrides = Partial<Omit<EmulatorOptions, 'quotas' | 'usageLimits' | 'tokens'>> & {
  quotas?: Partial<QuotaOptions>;
  usageLimits?: Partial<UsageLimitOptions>;
  tokens?: Partial<TokenOptions>;
};

export const DEFAULT_OPTIONS: EmulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  now: () => Date.now(),
  latencyMs: 0,
  quotas: { perUserPerWindow: 600, perProjectPerWindow: 10_000, windowMs: 60_000, overQuotaStatus: 403 },
  usageLimits: {
    calendarsCreatedOrDeletedPerUser: 60,
    eventsCreatedOrDeletedPerUser: 100_000,
    windowMs: 3_600_000,
  },
  tokens: {
    accessTokenLifetimeSeconds: 3599,
    authorizationCodeLifetimeSeconds: 600,
    refreshTokensPerClientPerUser: 100,
    revocation: 'token',
  },
  syncTokenLifetimeMs: 7 * 24 * 3_600_000,
};

export function resolveOptions(overrides: EmulatorOverrides = {}): EmulatorOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...overrides,
    quotas: { ...DEFAULT_OPTIONS.quotas, ...overrides.quotas },
    usageLimits: { ...DEFAULT_OPTIONS.usageLimits, ...overrides.usageLimits },
    tokens: { ...DEFAULT_OPTIONS.tokens, ...overrides.tokens },
  };
}
