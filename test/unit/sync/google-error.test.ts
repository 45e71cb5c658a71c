import { describe, expect, it } from 'vitest';
import { CalendarApiError } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import { NeedsReauthError } from '../../../lambdas/shared/ports/oauth-client.ts';
import { classifyGoogleError, isRetryable } from '../../../lambdas/sync/engine/google-error.ts';

const apiError = (status: number | undefined, reason?: string, quotaSignalled = false) =>
  new CalendarApiError(status, reason, undefined, 'test', quotaSignalled);

describe('classifyGoogleError', () => {
  it('reads the statuses a call sequence answers itself', () => {
    expect(classifyGoogleError(apiError(404, 'notFound'))).toBe('not_found');
    expect(classifyGoogleError(apiError(410, 'deleted'))).toBe('gone');
    expect(classifyGoogleError(apiError(409, 'duplicate'))).toBe('conflict');
    expect(classifyGoogleError(apiError(412, 'conditionNotMet'))).toBe('precondition_failed');
    expect(classifyGoogleError(apiError(400, 'invalid'))).toBe('invalid');
  });

  it('tells rate limits (retried) from the calendar usage limits (the run stops)', () => {
    expect(classifyGoogleError(apiError(429))).toBe('rate_limited');
    expect(classifyGoogleError(apiError(403, 'rateLimitExceeded'))).toBe('rate_limited');
    expect(classifyGoogleError(apiError(403, 'userRateLimitExceeded'))).toBe('rate_limited');
    expect(classifyGoogleError(apiError(403, undefined, true))).toBe('rate_limited');
    expect(classifyGoogleError(apiError(403, 'quotaExceeded'))).toBe('usage_limit');
    expect(classifyGoogleError(apiError(403, 'quotaExceeded', true))).toBe('usage_limit');
  });

  it('takes 401 and the refusals of the whole calendar or project as access refused', () => {
    expect(classifyGoogleError(apiError(401, 'authError'))).toBe('access_refused');
    expect(classifyGoogleError(apiError(403, 'insufficientPermissions'))).toBe('access_refused');
    expect(classifyGoogleError(apiError(403, 'accessNotConfigured'))).toBe('access_refused');
  });

  it('takes any other 403 as a refusal of that one event, not of the calendar', () => {
    expect(classifyGoogleError(apiError(403, 'forbidden'))).toBe('event_refused');
    expect(classifyGoogleError(apiError(403, 'requiredAccessLevel'))).toBe('event_refused');
    expect(classifyGoogleError(apiError(403, 'forbiddenForNonOrganizer'))).toBe('event_refused');
    expect(classifyGoogleError(apiError(403))).toBe('event_refused');
  });

  it('tells the daily project limit from rate limits and usage limits, in each of its forms', () => {
    const daily = (status: number, reason?: string, quota = false, dailySignalled = false) =>
      new CalendarApiError(status, reason, undefined, 'test', quota, dailySignalled);
    for (const error of [
      daily(403, 'dailyLimitExceeded'),
      daily(403, 'dailyLimitExceeded', true), // with status RESOURCE_EXHAUSTED
      daily(403, 'rateLimitExceeded', true, true), // "Queries per day" said in the message
      daily(429, undefined, true, true),
    ]) {
      expect(classifyGoogleError(error)).toBe('daily_limit');
      expect([error.isDailyLimit, error.isRateLimit, error.isUsageLimit, error.isTransient]).toEqual([
        true,
        false,
        false,
        false,
      ]);
    }
    expect(classifyGoogleError(daily(403, 'quotaExceeded'))).toBe('usage_limit');
  });

  it('takes 5xx, 408 and no answer as transient, anything else as a plain failure', () => {
    for (const status of [undefined, 408, 500, 502, 503, 504]) {
      expect(classifyGoogleError(apiError(status))).toBe('transient');
    }
    for (const status of [405, 413, 422]) expect(classifyGoogleError(apiError(status))).toBe('other');
  });

  it('names what is not a Google answer: a refused grant, anything else', () => {
    expect(classifyGoogleError(new NeedsReauthError('subscriber'))).toBe('needs_reauth');
    expect(classifyGoogleError(new TypeError('bug'))).toBe('unexpected');
    expect(classifyGoogleError('a string')).toBe('unexpected');
    expect(classifyGoogleError(undefined)).toBe('unexpected');
  });

  it('retries exactly what CalendarApiError calls transient', () => {
    const errors = [undefined, 400, 401, 404, 408, 409, 410, 412, 429, 500, 503].map((s) => apiError(s));
    errors.push(
      apiError(403, 'rateLimitExceeded'),
      apiError(403, 'quotaExceeded'),
      apiError(403, 'forbidden'),
      apiError(403, 'dailyLimitExceeded'),
    );
    for (const error of errors) expect(isRetryable(classifyGoogleError(error))).toBe(error.isTransient);
    expect(isRetryable(classifyGoogleError(new NeedsReauthError('subscriber')))).toBe(false);
  });
});
