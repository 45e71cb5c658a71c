import type { OwnedFields } from '../domain/reconcile/owned-fields.ts';

/**
 * The events of one dedicated Google calendar, as the sync engine writes them. Every method is one HTTP request
 * and never retries on its own: the engine paces and retries, so its count of Google calls is the real one.
 * Failures are thrown as CalendarApiError.
 */
export interface CalendarGateway {
  /** `events.insert` with a client-supplied id. An existing id (a cancelled one too) answers 409 `duplicate`. */
  insert(calendarId: string, eventId: string, fields: OwnedFields): Promise<void>;
  /**
   * `events.patch` of a series or single event: sets the owned fields and clears the owned ones left undefined
   * (recurrence included), touching nothing else, so reminders and colours a user set survive.
   */
  patch(calendarId: string, eventId: string, fields: OwnedFields): Promise<void>;
  /** The same for an instance of a recurring event (`<seriesId>_<originalStart>`); recurrence is never sent. */
  patchInstance(calendarId: string, instanceId: string, fields: OwnedFields): Promise<void>;
  /** `events.delete`. An already deleted event answers 410, an unknown one 404. */
  delete(calendarId: string, eventId: string): Promise<void>;
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
  ) {
    super(`Google Calendar ${status ?? 'gave no answer'}${reason ? ` ${reason}` : ''}: ${detail}`);
  }

  /** Per-minute API quota: slow down and try again. Calendar usage limits are never one. */
  get isRateLimit(): boolean {
    if (this.isUsageLimit) return false;
    if (this.status === 429) return true;
    return this.status === 403 && (RATE_LIMIT_REASONS.has(this.reason ?? '') || this.quotaSignalled);
  }

  /** Calendar usage limits: the user's calendar is read-only for hours; do not retry. */
  get isUsageLimit(): boolean {
    return this.status === 403 && this.reason === 'quotaExceeded';
  }

  /** Worth trying again after a pause: rate limits, 5xx and no answer at all. */
  get isTransient(): boolean {
    return this.status === undefined || this.status === 408 || this.status >= 500 || this.isRateLimit;
  }
}
