import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleCalendarGateway } from '../../../lambdas/shared/adapters/google/calendar-gateway.ts';
import type { FetchedEvent } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import type { EventMapRow } from '../../../lambdas/shared/ports/sync-stores.ts';
import { type IcsEvent, icsFeed } from './ics.ts';
import { type Subscriber, World } from './world.ts';

/**
 * Google's instance ids are opaque (from Q3 2026 new series get ids in a new format, OutlookGoogleCalendarSync
 * issue 2205): the engine finds instances through Google and keeps the ids it is given. The emulator gives series
 * created now ids that cannot be derived from the series id and the start, and answers 404 to the old form.
 */
const weekly: IcsEvent = {
  uid: 'weekly@example.com',
  summary: 'Weekly review',
  start: '20260302T140000',
  end: '20260302T150000',
  rrule: 'FREQ=WEEKLY;COUNT=8',
};
const moved = (summary = 'Weekly review (moved)'): IcsEvent => ({
  uid: 'weekly@example.com',
  summary,
  recurrenceId: '20260309T140000',
  start: '20260310T160000',
  end: '20260310T170000',
});
const cancelled: IcsEvent = {
  uid: 'weekly@example.com',
  summary: 'Weekly review',
  recurrenceId: '20260316T140000',
  start: '20260316T140000',
  end: '20260316T150000',
  status: 'CANCELLED',
};
const allDayWeekly: IcsEvent = {
  uid: 'allday@example.com',
  summary: 'Bins out',
  start: '20260303',
  end: '20260304',
  rrule: 'FREQ=WEEKLY;COUNT=6',
};
const allDayMoved: IcsEvent = {
  uid: 'allday@example.com',
  summary: 'Bins out (Wednesday)',
  recurrenceId: '20260310',
  start: '20260311',
  end: '20260312',
};

const MOVED_KEY = 'weekly@example.com#20260309T130000Z';

function byMethod(sub: Subscriber): Record<string, number> {
  return sub.world.google.control.counters().byUser[sub.email]?.byMethod ?? {};
}

async function rowOf(sub: Subscriber, key: string): Promise<EventMapRow | undefined> {
  return (await sub.eventMap.list(sub.id)).find((row) => row.eventKey === key);
}

