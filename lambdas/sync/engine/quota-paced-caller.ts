import { CalendarApiError, type CalendarMethod, QUOTA_UNITS } from '../../shared/ports/calendar-gateway.ts';
import type { ProjectQuotaBudget } from '../../shared/ports/project-quota-budget.ts';
import type { Clock } from '../../shared/wiring/clock.ts';
import { classifyGoogleError, isRetryable } from './google-error.ts';
import type { Pacer } from './pacer.ts';
import { backoffDelay, type RetryPolicy } from './retry.ts';

/** The run was stopped (usage limits, calendar gone, access refused): calls not yet made are not made. */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
  constructor() {
    super('the sync run was stopped');
  }
}

/**
 * The project's quota had no units for a call before the run's deadline: the call was not made, and the run ends
 * its time budget here (the operation is deferred to the next sync, as one not started for the deadline).
 */
export class DeadlineReachedError extends Error {
  override readonly name = 'DeadlineReachedError';
  constructor() {
    super("no project quota before the run's deadline");
  }
}

/**
 * Makes every Google Calendar call of one run: each attempt waits until the pacer has its quota units (the
 * subscriber's pace), then until the project's budget hands them over (every writer's share), and is
 * counted, transient failures (rate limits, 5xx, no answer) are retried with backoff, a rate limit also holds
 * back every other caller, and once the run is stopped no further call is made.
 */
export class QuotaPacedCaller {
  /** Requests made, retries included. */
  count = 0;
  /** Quota units those requests cost (see QUOTA_UNITS). */
  units = 0;
  /** Requests by method. */
  readonly byMethod: Partial<Record<CalendarMethod, number>> = {};
  private stopped = false;

  constructor(
    private readonly pacer: Pacer,
    private readonly clock: Clock,
    private readonly retry: RetryPolicy,
    private readonly random: () => number = Math.random,
    /** Epoch ms: a retry whose pause would end later is not made (the function's time limit). */
    private readonly deadline?: number,
    /** The project's quota shared with every other run (none: the pacer alone). */
    private readonly projectBudget?: ProjectQuotaBudget,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  async call<T>(method: CalendarMethod, request: () => Promise<T>): Promise<T> {
    const units = QUOTA_UNITS[method];
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new RunStoppedError();
      await this.pacer.take(units);
      if (this.stopped) throw new RunStoppedError();
      if (this.projectBudget && !(await this.projectBudget.take(units, this.deadline)))
        throw new DeadlineReachedError();
      if (this.stopped) throw new RunStoppedError();
      this.count++;
      this.units += units;
      this.byMethod[method] = (this.byMethod[method] ?? 0) + 1;
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof CalendarApiError)) throw error;
        const meaning = classifyGoogleError(error);
        if (!isRetryable(meaning) || attempt >= this.retry.maxAttempts) throw error;
        const delay = backoffDelay(this.retry, attempt, this.random, error.retryAfterMs);
        if (this.deadline !== undefined && this.clock.now() + delay >= this.deadline) throw error;
        if (meaning === 'rate_limited') this.pacer.holdFor(delay);
        await this.clock.sleep(delay);
      }
    }
  }
}
