/** Google's API quota (requests per minute per user and project, queries per day) and Calendar usage limits. */
import { DAY_MS } from '../../lambdas/shared/domain/time/civil.ts';
import { timeZoneNamed, wallToUtc } from '../../lambdas/shared/domain/time/zone.ts';
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
    if (user.used(nowMs, windowMs) + units > this.options.perUserPerWindow)
      throw this.overQuota('user', projectId);
    if (project.used(nowMs, windowMs) + units > this.options.perProjectPerWindow)
      throw this.overQuota('project', projectId);
    user.add(nowMs, units);
    project.add(nowMs, units);
    return units;
  }

  private overQuota(scope: 'user' | 'project', projectId: string): CalendarApiError {
    const headers: Record<string, string> =
      this.options.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(this.options.retryAfterSeconds) };
    if (this.options.overQuotaStatus === 429) {
      return new CalendarApiError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits', headers);
    }
    if (scope === 'project')
      return new CalendarApiError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits', headers);
    // The reported production form (Inky-Calendar-Server #104), or the errors guide's userRateLimitExceeded.
    return this.options.perUserReason === 'rateLimitExceeded'
      ? new CalendarApiError(
          403,
          'rateLimitExceeded',
          `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'calendar-json.googleapis.com' for consumer 'project_number:${projectId}'.`,
          'usageLimits',
          headers,
        )
      : new CalendarApiError(
          403,
          'userRateLimitExceeded',
          'User Rate Limit Exceeded',
          'usageLimits',
          headers,
        );
  }
}

const PACIFIC = timeZoneNamed('America/Los_Angeles');

/**
 * The next midnight in America/Los_Angeles after `nowMs`: daily quotas reset then (Google's own answer: "Daily
 * Limit Exceeded. The quota will be reset at midnight Pacific Time (PT).", quoted in google-calendar-crx #539;
 * Google Cloud's quota documentation says the same of per-day quotas).
 */
function nextPacificMidnight(nowMs: number): number {
  const wallMs = nowMs + PACIFIC.offsetAt(nowMs);
  const nextDayWallMs = (Math.floor(wallMs / DAY_MS) + 1) * DAY_MS;
  return wallToUtc(nextDayWallMs, PACIFIC.offsetAt);
}

/**
 * A project's daily limit: Calendar calls per Pacific day (`quotas.perProjectPerDay`, off by default), or tripped
 * by `exhaustDailyQuota`. While it holds, every Calendar call of the project answers 403 `dailyLimitExceeded`
 * (domain `usageLimits`) "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' ..."
 * (google-calendar-crx #539, OutlookGoogleCalendarSync #1133), until the next midnight Pacific Time.
 */
export class DailyLimiter {
  private readonly exhaustedUntil = new Map<string, number>();
  private readonly counts = new Map<string, { resetMs: number; calls: number }>();

  constructor(
    private readonly perProjectPerDay: number | undefined,
    private readonly now: () => number,
  ) {}

  /** Throws while the project's daily limit holds. */
  check(projectId: string): void {
    const nowMs = this.now();
    const until = this.exhaustedUntil.get(projectId);
    if (until !== undefined && nowMs < until) throw dailyLimitExceeded(projectId);
    if (this.perProjectPerDay === undefined) return;
    const count = this.countOf(projectId, nowMs);
    if (count.calls >= this.perProjectPerDay) {
      this.exhaustedUntil.set(projectId, count.resetMs);
      throw dailyLimitExceeded(projectId);
    }
  }

  /** Counts an admitted call. */
  record(projectId: string): void {
    if (this.perProjectPerDay === undefined) return;
    this.countOf(projectId, this.now()).calls += 1;
  }

  /** The project's daily limit holds from now until the next midnight Pacific Time. Returns that instant. */
  exhaust(projectId: string): number {
    const until = nextPacificMidnight(this.now());
    this.exhaustedUntil.set(projectId, until);
    return until;
  }

  private countOf(projectId: string, nowMs: number): { resetMs: number; calls: number } {
    let count = this.counts.get(projectId);
    if (!count || nowMs >= count.resetMs) {
      count = { resetMs: nextPacificMidnight(nowMs), calls: 0 };
      this.counts.set(projectId, count);
    }
    return count;
  }
}

const dailyLimitExceeded = (projectId: string): CalendarApiError =>
  new CalendarApiError(
    403,
    'dailyLimitExceeded',
    `Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'calendar-json.googleapis.com' for consumer 'project_number:${projectId}'.`,
    'usageLimits',
  );

/** What a usage limit counts: calendars or events created or deleted. */
export type UsageKind = 'calendar' | 'event';

/** A bucket that refills linearly: full after `refillMs`, one unit taken per creation or deletion. */
class RefillingBucket {
  private level: number;
  private atMs: number;

  constructor(
    private readonly capacity: number,
    private readonly refillMs: number,
    nowMs: number,
  ) {
    this.level = capacity;
    this.atMs = nowMs;
  }

  available(nowMs: number): number {
    const refilled = this.refillMs > 0 ? ((nowMs - this.atMs) * this.capacity) / this.refillMs : Infinity;
    this.level = Math.min(this.capacity, this.level + Math.max(0, refilled));
    this.atMs = nowMs;
    return this.level;
  }

  take(nowMs: number): void {
    this.available(nowMs);
    this.level -= 1;
  }
}

/**
 * Calendar usage limits (support.google.com/a/answer/2905486): per user, a bucket of event creations and
 * deletions (about 100,000, "several months" to replenish) and one of calendars (60, "several hours"). A
 * creation or deletion that finds its bucket empty answers 403 quotaExceeded "Calendar usage limits exceeded."
 * and puts the user in read-only mode for `readOnlyMs` ("you might lose calendar edit ability for a few hours"):
 * every event and calendar write of the user is refused the same way until then; reads go on.
 */
export class UsageLimiter {
  private readonly buckets = {
    calendar: new Map<string, RefillingBucket>(),
    event: new Map<string, RefillingBucket>(),
  };
  private readonly readOnlyUntil = new Map<string, number>();

  constructor(
    private readonly options: UsageLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Throws while the user is in read-only mode (any write: creations, deletions, updates, patches). */
  checkWritable(userId: string): void {
    const until = this.readOnlyUntil.get(userId);
    if (until !== undefined && this.now() < until) throw apiErrors.usageLimitsExceeded();
  }

  /** Throws when the user may not create or delete one more; call `record` once the change succeeded. */
  check(kind: UsageKind, userId: string): void {
    this.checkWritable(userId);
    const nowMs = this.now();
    if (this.bucket(kind, userId, nowMs).available(nowMs) < 1) {
      if (this.options.readOnlyMs > 0) this.readOnlyUntil.set(userId, nowMs + this.options.readOnlyMs);
      throw apiErrors.usageLimitsExceeded();
    }
  }

  record(kind: UsageKind, userId: string): void {
    const nowMs = this.now();
    this.bucket(kind, userId, nowMs).take(nowMs);
  }

  private bucket(kind: UsageKind, userId: string, nowMs: number): RefillingBucket {
    let bucket = this.buckets[kind].get(userId);
    if (!bucket) {
      bucket =
        kind === 'calendar'
          ? new RefillingBucket(
              this.options.calendarsCreatedOrDeletedPerUser,
              this.options.calendarsRefillMs,
              nowMs,
            )
          : new RefillingBucket(
              this.options.eventsCreatedOrDeletedPerUser,
              this.options.eventsRefillMs,
              nowMs,
            );
      this.buckets[kind].set(userId, bucket);
    }
    return bucket;
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
