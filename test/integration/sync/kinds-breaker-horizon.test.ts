import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHorizon } from '../../../lambdas/shared/domain/ics/index.ts';
import { type IcsEvent, icsFeed, singles } from './ics.ts';
import { type Subscriber, World } from './world.ts';

const EMPTY_CALENDAR = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nEND:VCALENDAR\r\n';

const weeklyUntil = (until: string): IcsEvent => ({
  uid: 'w@example.com',
  summary: 'Weekly',
  start: '20260302T140000',
  end: '20260302T150000',
  rrule: `FREQ=WEEKLY;UNTIL=${until}`,
});
/** Overrides the 2026-03-23 occurrence (13:00 UTC); once the series ends on the 17th it matches no instance. */
const override: IcsEvent = {
  uid: 'w@example.com',
  summary: 'Moved',
  recurrenceId: '20260323T140000',
  start: '20260323T180000',
  end: '20260323T190000',
};
const LONG_SERIES = '20260401T000000Z';
const SHORT_SERIES = '20260317T235959Z';

describe('sync: event kinds, keys, breaker and horizon against the Google emulator', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => world.close());

  const liveSummaries = async (sub: Subscriber) => (await sub.occurrencesInGoogle()).map((o) => o.summary);

  it('an override turning from exception into standalone event and then dropped leaves no ghost', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed([weeklyUntil(LONG_SERIES), override]));
    expect((await sub.sync()).outcome).toBe('synced');

    const standalone = icsFeed([weeklyUntil(SHORT_SERIES), override]);
    sub.feed.set(standalone);
    expect((await sub.sync()).outcome).toBe('synced');
    await sub.expectConverged(standalone);

    const dropped = icsFeed([weeklyUntil(SHORT_SERIES)]);
    sub.feed.set(dropped);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', deleted: 1 });
    await sub.expectConverged(dropped);
    expect(await liveSummaries(sub)).not.toContain('Moved');
  });

  it('a standalone override turning into an exception loses its standalone copy, even after a failed delete', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed([weeklyUntil(SHORT_SERIES), override]));
    await sub.sync();

    world.google.control.injectFault({ method: 'events.delete', count: 50, status: 503, user: sub.email });
    const exceptionFeed = icsFeed([weeklyUntil(LONG_SERIES), override]);
    sub.feed.set(exceptionFeed);
    expect((await sub.sync()).outcome).toBe('partial');
    world.google.control.clearFaults();

    expect(await sub.sync()).toMatchObject({ outcome: 'synced', deleted: 1 });
    await sub.expectConverged(exceptionFeed);
    expect((await liveSummaries(sub)).filter((s) => s === 'Moved')).toHaveLength(1);
  });

  it('an override switching between RANGE=THISANDFUTURE split and plain exception leaves no ghost either way', async () => {
    const sub = world.subscriber();
    const series: IcsEvent = { ...weeklyUntil(LONG_SERIES), uid: 'split@example.com' };
    const later: IcsEvent = {
      uid: 'split@example.com',
      summary: 'Later',
      recurrenceId: '20260316T140000',
      start: '20260316T160000',
      end: '20260316T170000',
    };
    const plain = icsFeed([series, later]);
    const split = plain.replace(
      'RECURRENCE-ID;TZID=Europe/Berlin:20260316T140000',
      'RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260316T140000',
    );
    const laterCount = async () => (await liveSummaries(sub)).filter((s) => s === 'Later').length;
    for (const [text, copies] of [
      [plain, 1],
      [split, 3],
      [plain, 1],
      [split, 3],
    ] as const) {
      sub.feed.set(text);
      expect((await sub.sync()).outcome).toBe('synced');
      await sub.expectConverged(text);
      expect(await laterCount()).toBe(copies);
    }
  });

  it('syncs an event whose UID is too long for a DynamoDB sort key, and the next sync costs nothing', async () => {
    const sub = world.subscriber();
    const long: IcsEvent = {
      uid: `${'x'.repeat(1100)}@example.com`,
      summary: 'Long UID',
      start: '20260311T090000',
      end: '20260311T100000',
    };
    const text = icsFeed([long, ...singles(30, 'long')]);
    sub.feed.set(text);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', created: 31, googleCalls: 31 });
    expect(await sub.eventMap.list(sub.id)).toHaveLength(31);
    sub.feed.set(`${text}\r\n`);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', unchanged: 31, googleCalls: 0 });
    await sub.expectConverged(text);
  });

  it('leaves the event of an unreadable VEVENT whose UID holds a "#" in Google', async () => {
    const sub = world.subscriber();
    const hashUid: IcsEvent = {
      uid: 'room#12@example.com',
      summary: 'Hash UID',
      start: '20260310T090000',
      end: '20260310T100000',
    };
    const text = icsFeed([hashUid, ...singles(3, 'hash')]);
    sub.feed.set(text);
    await sub.sync();
    sub.feed.set(
      text.replace('DTSTART;TZID=Europe/Berlin:20260310T090000', 'DTSTART;TZID=Europe/Berlin:2026031X'),
    );
    const result = await sub.sync();
    expect(result).toMatchObject({ deleted: 0, googleCalls: 0 });
    expect(result.warnings?.join()).toContain('room#12@example.com: event skipped');
    expect(await liveSummaries(sub)).toContain('Hash UID');
  });

  it('holds the deletions of a feed that turned empty until a sync an hour later sees it empty too', async () => {
    for (const count of [20, 100]) {
      const sub = world.subscriber();
      sub.feed.set(icsFeed(singles(count, `empty${count}`)));
      await sub.sync();
      sub.feed.set(EMPTY_CALENDAR);

      const first = await sub.sync();
      expect(first).toMatchObject({ outcome: 'deletions_held', heldDeletions: count, deleted: 0 });
      expect(first.errors.join()).toContain('the feed has no events any more');
      sub.clock.advance(60_000);
      expect(await sub.sync()).toMatchObject({ outcome: 'deletions_held', deleted: 0, googleCalls: 0 });
      expect(sub.liveCopiesByKey().size).toBe(count);

      sub.clock.advance(3_600_000);
      expect(await sub.sync()).toMatchObject({ outcome: 'synced', deleted: count, heldDeletions: 0 });
      expect(sub.liveCopiesByKey().size).toBe(0);
    }
  });

  it('stops at a 403 that is no quota (insufficientPermissions) instead of trying every event', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed(singles(20, 'forbidden')));
    world.google.control.injectFault({
      method: 'events.insert',
      count: 1000,
      status: 403,
      reason: 'insufficientPermissions',
      user: sub.email,
    });
    const result = await sub.sync({ concurrency: 1 });
    world.google.control.clearFaults();
    expect(result).toMatchObject({ outcome: 'partial', created: 0, googleCalls: 1 });
    expect(result.errors).toEqual([
      'Google refused access to the calendar (the access token or its permissions)',
    ]);
  });

  it('takes a 410 on an instance update for a missing instance: a warning once, not a failure on every sync', async () => {
    const sub = world.subscriber();
    const series: IcsEvent = { ...weeklyUntil(LONG_SERIES), uid: 'gone@example.com' };
    const moved = (summary: string): IcsEvent => ({ ...override, uid: 'gone@example.com', summary });
    sub.feed.set(icsFeed([series, moved('Moved')]));
    await sub.sync();
    world.google.control.injectFault({
      method: 'events.update',
      count: 1000,
      status: 410,
      reason: 'deleted',
      user: sub.email,
    });
    sub.feed.set(icsFeed([series, moved('Moved again')]));
    const result = await sub.sync();
    world.google.control.clearFaults();
    // The instance read by the id its row holds, then the update answered 410.
    expect(result).toMatchObject({ outcome: 'synced', errors: [], googleCalls: 2 });
    expect(result.warnings?.join()).toContain('matches no occurrence of its series in Google');
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('deletes the events under the old ids when the id scheme changes: no duplicate', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed(singles(5, 'scheme')));
    await sub.sync();
    sub.eventIdSalt = `${sub.eventIdSalt}-v2`;
    const text = icsFeed(singles(5, 'scheme'));
    sub.feed.set(text);
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', created: 0, updated: 5 });
    // 5 deletions of the old ids, 5 inserts under the new ones.
    expect(result.googleCalls).toBe(10);
    await sub.expectConverged(text);
  });

  describe('the horizon', () => {
    const start = new Date('2026-03-01T00:00:00Z');
    // Two months on: March 2026 is more than 30 days behind, the horizon starts on 2026-04-01.
    const twoMonthsOn = new Date('2026-05-01T00:00:00Z');
    const pastSeries: IcsEvent = {
      uid: 'standup@example.com',
      summary: 'March stand-up',
      start: '20260302T090000',
      end: '20260302T093000',
      rrule: 'FREQ=DAILY;COUNT=5',
    };
    const pastException: IcsEvent = {
      ...pastSeries,
      rrule: undefined,
      summary: 'Stand-up, later',
      recurrenceId: '20260303T090000',
      start: '20260303T110000',
      end: '20260303T113000',
    };
    const may: IcsEvent = {
      uid: 'may@example.com',
      summary: 'May',
      start: '20260512T090000',
      end: '20260512T100000',
    };
    const june: IcsEvent = {
      uid: 'june@example.com',
      summary: 'June',
      start: '20260612T090000',
      end: '20260612T100000',
    };

    it('forgets events that are over and left the horizon, leaving them in Google, and still deletes what the feed dropped', async () => {
      const sub = world.subscriber();
      const march = singles(3, 'march');
      sub.feed.set(icsFeed([...march, pastSeries, pastException, may, june]));
      const first = await sub.sync({ horizon: () => defaultHorizon(start) });
      expect(first).toMatchObject({ outcome: 'synced', created: 7 });

      // The feed drops June; March has gone behind the horizon (still in the feed or not, it is over).
      sub.feed.set(icsFeed([...march, pastSeries, pastException, may]));
      const later = await sub.sync({ horizon: () => defaultHorizon(twoMonthsOn) });
      expect(later).toMatchObject({ outcome: 'synced', deleted: 1, googleCalls: 1 });

      const live = sub
        .stored()
        .filter((e) => e.status !== 'cancelled')
        .map((e) => e.summary)
        .sort();
      expect(live).toEqual([
        'March stand-up',
        'May',
        'Meeting 0',
        'Meeting 1',
        'Meeting 2',
        'Stand-up, later',
      ]);
      expect((await sub.eventMap.list(sub.id)).map((r) => r.eventKey)).toEqual(['may@example.com']);
      expect((await sub.syncState.get(sub.id))?.eventCount).toBe(1);
    });

    it('still deletes an event that moved beyond the horizon end', async () => {
      const sub = world.subscriber();
      sub.feed.set(icsFeed([may, june]));
      await sub.sync({ horizon: () => defaultHorizon(start) });
      sub.feed.set(icsFeed([may, { ...june, start: '20290612T090000', end: '20290612T100000' }]));
      const result = await sub.sync({ horizon: () => defaultHorizon(start) });
      expect(result).toMatchObject({ outcome: 'synced', deleted: 1 });
      expect(
        sub
          .stored()
          .filter((e) => e.status !== 'cancelled')
          .map((e) => e.summary),
      ).toEqual(['May']);
    });
  });
});
