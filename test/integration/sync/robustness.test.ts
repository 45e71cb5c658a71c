import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleCalendarGateway } from '../../../lambdas/shared/adapters/google/calendar-gateway.ts';
import { FeedError } from '../../../lambdas/shared/domain/feed-error.ts';
import { NeedsReauthError } from '../../../lambdas/shared/ports/oauth-client.ts';
import type { EventMapRow, EventMapStore } from '../../../lambdas/shared/ports/sync-stores.ts';
import { type IcsEvent, icsFeed, singles } from './ics.ts';
import { World } from './world.ts';

/** The real store, dying (like a killed function) on its `failOnPut`-th put: Google is written, the map not. */
class DyingEventMap implements EventMapStore {
  private puts = 0;
  constructor(
    private readonly store: EventMapStore,
    private readonly failOnPut: number,
  ) {}
  list(subscriberId: string) {
    return this.store.list(subscriberId);
  }
  async put(subscriberId: string, rows: EventMapRow[]) {
    if (++this.puts >= this.failOnPut) throw new Error('function killed');
    await this.store.put(subscriberId, rows);
  }
  remove(subscriberId: string, keys: string[]) {
    return this.store.remove(subscriberId, keys);
  }
  removeAll(subscriberId: string) {
    return this.store.removeAll(subscriberId);
  }
}

const weekly: IcsEvent = {
  uid: 'weekly@example.com',
  summary: 'Weekly',
  start: '20260302T140000',
  end: '20260302T150000',
  rrule: 'FREQ=WEEKLY;COUNT=8',
};
const moved: IcsEvent = {
  ...weekly,
  rrule: undefined,
  summary: 'Moved',
  recurrenceId: '20260309T140000',
  start: '20260309T180000',
  end: '20260309T190000',
};

