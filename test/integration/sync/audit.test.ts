import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OwnedFields } from '../../../lambdas/shared/domain/reconcile/owned-fields.ts';
import { type IcsEvent, icsFeed, singles } from './ics.ts';
import { type Subscriber, World } from './world.ts';

/**
 * The audit: a calendar changed in Google (by the user in the Calendar UI, another app, or a copy the service
 * lost track of) is set back to what the feed says, and what the user added on top stays.
 */

const weekly: IcsEvent = {
  uid: 'weekly@example.com',
  summary: 'Weekly',
  start: '20260304T140000',
  end: '20260304T150000',
  rrule: 'FREQ=WEEKLY;COUNT=4',
};
const movedOccurrence: IcsEvent = {
  ...weekly,
  rrule: undefined,
  recurrenceId: '20260311T140000',
  start: '20260311T160000',
  end: '20260311T170000',
  summary: 'Weekly (later)',
};
const events = singles(6, 'audit');
const FEED = icsFeed([...events, weekly, movedOccurrence]);

/** The id of the stored series or single event of a UID. */
function idOfUid(sub: Subscriber, uid: string): string {
  const found = sub
    .stored()
    .find(
      (event) =>
        event.recurringEventId === undefined &&
        (event.extendedProperties as { private?: Record<string, string> } | undefined)?.private?.icsUid ===
          uid,
    );
  if (!found) throw new Error(`no event for ${uid}`);
  return found.id as string;
}

/** The id of the live (not cancelled) series or single event of a UID. */
function idOfUidLive(sub: Subscriber, uid: string): string {
  const found = sub
    .stored()
    .find(
      (event) =>
        event.recurringEventId === undefined &&
        event.status !== 'cancelled' &&
        (event.extendedProperties as { private?: Record<string, string> } | undefined)?.private?.icsUid ===
          uid,
    );
  if (!found) throw new Error(`no live event for ${uid}`);
  return found.id as string;
}

const storedEvent = (sub: Subscriber, id: string) => sub.stored().find((event) => event.id === id);

/** A hand-made event: no mark of the service. */
const HAND_MADE_ID = 'handmade0001';
const handMade: OwnedFields = {
  summary: 'Dentist (mine)',
  start: { dateTime: '2026-03-05T08:00:00Z' },
  end: { dateTime: '2026-03-05T08:30:00Z' },
  status: 'confirmed',
  extendedProperties: { private: {} },
};

