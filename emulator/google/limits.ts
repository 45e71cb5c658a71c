/** Google's API quota (requests per minute, per user and per project) and Calendar usage limits. */
import { apiErrors, CalendarApiError } from './errors.ts';
import type { CalendarWriteOptions, QuotaOptions, UsageLimitOptions } from './options.ts';

/** Recent hits with their weights (quota units); sums those inside the window ending now. */
class SlidingWindow {
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  private sum = 0;

  used(nowMs: number, windowMs: number): number {
    while (this.head < this.times.length && (this.times[this.head] as number) <= nowMs - windowMs) {
      this.sum -= this.weights[this.head] as number;
      this.head += 1;
    }
    // Compact now and then so the arrays do not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
    return this.sum;
  }

  add(nowMs: number, weight = 1): void {
    this.times.push(nowMs);
    this.weights.push(weight);
    this.sum += weight;
  }
}

class WindowsByKey {
  private readonly windows = new Map<string, SlidingWindow>();

  get(key: string): SlidingWindow {
    let window = this.windows.get(key);
    if (!window) {
      window = new SlidingWindow();
      this.windows.set(key, window);
    }
    return window;
  }
}

export class RateLimiter {
  private readonly users = new WindowsByKey();
  private readonly projects = new WindowsByKey();

  constructor(
    private readonly options: QuotaOptions,
    private readonly now: () => number,
  ) {}

  /**
   * The quota units a call to `method` costs: `quotas.unitsPerMethod`, else 1 (Google: "each patch request
   * consumes three quota units", in the events.patch and calendars.patch references).
   */
  unitsOf(method: string): number {
    return this.options.unitsPerMethod[method] ?? 1;
  }

  /**
   * Charges a call's units to the user's and the project's windows, or throws Google's over-quota answer without
   * charging anything when fewer than `units` are left in either. Returns the units charged.
   */
  admit(userId: string, projectId: string, method: string): number {
    const units = this.unitsOf(method);
    const nowMs = this.now();
    const { windowMs } = this.options;
    const user = this.users.get(userId);
    const project = this.projects.get(projectId);
    if (user.used(nowMs, windowMs) + units > this.options.perUserPerWindow) throw this.overQuota('user');
    if (project.used(nowMs, windowMs) + units > this.options.perProjectPerWindow)
      throw this.overQuota('project');
    user.add(nowMs, units);
    project.add(nowMs, units);
    return units;
  }

  private overQuota(scope: 'user' | 'project'): CalendarApiError {
    const headers: Record<string, string> =
      this.options.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(this.options.retryAfterSeconds) };
    if (this.options.overQuotaStatus === 429) {
      return new CalendarApiError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits', headers);
    }
    return scope === 'user'
      ? new CalendarApiError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits', headers)
      : new CalendarApiError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits', headers);
  }
}

/** What a usage limit counts: calendars or events created or deleted. */
export type UsageKind = 'calendar' | 'event';

/**
 * Calendar usage limits: a user creating or deleting too many calendars or events in a while gets
 * 403 quotaExceeded (Google: "You have been creating or deleting too many calendars or calendar events").
 */
export class UsageLimiter {
  private readonly changes = { calendar: new WindowsByKey(), event: new WindowsByKey() };

  constructor(
    private readonly options: UsageLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Throws when the user may not create or delete one more; call `record` once the change succeeded. */
  check(kind: UsageKind, userId: string): void {
    const limit =
      kind === 'calendar'
        ? this.options.calendarsCreatedOrDeletedPerUser
        : this.options.eventsCreatedOrDeletedPerUser;
    if (this.changes[kind].get(userId).used(this.now(), this.options.windowMs) >= limit) {
      throw apiErrors.usageLimitsExceeded();
    }
  }

  record(kind: UsageKind, userId: string): void {
    this.changes[kind].get(userId).add(this.now());
  }
}

/** The event writes `calendarWrites` throttles: every method that changes an event of a calendar. */
export const CALENDAR_WRITE_METHODS: ReadonlySet<string> = new Set([
  'events.insert',
  'events.import',
  'events.patch',
  'events.update',
  'events.delete',
]);

/**
 * Google's operational limit on writing one calendar in quick succession (quota guide: such writes may meet
 * 403 rateLimitExceeded; no numbers published). Off unless `calendarWrites.perSecond` is set.
 */
export class CalendarWriteLimiter {
  private readonly calendars = new WindowsByKey();

  constructor(
    private readonly options: CalendarWriteOptions,
    private readonly now: () => number,
  ) {}

  /** Counts one write to the calendar, or throws 403 rateLimitExceeded without counting it. */
  admit(calendarId: string): void {
    const { perSecond, windowMs } = this.options;
    if (perSecond === undefined) return;
    const nowMs = this.now();
    const window = this.calendars.get(calendarId);
    if (window.used(nowMs, windowMs) >= perSecond) {
      throw new CalendarApiError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits');
    }
    window.add(nowMs);
  }
}
