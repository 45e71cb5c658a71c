/** Google's API quota (requests per minute, per user and per project) and Calendar usage limits. */
import { apiErrors, CalendarApiError } from './errors.ts';
import type { QuotaOptions, UsageLimitOptions } from './options.ts';

/** Timestamps of recent hits; counts those inside the window ending now. */
class SlidingWindow {
  private hits: number[] = [];
  private head = 0;

  count(nowMs: number, windowMs: number): number {
    while (this.head < this.hits.length && (this.hits[this.head] as number) <= nowMs - windowMs)
      this.head += 1;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.hits.length) {
      this.hits = this.hits.slice(this.head);
      this.head = 0;
    }
    return this.hits.length - this.head;
  }

  add(nowMs: number): void {
    this.hits.push(nowMs);
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

  /** Counts one request, or throws Google's over-quota answer without counting it. */
  admit(userId: string, projectId: string): void {
    const nowMs = this.now();
    const { windowMs } = this.options;
    const user = this.users.get(userId);
    const project = this.projects.get(projectId);
    if (user.count(nowMs, windowMs) >= this.options.perUserPerWindow) throw this.overQuota('user');
    if (project.count(nowMs, windowMs) >= this.options.perProjectPerWindow) throw this.overQuota('project');
    user.add(nowMs);
    project.add(nowMs);
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
    if (this.changes[kind].get(userId).count(this.now(), this.options.windowMs) >= limit) {
      throw apiErrors.usageLimitsExceeded();
    }
  }

  record(kind: UsageKind, userId: string): void {
    this.changes[kind].get(userId).add(this.now());
  }
}