describe('sync robustness against the Google emulator', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => world.close());

  it('a map write failing ends the run as partial with no event in Google left without a row, and the rerun converges', async () => {
    const sub = world.subscriber();
    const text = icsFeed([...singles(60), weekly, moved]);
    sub.feed.set(text);
    // The first batch of intent rows is stored, the second put fails: the run stops there.
    const failed = await sub.sync({}, { eventMap: new DyingEventMap(sub.eventMap, 2) });
    expect(failed.outcome).toBe('partial');
    expect(failed.errors.join('\n')).toContain('the event map could not be saved (Error)');
    expect((await sub.syncState.get(sub.id))?.lastResult?.outcome).toBe('partial');
    const rows = new Set((await sub.eventMap.list(sub.id)).map((row) => row.googleId));
    expect(sub.stored().length).toBeGreaterThan(0);
    for (const event of sub.stored()) expect(rows.has(event.id as string)).toBe(true);

    const rerun = await sub.sync();
    expect(rerun).toMatchObject({ outcome: 'synced', errors: [] });
    await sub.expectConverged(text);
    expect(await sub.eventMap.list(sub.id)).toHaveLength(62);
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('a write Google made but whose answer was lost is retried into a 409 and converges', async () => {
    const sub = world.subscriber();
    const text = icsFeed(singles(4));
    sub.feed.set(text);
    world.google.control.injectFault({
      method: 'events.insert',
      user: sub.email,
      status: 503,
      afterEffect: true,
      count: 2,
    });
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', created: 4, errors: [] });
    // 4 inserts, 2 retried inserts answered 409, then each of those 2 read and updated.
    expect(result.googleCalls).toBe(10);
    await sub.expectConverged(text);
  });

  it('of two runs for the same subscriber at once, one works and the other stands aside', async () => {
    const sub = world.subscriber();
    const text = icsFeed([...singles(30), weekly, moved]);
    sub.feed.set(text);
    const results = await Promise.all([sub.sync(), sub.sync()]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['busy', 'synced']);
    expect(results.find((r) => r.outcome === 'busy')?.googleCalls).toBe(0);
    await sub.expectConverged(text);
    expect((await sub.syncState.get(sub.id))?.lastResult?.outcome).toBe('synced');
  });

  it('two runs that overlap all the same (no lease) write no duplicate', async () => {
    const sub = world.subscriber();
    const text = icsFeed([...singles(30), weekly, moved]);
    sub.feed.set(text);
    const results = await Promise.all([
      sub.sync({}, { lease: undefined }),
      sub.sync({}, { lease: undefined }),
    ]);
    for (const result of results) expect(result.outcome).toBe('synced');
    await sub.expectConverged(text);
    expect(sub.stored().filter((e) => e.recurringEventId === undefined)).toHaveLength(31);
  });

  it('rides out 5xx, 429 with Retry-After and slow answers', async () => {
    const sub = world.subscriber();
    const text = icsFeed([...singles(20), weekly, moved]);
    sub.feed.set(text);
    const { control } = world.google;
    control.injectFault({ method: 'events.insert', user: sub.email, status: 500, count: 3 });
    control.injectFault({
      method: 'events.insert',
      user: sub.email,
      status: 429,
      retryAfterSeconds: 3,
      count: 2,
    });
    control.injectFault({ method: 'events.update', user: sub.email, status: 503, count: 1 });
    control.injectFault({ method: 'events.insert', user: sub.email, delayMs: 300, count: 4 });
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', created: 22, errors: [] });
    // 21 inserts, the exception's instance looked up and updated, and the 6 failed attempts retried.
    expect(result.googleCalls).toBe(21 + 2 + 3 + 2 + 1);
    // Retry-After is a floor: without it, no pause here would reach the 2 s backoff cap of the test settings.
    expect(sub.clock.sleeps.filter((ms) => ms >= 3000).length).toBeGreaterThanOrEqual(2);
    await sub.expectConverged(text);
  });

  it('reports a write that keeps failing as partial, and the next sync finishes it', async () => {
    const sub = world.subscriber();
    const text = icsFeed(singles(5));
    sub.feed.set(text);
    world.google.control.injectFault({ method: 'events.insert', user: sub.email, status: 503, count: 3 });
    // One call at a time: the first insert takes all three failures and runs out of attempts.
    const result = await sub.sync({
      concurrency: 1,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    });
    expect(result.outcome).toBe('partial');
    expect(result.created).toBe(4);
    expect(result.errors).toEqual([
      expect.stringMatching(/^insert "single-\d@example.com": Google Calendar 503/),
    ]);
    const next = await sub.sync();
    expect(next).toMatchObject({ outcome: 'synced', created: 1, unchanged: 4, googleCalls: 1 });
    await sub.expectConverged(text);
  });

  it('does not retry an event Google refuses as invalid until the feed changes it', async () => {
    const sub = world.subscriber();
    const events = singles(4);
    sub.feed.set(icsFeed(events));
    world.google.control.injectFault({
      method: 'events.insert',
      user: sub.email,
      status: 400,
      reason: 'invalid',
    });
    const result = await sub.sync({ concurrency: 1 });
    expect(result).toMatchObject({ outcome: 'synced', created: 3, googleCalls: 4, errors: [] });
    expect(result.warnings).toEqual([
      expect.stringMatching(/^insert "single-0@example.com": Google Calendar 400 invalid/),
    ]);
    // The same feed again: nothing to retry, nothing to call.
    sub.feed.set(icsFeed(events));
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
    // The feed changes the refused event: it is tried again, and this time Google takes it.
    const fixed = icsFeed([{ ...(events[0] as IcsEvent), summary: 'Fixed' }, ...events.slice(1)]);
    sub.feed.set(fixed);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', updated: 1 });
    await sub.expectConverged(fixed);
  });

  it('holds mass deletions until the same shrunken feed is seen again', async () => {
    const sub = world.subscriber();
    const all = singles(40);
    sub.feed.set(icsFeed(all));
    await sub.sync();

    const shrunk = icsFeed(all.slice(0, 10));
    sub.feed.set(shrunk);
    const held = await sub.sync();
    expect(held).toMatchObject({ outcome: 'deletions_held', heldDeletions: 30, deleted: 0, googleCalls: 0 });
    expect(held.errors.join()).toContain('30 of 40 events');
    expect(sub.liveCopiesByKey().size).toBe(40);

    // The same feed (even served as "not modified") is looked at again; a minute later it is still held...
    sub.clock.advance(60_000);
    expect(await sub.sync()).toMatchObject({ outcome: 'deletions_held', heldDeletions: 30, googleCalls: 0 });
    // ...and an hour after the first sighting the deletions go through.
    sub.clock.advance(3_600_000);
    const applied = await sub.sync();
    expect(applied).toMatchObject({ outcome: 'synced', deleted: 30, heldDeletions: 0, googleCalls: 30 });
    await sub.expectConverged(shrunk);
    expect((await sub.syncState.get(sub.id))?.heldDeletion).toBeUndefined();
  });

  it('starts the breaker over when the feed shrinks differently the second time, and lets small deletions through', async () => {
    const sub = world.subscriber();
    const all = singles(40);
    sub.feed.set(icsFeed(all));
    await sub.sync();
    sub.feed.set(icsFeed(all.slice(0, 10)));
    expect((await sub.sync()).outcome).toBe('deletions_held');
    sub.feed.set(icsFeed(all.slice(30)));
    expect(await sub.sync()).toMatchObject({ outcome: 'deletions_held', heldDeletions: 30 });
    sub.feed.set(icsFeed(all.slice(0, 35)));
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', deleted: 5 });
  });

  it('a feed that cannot be read deletes nothing and costs no Google call', async () => {
    const sub = world.subscriber();
    const text = icsFeed([...singles(25), weekly, moved]);
    sub.feed.set(text);
    await sub.sync();
    const calls = sub.calls();
    for (const refusal of [
      new FeedError('truncated', 'The feed ends before END:VCALENDAR.'),
      new FeedError('not_a_calendar', 'The feed is an HTML page, not a calendar.'),
      new FeedError('http_status', 'The feed server answered 500.', 500),
    ]) {
      sub.feed.refuse(refusal);
      const result = await sub.sync();
      expect(result).toMatchObject({
        outcome: 'feed_error',
        deleted: 0,
        googleCalls: 0,
        errors: [refusal.message],
      });
    }
    expect(sub.calls()).toBe(calls);
    expect(await sub.eventMap.list(sub.id)).toHaveLength(27);
    await sub.expectConverged(text);
    expect((await sub.syncState.get(sub.id))?.lastResult?.outcome).toBe('feed_error');
  });

  it('an event the feed still has but that became unreadable is left in Google, not deleted', async () => {
    const sub = world.subscriber();
    const events = [...singles(3), weekly, moved];
    const text = icsFeed(events);
    sub.feed.set(text);
    await sub.sync();
    // The series' DTSTART turns into garbage: the mapping skips the component with a warning.
    const broken = text.replace(
      'DTSTART;TZID=Europe/Berlin:20260302T140000',
      'DTSTART;TZID=Europe/Berlin:garbage',
    );
    expect(broken).not.toBe(text);
    sub.feed.set(broken);
    const result = await sub.sync();
    expect(result).toMatchObject({ deleted: 0 });
    expect(result.warnings?.join('\n')).toContain(weekly.uid);
    await sub.expectConverged(text);
  });

  it('stops with calendar_missing when the calendar is gone, and never re-creates it', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed(singles(3)));
    await sub.sync();
    world.google.control.deleteCalendar({ calendarId: sub.calendarId });
    sub.feed.set(icsFeed(singles(8)));
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'calendar_missing', created: 0 });
    expect(result.errors[0]).toContain('no longer exists');
    // The failed writes in flight and one probe; no retry loop.
    expect(result.googleCalls).toBeLessThanOrEqual(8);
    // Later syncs stop before any call; nothing ever tries to create a calendar.
    const calls = sub.calls();
    sub.feed.set(icsFeed(singles(9)));
    expect(await sub.sync()).toMatchObject({ outcome: 'calendar_missing', googleCalls: 0 });
    expect(sub.calls()).toBe(calls);
    expect(world.google.control.counters().byUser[sub.email]?.byMethod['calendars.insert']).toBeUndefined();
  });

  it('cools a subscriber down for hours after calendar usage limits, then resumes', async () => {
    const sub = world.subscriber();
    const text = icsFeed(singles(12));
    sub.feed.set(text);
    world.google.control.injectFault({
      method: 'events.insert',
      user: sub.email,
      status: 403,
      reason: 'quotaExceeded',
    });
    const limited = await sub.sync();
    expect(limited.outcome).toBe('cooling_down');
    const until = Date.parse(limited.coolDownUntil as string);
    expect(until - sub.clock.now()).toBeGreaterThan(5.9 * 3_600_000);
    // Calls already in flight finish; nothing new starts and nothing is retried.
    expect(limited.googleCalls).toBeLessThanOrEqual(6);

    const calls = sub.calls();
    const fetches = sub.feed.fetches;
    expect(await sub.sync()).toMatchObject({ outcome: 'cooling_down', googleCalls: 0 });
    expect([sub.calls(), sub.feed.fetches]).toEqual([calls, fetches]);
    expect((await sub.syncState.get(sub.id))?.lastResult?.outcome).toBe('cooling_down');

    sub.clock.set(until + 1000);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    await sub.expectConverged(text);
  });

  it('reports needs_reauth when the access token source says so, and writes nothing', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed(singles(3)));
    const gateway = new GoogleCalendarGateway({
      rootUrl: world.google.endpoints.calendarRootUrl,
      accessToken: async () => {
        throw new NeedsReauthError(sub.id);
      },
    });
    const result = await sub.sync({}, { gateway });
    expect(result).toMatchObject({ outcome: 'needs_reauth', created: 0 });
    expect(sub.calls()).toBe(0);
  });

  it('stops at the first 401 instead of trying every event with a dead access token', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed(singles(20)));
    world.google.control.expireTokens({ user: sub.email, kind: 'access' });
    const result = await sub.sync({ concurrency: 1 });
    expect(result).toMatchObject({ outcome: 'partial', created: 0, googleCalls: 1 });
    expect(result.errors).toEqual([
      'Google refused access to the calendar (the access token or its permissions)',
    ]);
  });

  it('stops at its time budget and the next sync carries on', async () => {
    const sub = world.subscriber();
    const text = icsFeed(singles(10));
    sub.feed.set(text);
    const cut = await sub.sync({ timeBudgetMs: 0 });
    expect(cut).toMatchObject({ outcome: 'partial', created: 0, googleCalls: 0 });
    expect(cut.errors.join()).toContain('10 changes left for the next sync');
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', created: 10 });
    await sub.expectConverged(text);
  });
});
