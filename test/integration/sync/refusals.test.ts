/**
 * Google refusing one event, and Google's daily quota of the whole project: the engine against the emulator, and
 * the worker (with the scheduler's tick) for the project-wide cool-down.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextDailyQuotaReset } from '../../../lambdas/shared/domain/google-quota.ts';
import { CalendarApiError } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import { feedOf, WorkerHarness } from '../worker/harness.ts';
import { type IcsEvent, icsFeed, singles } from './ics.ts';
import { World } from './world.ts';

const HOUR_MS = 3_600_000;
/** What Google was reported to answer on updating an event the user deleted in the Calendar UI. */
const FORBIDDEN = { status: 403, reason: 'forbidden', message: 'Forbidden' };
/** Google's answer once the project's daily quota is used up (reports: "Queries per day"). */
const DAILY_LIMIT = {
  status: 403,
  reason: 'dailyLimitExceeded',
  message:
    "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'calendar-json.googleapis.com' for consumer 'project_number:1'.",
};

describe('Google refusing one event', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.close());
  afterEach(() => world.google.control.clearFaults());

  it('writes everything else, names the refused event, and backs off from it until its wait is over', async () => {
    const sub = world.subscriber();
    const [refusedEvent] = singles(1, 'refused');
    const original = refusedEvent as IcsEvent;
    sub.feed.set(icsFeed([original]));
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', created: 1 });

    // The event changes in the feed and 50 events are new; Google refuses every update of the calendar.
    const others = singles(50, 'new');
    const changed = { ...original, summary: 'Changed' };
    const text = icsFeed([changed, ...others]);
    sub.feed.set(text);
    world.google.control.injectFault({ method: 'events.update', user: sub.email, count: 1000, ...FORBIDDEN });
    const first = await sub.sync();
    expect(first).toMatchObject({ outcome: 'synced', created: 50, updated: 0, errors: [] });
    const warning = first.warnings?.find((w) => w.includes(original.uid));
    expect(warning).toMatch(/^update "refused-0@example\.com" refused by Google .*403 forbidden: Forbidden$/);
    const summaries = (await sub.occurrencesInGoogle()).map((o) => o.summary);
    expect(summaries).toHaveLength(51);
    expect(summaries).toContain(original.summary); // Google still has the old content

    // Within the wait: an unchanged feed costs nothing, and a change elsewhere does not try the refused one.
    sub.clock.advance(HOUR_MS / 2);
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
    const later = icsFeed([changed, ...others, ...singles(1, 'later')]);
    sub.feed.set(later);
    const calls = sub.calls();
    const waiting = await sub.sync();
    expect(waiting).toMatchObject({ outcome: 'synced', created: 1, googleCalls: 1 });
    expect(sub.calls()).toBe(calls + 1);
    expect(waiting.warnings).toEqual([
      expect.stringMatching(
        /^"refused-0@example\.com": Google refused writing it \(once\), tried again after /,
      ),
    ]);

    // The wait is over (the feed did not change): tried again, refused again, the next wait is twice as long.
    sub.clock.advance(HOUR_MS);
    const again = await sub.sync();
    expect(again).toMatchObject({ outcome: 'synced', updated: 0, errors: [] });
    const retryAfter = /tried again after (\S+):/.exec(again.warnings?.join('\n') ?? '')?.[1] as string;
    expect(Date.parse(retryAfter) - sub.clock.now()).toBeGreaterThan(1.9 * HOUR_MS);
    const row = (await sub.eventMap.list(sub.id)).find((r) => r.eventKey === original.uid);
    expect(row?.refusal).toMatchObject({ count: 2, retryAfter });

    // Google takes it again: once the wait is over, it is written and its row forgets the refusal.
    world.google.control.clearFaults();
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
    sub.clock.advance(2 * HOUR_MS);
    const healed = await sub.sync();
    expect(healed).toMatchObject({ outcome: 'synced', updated: 1, errors: [] });
    expect(healed.warnings).toBeUndefined();
    await sub.expectConverged(later);
    const healedRow = (await sub.eventMap.list(sub.id)).find((r) => r.eventKey === original.uid);
    expect(healedRow?.refusal).toBeUndefined();
    expect((await sub.syncState.get(sub.id))?.refusalRetryAt).toBeUndefined();
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('tries a refused event at once when the feed changes it', async () => {
    const sub = world.subscriber();
    const [event] = singles(1, 'edited') as [IcsEvent];
    sub.feed.set(icsFeed([event]));
    await sub.sync();
    world.google.control.injectFault({ method: 'events.update', user: sub.email, count: 1, ...FORBIDDEN });
    sub.feed.set(icsFeed([{ ...event, summary: 'First edit' }]));
    expect((await sub.sync()).warnings?.join()).toContain('refused by Google');
    const edited = icsFeed([{ ...event, summary: 'Second edit' }]);
    sub.feed.set(edited);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', updated: 1 });
    await sub.expectConverged(edited);
  });

  it('stops the run when the calendar itself refuses the service', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed(singles(1, 'kept')));
    await sub.sync();
    sub.feed.set(icsFeed(singles(5, 'kept', () => 'Changed')));
    // The event's refusal, then the probe of the calendar refused too: not this event's problem.
    world.google.control.injectFault({ method: 'events.update', user: sub.email, ...FORBIDDEN });
    world.google.control.injectFault({ method: 'events.list', user: sub.email, ...FORBIDDEN });
    const result = await sub.sync({ concurrency: 1 });
    expect(result).toMatchObject({ outcome: 'partial', created: 0 });
    expect(result.errors.join()).toContain('Google refused access to the calendar');
    expect(result.warnings).toBeUndefined();
  });
});