describe('opaque instance ids', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => world.close());

  it("writes exceptions over the instances Google names, and keeps Google's ids in the map", async () => {
    const sub = world.subscriber();
    const text = icsFeed([weekly, moved(), cancelled, allDayWeekly, allDayMoved]);
    sub.feed.set(text);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', created: 5, errors: [] });
    await sub.expectConverged(text);

    const exceptions = sub.stored().filter((event) => event.recurringEventId !== undefined);
    expect(exceptions).toHaveLength(3);
    const rows = (await sub.eventMap.list(sub.id)).filter((row) => row.seriesKey !== undefined);
    expect(rows.map((row) => row.googleId).sort()).toEqual(exceptions.map((event) => event.id).sort());
    for (const row of rows) {
      // Nothing computed: no id has the historic `<seriesId>_<originalStart>` form.
      expect(row.googleId).toMatch(/^[a-v0-9]{5,}$/);
      expect(row.googleId).not.toContain('_');
    }

    // A later change reads the instance by the id its row holds: no lookup.
    const before = byMethod(sub)['events.instances'] ?? 0;
    const changed = icsFeed([
      weekly,
      moved('Weekly review (moved again)'),
      cancelled,
      allDayWeekly,
      allDayMoved,
    ]);
    sub.feed.set(changed);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', updated: 1, googleCalls: 2, quotaUnits: 2 });
    expect(byMethod(sub)['events.instances'] ?? 0).toBe(before);
    await sub.expectConverged(changed);
  });

  it('looks up again, once, an id that answers 404 (a row written with a computed id) and stores the real one', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed([weekly, moved()]));
    await sub.sync();
    const row = (await rowOf(sub, MOVED_KEY)) as EventMapRow;
    const series = (await rowOf(sub, 'weekly@example.com')) as EventMapRow;
    // What the engine stored before instance ids were looked up: `<seriesId>_<original start in UTC>`.
    const computed = `${series.googleId}_20260309T130000Z`;
    await sub.eventMap.put(sub.id, [{ ...row, googleId: computed, hash: 'old' }]);

    const text = icsFeed([weekly, moved('Weekly review (moved, new room)')]);
    sub.feed.set(text);
    const calls = { ...byMethod(sub) };
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', updated: 1, errors: [] });
    expect(result.warnings ?? []).toEqual([]);
    const after = byMethod(sub);
    await sub.expectConverged(text);
    expect((await rowOf(sub, MOVED_KEY))?.googleId).toBe(row.googleId);
    const delta = (method: string) => (after[method] ?? 0) - (calls[method] ?? 0);
    // get answered 404, the calendar probe, one lookup by original start, one update.
    expect([
      delta('events.get'),
      delta('events.list'),
      delta('events.instances'),
      delta('events.update'),
    ]).toEqual([1, 1, 1, 1]);
  });

  it('warns, and keeps the row, when the series has no instance at the original start in Google', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed([weekly]));
    await sub.sync();
    // The user shortens the series in Google: 9 March is no occurrence of it there any more.
    const seriesId = ((await rowOf(sub, 'weekly@example.com')) as EventMapRow).googleId;
    world.google.control.userPatchEvent({
      calendarId: sub.calendarId,
      eventId: seriesId,
      patch: { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=1'] },
    });
    sub.feed.set(icsFeed([weekly, moved()]));
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', errors: [] });
    expect(result.warnings?.join()).toContain('matches no occurrence of its series in Google');
    expect((await rowOf(sub, MOVED_KEY))?.googleId).toBe('');
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it("keeps a user's edit made between the read and the update (412), and writes over it once more", async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed([weekly, moved()]));
    await sub.sync();
    const { control } = world.google;
    let edited = false;
    /** The user changes the colour of the instance right after the engine read it. */
    class UserEditsInBetween extends GoogleCalendarGateway {
      override async get(calendarId: string, eventId: string): Promise<FetchedEvent> {
        const read = await super.get(calendarId, eventId);
        if (!edited && read.resource.recurringEventId !== undefined) {
          edited = true;
          control.userPatchEvent({ calendarId, eventId, patch: { colorId: '9' } });
        }
        return read;
      }
    }
    const gateway = new UserEditsInBetween({
      rootUrl: world.google.endpoints.calendarRootUrl,
      accessToken: async () => sub.accessToken,
    });
    const text = icsFeed([weekly, moved('Weekly review (later)')]);
    sub.feed.set(text);
    const result = await sub.sync({}, { gateway });
    // get, update answered 412, get again, update.
    expect(result).toMatchObject({ outcome: 'synced', updated: 1, googleCalls: 4, errors: [] });
    await sub.expectConverged(text);
    const instanceId = (await rowOf(sub, MOVED_KEY))?.googleId;
    expect(sub.stored().find((event) => event.id === instanceId)).toMatchObject({
      summary: 'Weekly review (later)',
      colorId: '9',
    });
  });
});

describe('series from before the id change (legacy instance ids)', () => {
  let world: World;
  beforeAll(async () => {
    // Every series is created "before Q3 2026": Google still names its instances `<seriesId>_<start>`.
    world = await World.start({ instanceIds: { opaqueFrom: Date.UTC(2100, 0, 1) } });
  });
  afterAll(async () => world.close());

  it('syncs them the same way, keeping the ids Google gives', async () => {
    const sub = world.subscriber();
    const text = icsFeed([weekly, moved(), cancelled, allDayWeekly, allDayMoved]);
    sub.feed.set(text);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', created: 5, errors: [] });
    await sub.expectConverged(text);
    const series = (await rowOf(sub, 'weekly@example.com')) as EventMapRow;
    expect((await rowOf(sub, MOVED_KEY))?.googleId).toBe(`${series.googleId}_20260309T130000Z`);
    const changed = icsFeed([weekly, moved('Weekly review (moved again)'), allDayWeekly]);
    sub.feed.set(changed);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    await sub.expectConverged(changed);
  });
});