describe('the audit puts back what the feed says', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => world.close());

  async function syncedSubscriber(): Promise<Subscriber> {
    const sub = world.subscriber();
    sub.feed.set(FEED);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    return sub;
  }

  /** What the user sees equals the feed, the hand-made event aside; one live copy per source event. */
  async function expectFeedShown(sub: Subscriber): Promise<void> {
    const { google, feed } = await sub.convergence(FEED);
    expect(google.filter((occurrence) => occurrence.id !== HAND_MADE_ID)).toEqual(feed);
    for (const [key, copies] of sub.liveCopiesByKey()) expect(copies, key).toBe(1);
  }

  it('brings back deleted, moved and retitled events and a changed occurrence, keeps what the user added, removes a lost copy', async () => {
    const sub = await syncedSubscriber();
    const { control } = world.google;
    const { calendarId } = sub;
    const id = (i: number) => idOfUid(sub, `audit-${i}@example.com`);
    const seriesId = idOfUid(sub, weekly.uid);

    control.userDeleteEvent({ calendarId, eventId: id(0) });
    control.userPatchEvent({
      calendarId,
      eventId: id(1),
      patch: {
        start: { dateTime: '2026-03-03T12:00:00+01:00' },
        end: { dateTime: '2026-03-03T13:00:00+01:00' },
      },
    });
    control.userPatchEvent({ calendarId, eventId: id(2), patch: { summary: 'Retitled by the user' } });
    control.userPatchEvent({ calendarId, eventId: id(3), patch: { colorId: '5' } });
    const reminders = { useDefault: false, overrides: [{ method: 'popup', minutes: 7 }] };
    control.userPatchEvent({ calendarId, eventId: id(4), patch: { reminders } });
    const page = await sub.gateway.instances(calendarId, seriesId, {
      originalStart: '2026-03-18T14:00:00+01:00',
    });
    const occurrence = page.items[0];
    if (!occurrence) throw new Error('no instance on 18 March');
    control.userPatchEvent({ calendarId, eventId: occurrence.id, patch: { summary: 'Skipped this week' } });
    await sub.gateway.insert(calendarId, HAND_MADE_ID, handMade);
    // A copy of event 5 with the service's marks that no row names (a lost row, an old id scheme...).
    const original = storedEvent(sub, id(5)) as Record<string, unknown>;
    await sub.gateway.insert(calendarId, 'lostcop00001', {
      summary: original.summary as string,
      start: original.start as OwnedFields['start'],
      end: original.end as OwnedFields['end'],
      status: 'confirmed',
      extendedProperties: original.extendedProperties as OwnedFields['extendedProperties'],
    });

    // An unchanged feed without an audit looks at nothing in Google.
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });

    const result = await sub.sync({ auditNow: true });
    expect(result).toMatchObject({ outcome: 'synced', errors: [], auditRepaired: 4, auditRemoved: 1 });
    expect(result.warnings).toContainEqual(expect.stringContaining('4 events set back'));
    await expectFeedShown(sub);
    expect(storedEvent(sub, 'lostcop00001')?.status).toBe('cancelled');
    expect(storedEvent(sub, HAND_MADE_ID)).toMatchObject({ status: 'confirmed', summary: 'Dentist (mine)' });
    expect(storedEvent(sub, id(3))?.colorId).toBe('5');
    expect(storedEvent(sub, id(4))?.reminders).toEqual(reminders);

    // The next audit lists only what changed since the last one (the repairs): they show what the feed says.
    const again = await sub.sync({ auditNow: true });
    expect(again).toMatchObject({ outcome: 'synced', googleCalls: 1, quotaUnits: 1 });
    expect(again).toMatchObject({ auditRepaired: 0, auditRemoved: 0 });
  });

  it('costs one call on an unchanged calendar, and lists in full when Google no longer takes the sync token', async () => {
    const sub = await syncedSubscriber();
    const { control } = world.google;
    const first = await sub.sync({ auditNow: true });
    // No token yet: a full listing, one page.
    expect(first).toMatchObject({ outcome: 'synced', googleCalls: 1, auditRepaired: 0, auditRemoved: 0 });
    expect(await sub.sync({ auditNow: true })).toMatchObject({ googleCalls: 1, quotaUnits: 1 });

    control.invalidateSyncTokens({ calendarId: sub.calendarId });
    control.userDeleteEvent({ calendarId: sub.calendarId, eventId: idOfUid(sub, 'audit-2@example.com') });
    const before = control.counters().byUser[sub.email]?.byMethod?.['events.list'] ?? 0;
    const afterGone = await sub.sync({ auditNow: true });
    // 410 fullSyncRequired, then the full listing, then the event written back.
    expect(afterGone).toMatchObject({ outcome: 'synced', auditRepaired: 1 });
    expect((control.counters().byUser[sub.email]?.byMethod?.['events.list'] ?? 0) - before).toBe(2);
    await expectFeedShown(sub);
  });

  it('runs on its own cadence: not before the interval has passed since the last one', async () => {
    const interval = { auditIntervalMs: 3_600_000 };
    const sub = world.subscriber();
    sub.feed.set(FEED);
    await sub.sync(interval);
    const victim = idOfUid(sub, 'audit-1@example.com');
    world.google.control.userPatchEvent({
      calendarId: sub.calendarId,
      eventId: victim,
      patch: { summary: 'Retitled' },
    });
    // The first sync started the interval: not due yet.
    expect(await sub.sync(interval)).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
    sub.clock.advance(3_600_000);
    expect(await sub.sync(interval)).toMatchObject({ outcome: 'synced', auditRepaired: 1 });
    expect(storedEvent(sub, victim)?.summary).toBe('Meeting 1');
    // Due again only an interval later.
    expect(await sub.sync(interval)).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('learns that the calendar is gone from its listing, even when the feed has nothing to write', async () => {
    const sub = await syncedSubscriber();
    world.google.control.deleteCalendar({ calendarId: sub.calendarId });
    const result = await sub.sync({ auditNow: true });
    expect(result).toMatchObject({ outcome: 'calendar_missing' });
    // Remembered: the next run stops before any call.
    expect(await sub.sync({ auditNow: true })).toMatchObject({ outcome: 'calendar_missing', googleCalls: 0 });
  });

  it('keeps watching an event written back under a fresh id after the user deleted it', async () => {
    const sub = await syncedSubscriber();
    const { control } = world.google;
    const victim = idOfUid(sub, 'audit-1@example.com');
    control.userDeleteEvent({ calendarId: sub.calendarId, eventId: victim });
    expect(await sub.sync({ auditNow: true })).toMatchObject({ outcome: 'synced', auditRepaired: 1 });
    const back = idOfUidLive(sub, 'audit-1@example.com');
    expect(back).not.toBe(victim);
    // The user retitles the copy that came back: the next audit sets it right under its new id.
    control.userPatchEvent({ calendarId: sub.calendarId, eventId: back, patch: { summary: 'Mine now' } });
    expect(await sub.sync({ auditNow: true })).toMatchObject({ outcome: 'synced', auditRepaired: 1 });
    expect(storedEvent(sub, back)?.summary).toBe('Meeting 1');
    await expectFeedShown(sub);
  });

  it("sets back a series whose repeat rule the user cut short ('delete this and following')", async () => {
    const sub = await syncedSubscriber();
    const seriesId = idOfUid(sub, weekly.uid);
    const before = storedEvent(sub, seriesId)?.recurrence;
    world.google.control.userPatchEvent({
      calendarId: sub.calendarId,
      eventId: seriesId,
      patch: { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'] },
    });
    expect(await sub.sync({ auditNow: true })).toMatchObject({ outcome: 'synced', auditRepaired: 1 });
    expect(storedEvent(sub, seriesId)?.recurrence).toEqual(before);
    await expectFeedShown(sub);
  });

  it('deletes nothing when the feed is empty: no copy is taken for a stray', async () => {
    const sub = await syncedSubscriber();
    const original = storedEvent(sub, idOfUid(sub, 'audit-0@example.com')) as Record<string, unknown>;
    await sub.gateway.insert(sub.calendarId, 'lostcop00002', {
      summary: 'copy',
      start: original.start as OwnedFields['start'],
      end: original.end as OwnedFields['end'],
      status: 'confirmed',
      extendedProperties: original.extendedProperties as OwnedFields['extendedProperties'],
    });
    sub.feed.set(icsFeed([]));
    const result = await sub.sync({ auditNow: true });
    expect(result).toMatchObject({ outcome: 'deletions_held', auditRemoved: 0 });
    expect(storedEvent(sub, 'lostcop00002')?.status).toBe('confirmed');
  });
});
