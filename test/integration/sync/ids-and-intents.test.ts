/**
 * Event ids that can no longer hold their event (fresh ids), UIDs a feed renames on every download, and the intent
 * rows every write leaves: the engine against the Google emulator, with faults where Google's answers are
 * reported rather than documented.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventIdFor } from '../../../lambdas/shared/domain/ics/event-ids.ts';
import { DEFAULT_BREAKER_POLICY } from '../../../lambdas/shared/domain/reconcile/breaker.ts';
import { freshEventId } from '../../../lambdas/shared/domain/reconcile/event-ids.ts';
import type { CalendarGateway } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import { ManualClock } from '../../support/clock.ts';
import { withMethod } from '../../support/stubs.ts';
import { type IcsEvent, icsFeed, singles } from './ics.ts';
import { type Subscriber, World } from './world.ts';

const HOUR_MS = 3_600_000;
/** What Google was reported to answer on updating an event the user deleted in the Calendar UI. */
const FORBIDDEN = { status: 403, reason: 'forbidden', message: 'Forbidden' };
/** A write Google makes whose answer never arrives (and is not tried again). */
const LOST_ANSWER = { status: 500, afterEffect: true };
const NO_RETRY = { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

type Stored = Record<string, unknown>;
const privateOf = (event: Stored) =>
  (event.extendedProperties as { private?: Record<string, string> } | undefined)?.private ?? {};

/** The live (not cancelled) series and single events the service made. */
const liveEvents = (sub: Subscriber): Stored[] =>
  sub
    .stored()
    .filter(
      (event) =>
        event.status !== 'cancelled' && event.recurringEventId === undefined && privateOf(event).icsUid,
    );

/** Live events per start, end and summary: a renamed UID copied shows as a count above 1. */
function copiesBySignature(sub: Subscriber): number[] {
  const copies = new Map<string, number>();
  for (const event of liveEvents(sub)) {
    const signature = JSON.stringify([event.start, event.end, event.summary]);
    copies.set(signature, (copies.get(signature) ?? 0) + 1);
  }
  return [...copies.values()];
}

/** What the user sees (start, end, summary of every occurrence), ids left out: fresh ids are not the computed ones. */
async function expectShows(sub: Subscriber, text: string): Promise<void> {
  const { google, feed } = await sub.convergence(text);
  const shown = (list: typeof google) => list.map(({ start, end, summary }) => ({ start, end, summary }));
  expect(shown(google)).toEqual(shown(feed));
  for (const [key, copies] of sub.liveCopiesByKey()) expect(copies, key).toBe(1);
}

/** A weekly series (4 from 4 March 2026, 14:00 in Berlin) and its second occurrence moved to 16:00. */
function weeklyWithMovedOccurrence(uid: string, movedSummary = 'Weekly (later)'): [IcsEvent, IcsEvent] {
  const weekly: IcsEvent = {
    uid,
    summary: 'Weekly',
    start: '20260304T140000',
    end: '20260304T150000',
    rrule: 'FREQ=WEEKLY;COUNT=4',
  };
  const moved: IcsEvent = {
    ...weekly,
    rrule: undefined,
    recurrenceId: '20260311T140000',
    start: '20260311T160000',
    end: '20260311T170000',
    summary: movedSummary,
  };
  return [weekly, moved];
}

const rowOf = async (sub: Subscriber, key: string) =>
  (await sub.eventMap.list(sub.id)).find((row) => row.eventKey === key);

describe('ids that can no longer hold their event', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.close());
  afterEach(() => world.google.control.clearFaults());

  it('409 then 404 (a purged tombstone): the event is written under a fresh id and its row follows', async () => {
    const sub = world.subscriber();
    const [kept, back] = singles(2, 'purged') as [IcsEvent, IcsEvent];
    const both = icsFeed([kept, back]);
    sub.feed.set(both);
    await sub.sync();
    // The feed drops the event (deleted in Google), then brings it back; meanwhile Google purged its tombstone:
    // the id stays taken (insert 409) but reading it answers 404.
    sub.feed.set(icsFeed([kept]));
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', deleted: 1 });
    sub.feed.set(both);
    world.google.control.injectFault({ method: 'events.get', user: sub.email, status: 404 });
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', created: 1, errors: [] });
    await expectShows(sub, both);

    const baseId = eventIdFor(sub.eventIdSalt, back.uid);
    const fresh = freshEventId(baseId, 1);
    expect(await rowOf(sub, back.uid)).toMatchObject({ googleId: fresh, ownGoogleId: true });
    expect(sub.stored().find((event) => event.id === baseId)?.status).toBe('cancelled');

    // Later writes go to the fresh id: no id scheme change, no second copy.
    const changed = icsFeed([kept, { ...back, summary: 'Back, renamed' }]);
    sub.feed.set(changed);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', updated: 1, created: 0, deleted: 0 });
    await expectShows(sub, changed);
    expect(await rowOf(sub, back.uid)).toMatchObject({ googleId: fresh });
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('a cancelled event whose update Google refuses (403) is written under a fresh id with its exceptions', async () => {
    const sub = world.subscriber();
    const [weekly, moved] = weeklyWithMovedOccurrence('ui-deleted@example.com');
    sub.feed.set(icsFeed([weekly, moved]));
    await sub.sync();
    const seriesId = eventIdFor(sub.eventIdSalt, weekly.uid);
    // The user deletes the series in the Calendar UI; Google then refuses updating it.
    world.google.control.userDeleteEvent({ calendarId: sub.calendarId, eventId: seriesId });
    world.google.control.injectFault({ method: 'events.update', user: sub.email, ...FORBIDDEN });

    const changed = icsFeed([{ ...weekly, summary: 'Weekly, new title' }, moved]);
    sub.feed.set(changed);
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', errors: [] });
    await expectShows(sub, changed);
    const fresh = freshEventId(seriesId, 1);
    expect(await rowOf(sub, weekly.uid)).toMatchObject({ googleId: fresh, ownGoogleId: true });
    // The refused event stays cancelled; the exception lives on the new series.
    expect(sub.stored().find((event) => event.id === seriesId)?.status).toBe('cancelled');
    const exceptionRow = await rowOf(sub, `${weekly.uid}#20260311T130000Z`);
    const instance = sub.stored().find((event) => event.id === exceptionRow?.googleId);
    expect(instance).toMatchObject({ recurringEventId: fresh, summary: 'Weekly (later)' });
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('a series written under a fresh id whose exception could not be written then gets it on the next sync', async () => {
    const sub = world.subscriber();
    const [weekly, moved] = weeklyWithMovedOccurrence('fresh-then-stopped@example.com');
    const text = icsFeed([weekly, moved]);
    sub.feed.set(text);
    await sub.sync();
    const seriesId = eventIdFor(sub.eventIdSalt, weekly.uid);
    world.google.control.userDeleteEvent({ calendarId: sub.calendarId, eventId: seriesId });
    // The audit brings the series back under a fresh id; finding its instance fails this run.
    world.google.control.injectFault({ method: 'events.instances', user: sub.email, status: 503, count: 50 });
    const first = await sub.sync({ auditNow: true, ...NO_RETRY });
    expect(first.outcome).toBe('partial');
    world.google.control.clearFaults();

    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    const fresh = freshEventId(seriesId, 1);
    const exceptionRow = await rowOf(sub, `${weekly.uid}#20260311T130000Z`);
    const instance = sub.stored().find((event) => event.id === exceptionRow?.googleId);
    expect(instance).toMatchObject({ recurringEventId: fresh, summary: 'Weekly (later)' });
    await expectShows(sub, text);
  });
});

describe('a series written under a fresh id when the run stops before its exceptions', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.close());

  it('leaves rows that claim no instance, so the next sync writes the exception on the new series', async () => {
    const sub = world.subscriber();
    const [weekly, moved] = weeklyWithMovedOccurrence('fresh-then-deadline@example.com');
    const text = icsFeed([weekly, moved]);
    sub.feed.set(text);
    await sub.sync();
    const seriesId = eventIdFor(sub.eventIdSalt, weekly.uid);
    world.google.control.userDeleteEvent({ calendarId: sub.calendarId, eventId: seriesId });
    // The series comes back under a fresh id, and the run's time is up right after: no exception write starts.
    const clock = new ManualClock(sub.clock.now());
    const inner = sub.gateway;
    const timeUpAfterInsert = withMethod(
      inner,
      'insert',
      async (...args: Parameters<CalendarGateway['insert']>) => {
        await inner.insert(...args);
        clock.advance(10 * 60_000);
      },
    );
    const first = await sub.sync(
      { auditNow: true, timeBudgetMs: 5 * 60_000 },
      { clock, gateway: timeUpAfterInsert },
    );
    expect(first).toMatchObject({ outcome: 'partial' });
    expect(first.deferred).toBeGreaterThan(0);

    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    const exceptionRow = await rowOf(sub, `${weekly.uid}#20260311T130000Z`);
    const instance = sub.stored().find((event) => event.id === exceptionRow?.googleId);
    expect(instance).toMatchObject({
      recurringEventId: freshEventId(seriesId, 1),
      summary: 'Weekly (later)',
    });
    await expectShows(sub, text);
  });
});

describe('a feed that renames every UID on each download', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.close());

  it('never shows two live copies of an event over four syncs of a 30-event feed', async () => {
    const sub = world.subscriber();
    const feedOf = (download: number) => icsFeed(singles(30, `download${download}`));
    for (let download = 1; download <= 4; download++) {
      const text = feedOf(download);
      sub.feed.set(text);
      const result = await sub.sync();
      expect(result).toMatchObject({ outcome: 'synced', errors: [], deleted: 0 });
      if (download > 1) {
        expect(result).toMatchObject({ created: 0, updated: 30 });
        expect(result.warnings).toEqual([expect.stringMatching(/^30 events the feed gave new UIDs/)]);
      }
      expect(liveEvents(sub)).toHaveLength(30);
      expect(copiesBySignature(sub).every((count) => count === 1)).toBe(true);
      // Google's event count stays 30: every event was moved, none created or deleted.
      expect(sub.stored()).toHaveLength(30);
      await expectShows(sub, text);
      const rows = await sub.eventMap.list(sub.id);
      expect(rows.map((row) => row.eventKey).sort()).toEqual(
        singles(30, `download${download}`)
          .map((event) => event.uid)
          .sort(),
      );
    }
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('holds the insert of a renamed series with exceptions together with its held deletion', async () => {
    const sub = world.subscriber();
    const breaker = { ...DEFAULT_BREAKER_POLICY, minDeletions: 0 };
    const series = (uid: string): IcsEvent[] => {
      const weekly: IcsEvent = {
        uid,
        summary: 'Weekly',
        start: '20260304T140000',
        end: '20260304T150000',
        rrule: 'FREQ=WEEKLY;COUNT=4',
      };
      return [weekly, { ...weekly, rrule: undefined, recurrenceId: '20260311T140000', summary: 'Moved' }];
    };
    sub.feed.set(icsFeed(series('first@example.com')));
    await sub.sync({ breaker });
    const renamed = icsFeed(series('second@example.com'));
    sub.feed.set(renamed);
    const held = await sub.sync({ breaker });
    expect(held).toMatchObject({ outcome: 'deletions_held', created: 0, heldDeletions: 1 });
    expect(held.warnings).toContainEqual(expect.stringMatching(/1 more wait until their old copies/));
    expect(copiesBySignature(sub)).toEqual([1]);

    // The breaker lets the deletion through later: the old series goes first, then the new one comes.
    sub.clock.advance(2 * HOUR_MS);
    expect(await sub.sync({ breaker })).toMatchObject({ outcome: 'synced', created: 2, deleted: 1 });
    expect(copiesBySignature(sub)).toEqual([1]);
    await expectShows(sub, renamed);
  });
});

describe('every write leaves an intent row', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.close());
  afterEach(() => world.google.control.clearFaults());

  it('an update Google applied whose answer was lost is undone when the feed goes back', async () => {
    const sub = world.subscriber();
    const [weekly, moved] = weeklyWithMovedOccurrence('lost-update@example.com', 'Moved');
    const [single] = singles(1, 'lost') as [IcsEvent];
    const earlier = icsFeed([single, weekly, moved]);
    sub.feed.set(earlier);
    await sub.sync();

    // The single event and the exception change; Google applies both updates, both answers are lost.
    sub.feed.set(
      icsFeed([{ ...single, summary: 'Changed' }, weekly, { ...moved, summary: 'Moved, changed' }]),
    );
    world.google.control.injectFault({ method: 'events.update', user: sub.email, count: 2, ...LOST_ANSWER });
    expect(await sub.sync(NO_RETRY)).toMatchObject({ outcome: 'partial' });
    const shown = (await sub.occurrencesInGoogle()).map((o) => o.summary);
    expect(shown).toEqual(expect.arrayContaining(['Changed', 'Moved, changed']));

    // The feed goes back to the earlier text: Google must show it again.
    sub.feed.set(earlier);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    await sub.expectConverged(earlier);
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('a delete Google applied whose answer was lost is undone when the feed brings the event back', async () => {
    const sub = world.subscriber();
    const events = singles(3, 'lost-delete');
    const all = icsFeed(events);
    sub.feed.set(all);
    await sub.sync();
    sub.feed.set(icsFeed(events.slice(0, 2)));
    world.google.control.injectFault({ method: 'events.delete', user: sub.email, ...LOST_ANSWER });
    expect(await sub.sync(NO_RETRY)).toMatchObject({ outcome: 'partial' });
    expect(liveEvents(sub)).toHaveLength(2);

    sub.feed.set(all);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    await expectShows(sub, all);
    expect(liveEvents(sub)).toHaveLength(3);
  });
});
