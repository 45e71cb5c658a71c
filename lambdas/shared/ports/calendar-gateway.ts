import type { OwnedFields } from '../domain/reconcile/owned-fields.ts';

/**
 * An event as Google answered it: the whole resource, the fields a user set in Google (reminders, colour, their own
 * private properties) included, so that an update can carry them over, and its ETag for `If-Match`.
 */
export interface FetchedEvent {
  id: string;
  etag: string;
  resource: Record<string, unknown>;
}

/** A page of `events.instances`. */
export interface InstancesPage {
  items: FetchedEvent[];
  nextPageToken?: string;
}

/**
 * Which instances of a series to list: the instance whose original start is `originalStart` (an RFC 3339
 * instant), or those overlapping [timeMin, timeMax). Cancelled instances are always included, so an instance the
 * user (or an earlier sync) cancelled can be found and restored.
 */
export interface InstancesQuery {
  originalStart?: string;
  timeMin?: string;
  timeMax?: string;
  pageToken?: string;
}

/**
 * Which page of `events.list` to read: a full listing without `syncToken`, the changes since the listing that
 * gave it with one. The same `syncToken` goes with every page of an incremental listing.
 */
export interface EventsListQuery {
  syncToken?: string;
  pageToken?: string;
}

/**
 * A page of `events.list` (series and single events as stored, with their overrides; cancelled ones included),
 * or Google's answer that the sync token is no longer valid (410 `fullSyncRequired`): list everything again.
 * Only the last page carries `nextSyncToken`.
 */
export type EventsListPage =
  | { kind: 'page'; items: FetchedEvent[]; nextPageToken?: string; nextSyncToken?: string }
  | { kind: 'full_sync_required' };

/**
 * The Calendar API methods the engine calls, each one HTTP request. Google charges quota per method (see
 * QUOTA_UNITS), so the engine paces and counts by method.
 */
export type CalendarMethod = 'insert' | 'get' | 'update' | 'delete' | 'instances' | 'list';

/**
 * Quota units per request. The `events.patch` reference: "each patch request consumes three quota units; prefer
 * using a get followed by an update" (https://developers.google.com/calendar/api/v3/reference/events/patch); every
 * other method costs one. The engine therefore never patches: `get` + `update` costs two and keeps everything
 * a user set on the event, like a patch.
 */
export const QUOTA_UNITS: Readonly<Record<CalendarMethod | 'patch', number>> = {
  insert: 1,
  get: 1,
  update: 1,
  delete: 1,
  instances: 1,
  list: 1,
  patch: 3,
};

/**
 * The events of one dedicated Google calendar, as the sync engine writes them. Every method is one HTTP request
 * and never retries on its own: the engine paces and retries, so its count of Google calls is the real one.
 * Failures are thrown as CalendarApiError.
 */
export interface CalendarGateway {
  /** `events.insert` with a client-supplied id. An existing id (a cancelled one too) answers 409 `duplicate`. */
  insert(calendarId: string, eventId: string, fields: OwnedFields): Promise<void>;
  /** `events.get` (cancelled events too). An unknown id answers 404. */
  get(calendarId: string, eventId: string): Promise<FetchedEvent>;
  /**
   * `events.update` of a series, single event or instance with the whole resource, under `If-Match: etag`: an
   * event changed since it was read answers 412 `conditionNotMet`, so nothing a user did in between is overwritten.
   */
  update(calendarId: string, eventId: string, resource: Record<string, unknown>, etag: string): Promise<void>;
  /** `events.instances` of a series, cancelled instances included; one page. */
  instances(calendarId: string, seriesId: string, query: InstancesQuery): Promise<InstancesPage>;
  /** `events.delete`. An already deleted event answers 410, an unknown one 404. */
  delete(calendarId: string, eventId: string): Promise<void>;
  /**
   * `events.list` with `showDeleted`, without expanding series, 2,500 events a page: the calendar as stored, or
   * what changed since `syncToken`. A cancelled item may carry no more than its id and status.
   */
  listEvents(calendarId: string, query: EventsListQuery): Promise<EventsListPage>;
  /** Whether the calendar itself still exists (one cheap `events.list` page of one event). */
  calendarExists(calendarId: string): Promise<boolean>;
}

/**
 * Reasons Google gives for its per-minute API quotas (Calendar answers 403 with these, or 429). `usageLimits` is
 * the domain these reasons come in, not a reason.
 */
export const RATE_LIMIT_REASONS: ReadonlySet<string> = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
]);

/** The reason Google gives when the project's daily quota is used up. */
export const DAILY_LIMIT_REASON = 'dailyLimitExceeded';

/** A Google Calendar API call that failed. Carries no token, URL or request body. */
export class CalendarApiError extends Error {
  override readonly name = 'CalendarApiError';
  constructor(
    /** HTTP status; undefined when no answer came (connection refused, reset, timed out). */
    readonly status: number | undefined,
    /** Google's `errors[0].reason` (duplicate, deleted, notFound, rateLimitExceeded, quotaExceeded, ...). */
    readonly reason: string | undefined,
    /** From a `Retry-After` header, in milliseconds. */
    readonly retryAfterMs: number | undefined,
    detail: string,
    /**
     * The answer said "quota" in another way than `reason` (the adapter reads `status: RESOURCE_EXHAUSTED`, an
     * ErrorInfo reason `RATE_LIMIT_EXCEEDED`, a rate-limit reason in a later `errors` entry).
     */
    private readonly quotaSignalled = false,
    /**
     * The answer said "daily limit" in another way than `reason` (the adapter reads `dailyLimitExceeded` in a
     * later `errors` entry, or a quota message about a limit "per day").
     */
    private readonly dailyLimitSignalled = false,
  ) {
    super(`Google Calendar ${status ?? 'gave no answer'}${reason ? ` ${reason}` : ''}: ${detail}`);
  }

  /** Per-minute API quota: slow down and try again. Calendar usage limits and daily limits are never one. */
  get isRateLimit(): boolean {
    if (this.isUsageLimit || this.isDailyLimit) return false;
    if (this.status === 429) return true;
    return this.status === 403 && (RATE_LIMIT_REASONS.has(this.reason ?? '') || this.quotaSignalled);
  }

  /** Calendar usage limits: the user's calendar is read-only for hours; do not retry. */
  get isUsageLimit(): boolean {
    return this.status === 403 && this.reason === 'quotaExceeded' && !this.dailyLimitSignalled;
  }

  /**
   * The project's daily quota ("Quota exceeded for quota metric 'Queries' and limit 'Queries per day'", 403
   * `dailyLimitExceeded`): every call of every subscriber is refused until Google resets it; do not retry.
   */
  get isDailyLimit(): boolean {
    if (this.status !== 403 && this.status !== 429) return false;
    return this.reason === DAILY_LIMIT_REASON || this.dailyLimitSignalled;
  }

  /** Worth trying again after a pause: rate limits, 5xx and no answer at all. */
  get isTransient(): boolean {
    return this.status === undefined || this.status === 408 || this.status >= 500 || this.isRateLimit;
  }
}
