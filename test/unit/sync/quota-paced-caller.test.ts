import { describe, expect, it } from 'vitest';
import { CalendarApiError } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import { Pacer } from '../../../lambdas/sync/engine/pacer.ts';
import { QuotaPacedCaller, RunStoppedError } from '../../../lambdas/sync/engine/quota-paced-caller.ts';
import { ManualClock } from '../../support/clock.ts';

/** Time from 0, so that the instants read as offsets. */
const clockFromZero = () => new ManualClock(0);

const retry = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };
const fastPacing = { unitsPerWindow: 1_000_000, windowMs: 1_000, burst: 1_000 };
const failing = (...errors: CalendarApiError[]) => {
  let calls = 0;
  return async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'ok';
  };
};
const apiError = (status: number | undefined, reason?: string, retryAfterMs?: number) =>
  new CalendarApiError(status, reason, retryAfterMs, 'test');

describe('QuotaPacedCaller', () => {
  it('retries 5xx, 429, rate-limit 403 and silence, counting every attempt', async () => {
    const clock = clockFromZero();
    const calls = new QuotaPacedCaller(new Pacer(fastPacing, clock), clock, retry, () => 0.5);
    const request = failing(apiError(503), apiError(429), apiError(403, 'userRateLimitExceeded'));
    expect(await calls.call('get', request)).toBe('ok');
    expect(calls.count).toBe(4);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('gives up after the last attempt and passes the error on', async () => {
    const clock = clockFromZero();
    const calls = new QuotaPacedCaller(new Pacer(fastPacing, clock), clock, retry, () => 0.5);
    const request = failing(apiError(500), apiError(500), apiError(500), apiError(502));
    await expect(calls.call('get', request)).rejects.toMatchObject({ status: 502 });
    expect(calls.count).toBe(4);
  });

  it('does not retry what waiting cannot fix: 400, 404, 409, usage limits', async () => {
    for (const error of [
      apiError(400, 'invalid'),
      apiError(404),
      apiError(409, 'duplicate'),
      apiError(403, 'quotaExceeded'),
    ]) {
      const clock = clockFromZero();
      const calls = new QuotaPacedCaller(new Pacer(fastPacing, clock), clock, retry);
      await expect(calls.call('get', failing(error))).rejects.toBe(error);
      expect(calls.count).toBe(1);
    }
  });

  it("waits at least the server's Retry-After, and holds every caller back after a rate limit", async () => {
    const clock = clockFromZero();
    const calls = new QuotaPacedCaller(new Pacer(fastPacing, clock), clock, retry, () => 0);
    await calls.call('get', failing(apiError(429, 'rateLimitExceeded', 5_000)));
    expect(clock.now()).toBeGreaterThanOrEqual(5_000);
  });

  it('makes no retry whose pause would end past the deadline', async () => {
    const clock = clockFromZero();
    const calls = new QuotaPacedCaller(new Pacer(fastPacing, clock), clock, retry, () => 0.5, 1_000);
    await expect(calls.call('get', failing(apiError(503, undefined, 2_000)))).rejects.toMatchObject({
      status: 503,
    });
    expect(calls.count).toBe(1);
  });

  it('makes no call once stopped', async () => {
    const clock = clockFromZero();
    const calls = new QuotaPacedCaller(new Pacer(fastPacing, clock), clock, retry);
    calls.stop();
    await expect(calls.call('get', async () => 'never')).rejects.toBeInstanceOf(RunStoppedError);
    expect(calls.count).toBe(0);
  });
});