describe("Google's daily quota of the project", () => {
  it('stops the run with a cool-down until the reset, saying so, without blaming the subscriber', async () => {
    const world = await World.start();
    try {
      const sub = world.subscriber();
      sub.feed.set(icsFeed(singles(5)));
      world.google.control.injectFault({
        method: 'events.insert',
        user: sub.email,
        count: 1000,
        ...DAILY_LIMIT,
      });
      const result = await sub.sync();
      const reset = nextDailyQuotaReset(new Date(sub.clock.now())).toISOString();
      expect(result).toMatchObject({
        outcome: 'cooling_down',
        coolDownUntil: reset,
        dailyQuotaUsedUp: true,
        created: 0,
        errors: [`Google's daily quota for this service is used up; syncing resumes after ${reset}`],
      });
      // Not retried (a daily limit is no rate limit), and the run stopped at the first answer.
      expect(result.googleCalls).toBeLessThanOrEqual(5);
      expect(world.google.control.counters().byMethod['events.insert']).toBe(result.googleCalls);
      // The subscriber's own state holds no cool-down: the project's is kept once, by the worker.
      expect((await sub.syncState.get(sub.id))?.coolDownUntil).toBeUndefined();
    } finally {
      await world.close();
    }
  });

  it('is read as such by the Calendar adapter, whether Google names it by reason or only in its message', async () => {
    const world = await World.start();
    try {
      const sub = world.subscriber();
      const perDay = { ...DAILY_LIMIT, reason: 'rateLimitExceeded' };
      for (const answer of [DAILY_LIMIT, perDay]) {
        world.google.control.injectFault({ method: 'events.get', user: sub.email, ...answer });
        const error = await sub.gateway.get(sub.calendarId, 'anything').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CalendarApiError);
        const refused = error as CalendarApiError;
        expect([refused.reason, refused.isDailyLimit, refused.isRateLimit]).toEqual([
          answer.reason,
          true,
          false,
        ]);
      }
    } finally {
      await world.close();
    }
  });

  describe('in the worker', () => {
    const h = new WorkerHarness();
    beforeAll(() => h.open());
    afterAll(() => h.close());
    const syncOnce = async (...subscriberIds: string[]) => {
      await h.send(...subscriberIds.map((id) => h.syncRequest(id)));
      await h.deliverAll();
    };

    it('skips every subscriber without a Google call until the reset, and resumes after it', async () => {
      const first = await h.connect(feedOf(3, { prefix: 'first' }));
      const second = await h.connect(feedOf(2, { prefix: 'second' }));
      h.google.control.injectFault({
        method: 'events.insert',
        user: first.email,
        count: 1000,
        ...DAILY_LIMIT,
      });
      await syncOnce(first.id);

      const reset = nextDailyQuotaReset(new Date(h.clock.now())).toISOString();
      const state = await h.syncState.get(first.id);
      expect(state?.lastResult).toMatchObject({ outcome: 'cooling_down', coolDownUntil: reset });
      expect(state?.lastResult?.errors.join()).toContain("Google's daily quota for this service is used up");
      expect(state?.lastResult?.errors.join()).not.toContain('refused access');
      // No subscriber is marked: still connected, scheduled, not paused.
      expect(await h.connections.get(first.id)).toMatchObject({ status: 'connected', scheduled: true });
      expect((await h.connections.get(first.id))?.syncPausedUntil).toBeUndefined();
      expect(await h.syncState.dailyLimitUntil()).toBe(reset);
      expect(JSON.stringify(h.emf)).toContain('GoogleDailyQuotaUsedUp');

      // While it holds: no Google call for anyone, and the tick enqueues nothing.
      const firstCalls = h.googleCalls(first);
      await syncOnce(first.id, second.id);
      expect(h.googleCalls(first)).toBe(firstCalls);
      expect(h.googleCalls(second)).toBe(0);
      expect(await h.syncState.get(second.id)).toBeUndefined();
      expect(JSON.stringify(h.emf)).toContain('"reason":"daily_quota"');
      expect(await h.tick()).toEqual({ enqueued: 0 });

      // After Google's reset: both sync.
      h.google.control.clearFaults();
      h.clock.advance(Date.parse(reset) - h.clock.now() + 1_000);
      await syncOnce(first.id, second.id);
      expect((await h.syncState.get(first.id))?.lastResult).toMatchObject({ outcome: 'synced', created: 3 });
      expect((await h.syncState.get(second.id))?.lastResult).toMatchObject({ outcome: 'synced', created: 2 });
    });
  });
});
