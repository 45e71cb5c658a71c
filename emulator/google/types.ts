/** The emulator's public types: what tests and the local run see. */
import type { GoogleEndpoints } from '../../lambdas/shared/adapters/google/endpoints.ts';

export interface EmulatorUser {
  /** Google's account id (`sub`), 21 digits. */
  id: string;
  email: string;
  name: string;
  /** The primary calendar's time zone, and the default of calendars the user creates. */
  timeZone: string;
}

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  /** Exact-match list, as in Google's console. */
  redirectUris: string[];
  /** When true the authorization page refuses a request without `code_challenge`. */
  requirePkce: boolean;
  /** Quota is counted per project; clients registered without one each get their own. */
  projectId: string;
}

/** Same shape as the token endpoint's JSON answer. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  scope: string;
  token_type: 'Bearer';
  refresh_token?: string;
  /** A JWT naming the user (`sub`), when the grant includes `openid`. */
  id_token?: string;
}

export interface FaultSpec {
  /** `events.insert`, `calendars.delete`, `oauth2.token`, ... or `*` for any Google call. */
  method: string;
  /** How many upcoming matching calls it hits (default 1). */
  count?: number;
  /** Answer with this HTTP status (omit for a slow-but-successful call). */
  status?: number;
  /** Google reason in `errors[0].reason` (default from the status: backendError, rateLimitExceeded, ...). */
  reason?: string;
  message?: string;
  /** Delay before answering, in ms. */
  delayMs?: number;
  /** Only calls made for this user (id or email). */
  user?: string;
  /** The call takes effect, then the answer is the error (a write Google did but whose answer was lost). */
  afterEffect?: boolean;
  /** Adds `Retry-After: <seconds>` to the error answer. */
  retryAfterSeconds?: number;
}

export interface Counters {
  /** Calls received (every one, including those answered with an error; OAuth endpoints too). */
  total: number;
  /**
   * Quota units charged: Calendar calls admitted by the quota check, each at its method's units
   * (`quotas.unitsPerMethod`: a patch 3, others 1). Calls refused before or by the quota check charge none.
   */
  units: number;
  /** By method name (`events.insert`, `oauth2.token`, ...). */
  byMethod: Record<string, number>;
  /** Quota units by method name (Calendar methods only). */
  unitsByMethod: Record<string, number>;
  /** By user email: calls made with that user's tokens, and the units charged to that user. */
  byUser: Record<
    string,
    { total: number; units: number; byMethod: Record<string, number>; unitsByMethod: Record<string, number> }
  >;
}

/** An event exactly as the API returns it from `events.get` (cancelled ones included). */
export type EventResource = Record<string, unknown> & { id: string; status: string };

export interface CalendarState {
  id: string;
  summary: string;
  description?: string;
  timeZone: string;
  /** Email of the owning user. */
  owner: string;
  primary: boolean;
  /** OAuth client that created it (`calendar.app.created` only reaches these); undefined for primary calendars. */
  createdByClientId?: string;
  /** Every event of the calendar, series, exceptions and cancelled ones included, in creation order. */
  events: EventResource[];
}

export interface EmulatorState {
  now: string;
  users: EmulatorUser[];
  clients: Omit<RegisteredClient, 'clientSecret'>[];
  calendars: CalendarState[];
  counters: Counters;
  pendingFaults: FaultSpec[];
}

/** Drives the emulator from a test (in-process) or over HTTP (`POST /__emulator/<method>` with a JSON body). */
export interface EmulatorControl {
  /**
   * Creates a Google account with a primary calendar (id = email). `id` (21 digits) fixes the account id, so an
   * account made again after a restart is the same Google account (the local run's default user).
   */
  createUser(input?: { id?: string; email?: string; name?: string; timeZone?: string }): EmulatorUser;
  registerClient(input?: Partial<RegisteredClient>): RegisteredClient;
  /** Tokens as if the user had consented just now (no browser); `offline` adds a refresh token. */
  mintTokens(input: { user: string; clientId: string; scopes: string[]; offline?: boolean }): TokenResponse;
  /** The next consent of this user (form or mint) grants at most these scopes, as if the user unticked the rest. */
  grantNextScopes(input: { user: string; scopes: string[] }): void;
  /** Revokes every token of a user (for one client or all), as when the user removes the app. Returns how many. */
  revokeUserTokens(input: { user: string; clientId?: string }): number;
  /** Makes tokens expire now: access tokens answer 401, refresh tokens `invalid_grant`. Returns how many. */
  expireTokens(input?: { user?: string; clientId?: string; kind?: 'access' | 'refresh' | 'all' }): number;
  /** Makes every sync token issued so far (for one calendar or all) answer `410 fullSyncRequired`. */
  invalidateSyncTokens(input?: { calendarId?: string }): void;
  /** A calendar made outside this app (e.g. by the user in Google's UI, or by another client). */
  seedCalendar(input: { user: string; summary: string; clientId?: string; timeZone?: string }): CalendarState;
  /** The user deletes a calendar in Google's UI. */
  deleteCalendar(input: { calendarId: string }): void;
  /** The user edits an event in Google's UI (patch semantics; not counted, no quota). Returns the event. */
  userPatchEvent(input: {
    calendarId: string;
    eventId: string;
    patch: Record<string, unknown>;
  }): EventResource;
  /**
   * The user deletes an event in Google's UI (leaves it cancelled). Until it is restored, events.update and
   * events.patch of it answer 403 forbidden (`userDeletedUpdate`, google-api-ruby-client #1811).
   */
  userDeleteEvent(input: { calendarId: string; eventId: string }): void;
  /**
   * The user adds an event by hand in Google's UI (not counted, no quota). `event` is an Event resource as the
   * API takes it (start and end at least); its `id`, `iCalUID` and `extendedProperties` are dropped, since the UI
   * sets none of them (the event carries no mark of any app). Returns the event with the id Google gave it.
   */
  userCreateEvent(input: { calendarId: string; event: Record<string, unknown> }): EventResource;
  /**
   * Purges the tombstones (deleted events) of one calendar or all now, as Google does "eventually" (see
   * `tombstones.purgeAfterMs`): get answers 404, listings no longer show them, their ids stay taken. Returns how
   * many were purged.
   */
  purgeTombstones(input?: { calendarId?: string }): { purged: number };
  /**
   * Trips the daily limit of a project (by `projectId`, or the project of `clientId`; without either, every
   * registered project): every Calendar call of it answers 403 dailyLimitExceeded until the next midnight in
   * America/Los_Angeles (emulator clock). Returns that instant (ISO 8601) and the projects tripped.
   */
  exhaustDailyQuota(input?: { projectId?: string; clientId?: string }): {
    until: string;
    projectIds: string[];
  };
  /**
   * Sets how the instances of a stored series are named: `legacy` (`<seriesId>_<start>`, series created before
   * `instanceIds.opaqueFrom`) or `opaque` (Google's new format). Lets a test make a legacy series without
   * changing the clock. Stored exceptions keep their ids.
   */
  setInstanceIdScheme(input: { calendarId: string; eventId: string; scheme: 'legacy' | 'opaque' }): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Per-call latency of every Google call (benchmarks use 20 ms). */
  setLatency(input: { ms: number }): void;
  counters(): Counters;
  resetCounters(): void;
  state(): EmulatorState;
}

export interface GoogleEmulator {
  /** `http://127.0.0.1:PORT/` */
  baseUrl: string;
  endpoints: GoogleEndpoints;
  control: EmulatorControl;
  /** Resolves once every request received so far has been handled, even one whose client stopped waiting. */
  settled(): Promise<void>;
  close(): Promise<void>;
}
