import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHorizon } from '../../../lambdas/shared/domain/ics/index.ts';
import { type IcsEvent, icsFeed, singles } from './ics.ts';
import { World } from './world.ts';

const weekly: IcsEvent = {
  uid: 'weekly@example.com',
  summary: 'Weekly review',
  start: '20260302T140000',
  end: '20260302T150000',
  rrule: 'FREQ=WEEKLY;COUNT=8',
};
const movedInstance: IcsEvent = {
  uid: 'weekly@example.com',
  summary: 'Weekly review (moved)',
  recurrenceId: '20260309T140000',
  start: '20260310T160000',
  end: '20260310T170000',
};
const cancelledInstance: IcsEvent = {
  uid: 'weekly@example.com',
  summary: 'Weekly review',
  recurrenceId: '20260316T140000',
  start: '20260316T140000',
  end: '20260316T150000',
  status: 'CANCELLED',
};
const allDay: IcsEvent = {
  uid: 'offsite@example.com',
  summary: 'Offsite',
  start: '20260320',
  end: '20260322',
};

describe('sync lifecycle against the Google emulator', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => world.close());

  it('first sync writes every event, series before their exceptions; a resync costs no Google call', async () => {
    const sub = world.subscriber();
    const text = icsFeed([...singles(5), weekly, movedInstance, cancelledInstance, allDay]);
    sub.feed.set(text);

    const first = await sub.sync();
    expect(first).toMatchObject({ outcome: 'synced', created: 9, updated: 0, deleted: 0, errors: [] });
    // 7 inserts; one listing of the weekly series' instances finds both of its exceptions, then 2 updates.
    expect(first.googleCalls).toBe(10);
    expect(first.quotaUnits).toBe(10);
    expect(sub.calls()).toBe(10);
    await sub.expectConverged(text);

    const callsBefore = sub.calls();
    const fetchesBefore = sub.feed.fetches;
    const second = await sub.sync();
    expect(second).toMatchObject({ outcome: 'unchanged', googleCalls: 0, unchanged: 7 });
    expect(sub.calls()).toBe(callsBefore);
    expect(sub.feed.fetches).toBe(fetchesBefore + 1);
    expect((await sub.syncState.get(sub.id))?.lastResult?.outcome).toBe('unchanged');
  });

  it('a feed that keeps answering 304 is mapped again when the horizon moves to a new day', async () => {
    const sub = world.subscriber();
    // 2028-03-01 lies beyond the horizon of 2026-03-01 (24 months) and enters it on the next day.
    const late: IcsEvent = {
      uid: 'late@example.com',
      summary: 'Late',
      start: '20280301T120000',
      end: '20280301T130000',
    };
    sub.feed.set(icsFeed([...singles(2), late]));
    const horizonOn = (day: string) => () => defaultHorizon(new Date(`${day}T00:00:00Z`));
    expect(await sub.sync({ horizon: horizonOn('2026-02-28') })).toMatchObject({
      outcome: 'synced',
      created: 2,
    });
    expect(await sub.sync({ horizon: horizonOn('2026-02-28') })).toMatchObject({ outcome: 'unchanged' });
    expect(await sub.sync({ horizon: horizonOn('2026-03-02') })).toMatchObject({
      outcome: 'synced',
      created: 1,
    });
  });

  it('the same body served without validators costs no parse and no call either', async () => {
    const sub = world.subscriber();
    const text = icsFeed(singles(3));
    sub.feed.set(text);
    await sub.sync();
    const calls = sub.calls();
    sub.feed.set(text); // a new ETag, the same bytes
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
    expect(sub.calls()).toBe(calls);
  });

  it('applies edits, moves, cancellations, deletions and additions with the fewest quota units per change', async () => {
    const sub = world.subscriber();
    const base = singles(6);
    sub.feed.set(icsFeed([...base, weekly, movedInstance, allDay]));
    await sub.sync();

    // single-4 is the one the feed drops.
    const [s0, s1, s2, s3, , s5] = base as [IcsEvent, IcsEvent, IcsEvent, IcsEvent, IcsEvent, IcsEvent];
    const changed = icsFeed([
      { ...s0, summary: 'Meeting 0 (renamed)', description: 'Now with an agenda' }, // edit
      { ...s1, start: '20260303T150000', end: '20260303T160000' }, // move
      { ...s2, status: 'CANCELLED' }, // cancelled in the feed
      s3,
      s5,
      { uid: 'new@example.com', summary: 'Added', start: '20260325T100000', end: '20260325T110000' },
      weekly,
      movedInstance,
      cancelledInstance, // an exception added
      { ...allDay, start: '20260321', end: '20260324' }, // all-day moved and longer
    ]);
    sub.feed.set(changed);
    const calls = sub.calls();
    const result = await sub.sync();
    expect(result).toMatchObject({
      outcome: 'synced',
      created: 2,
      updated: 3,
      deleted: 2,
      unchanged: 4,
      errors: [],
    });
    // 3 updates as get + update (2 units where a patch costs 3), 2 deletions, 1 insert, and the new exception:
    // its instance looked up by original start, then updated.
    expect(result.googleCalls).toBe(11);
    expect(result.quotaUnits).toBe(11);
    expect(sub.calls() - calls).toBe(11);
    await sub.expectConverged(changed);
  });

  it('reverts a dropped exception to the series, and moves the exceptions of a rewritten series along', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed([weekly, movedInstance, cancelledInstance]));
    await sub.sync();

    // The feed drops the cancellation: the occurrence of 16 March comes back as the series has it.
    const withoutCancellation = icsFeed([weekly, movedInstance]);
    sub.feed.set(withoutCancellation);
    // The instance id its row holds: get + update.
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', updated: 1, googleCalls: 2 });
    await sub.expectConverged(withoutCancellation);

    // The series moves an hour later: its exception ids change, the old instances disappear with the old times.
    const later = icsFeed([
      { ...weekly, start: '20260302T150000', end: '20260302T160000' },
      { ...movedInstance, recurrenceId: '20260309T150000' },
    ]);
    sub.feed.set(later);
    const result = await sub.sync();
    expect(result.outcome).toBe('synced');
    await sub.expectConverged(later);
    // Google keeps the old overrides (now cancelled): their rows stay, so a later series change revisits them.
    const rows = (await sub.eventMap.list(sub.id)).sort((a, b) => a.eventKey.localeCompare(b.eventKey));
    expect(rows.map((r) => [r.eventKey, r.hash.startsWith('reverted:')])).toEqual([
      ['weekly@example.com', false],
      ['weekly@example.com#20260309T130000Z', true],
      ['weekly@example.com#20260309T140000Z', false],
      ['weekly@example.com#20260316T130000Z', true],
    ]);
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
  });

  it('deleting a series takes its exceptions along without a call per exception', async () => {
    const sub = world.subscriber();
    sub.feed.set(icsFeed([...singles(2), weekly, movedInstance, cancelledInstance]));
    await sub.sync();
    const onlySingles = icsFeed(singles(2));
    sub.feed.set(onlySingles);
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', deleted: 1, googleCalls: 1 });
    await sub.expectConverged(onlySingles);
    expect((await sub.eventMap.list(sub.id)).map((r) => r.eventKey).sort()).toEqual([
      'single-0@example.com',
      'single-1@example.com',
    ]);
  });

  it("keeps the user's colour and reminders through an update, and brings back an event the user deleted once the feed changes it", async () => {
    const sub = world.subscriber();
    const [s0, s1] = singles(2) as [IcsEvent, IcsEvent];
    sub.feed.set(icsFeed([s0, s1]));
    await sub.sync();
    const [row0, row1] = (await sub.eventMap.list(sub.id)).sort((a, b) =>
      a.eventKey.localeCompare(b.eventKey),
    );
    const { control } = world.google;
    control.userPatchEvent({
      calendarId: sub.calendarId,
      eventId: row0?.googleId as string,
      patch: {
        colorId: '11',
        reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 5 }] },
      },
    });
    control.userDeleteEvent({ calendarId: sub.calendarId, eventId: row1?.googleId as string });

    // Unchanged in the feed: the user's deletion stands (no call at all).
    sub.feed.set(
      icsFeed([
        s0,
        s1,
        { uid: 'x@example.com', summary: 'x', start: '20260330T090000', end: '20260330T093000' },
      ]),
    );
    await sub.sync();
    expect(sub.stored().find((e) => e.id === row1?.googleId)?.status).toBe('cancelled');

    const edited = icsFeed([
      { ...s0, summary: 'Renamed' },
      { ...s1, summary: 'Back again' },
    ]);
    sub.feed.set(edited);
    await sub.sync();
    const event0 = sub.stored().find((e) => e.id === row0?.googleId);
    expect(event0).toMatchObject({
      summary: 'Renamed',
      colorId: '11',
      reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 5 }] },
    });
    // Google refuses updating an event the user deleted in the Calendar UI (403): it comes back under a fresh id,
    // the deleted one stays cancelled.
    const back = (await sub.eventMap.list(sub.id)).find((row) => row.eventKey === s1.uid);
    expect(back?.googleId).not.toBe(row1?.googleId);
    expect(sub.stored().find((e) => e.id === back?.googleId)).toMatchObject({
      status: 'confirmed',
      summary: 'Back again',
    });
    expect(sub.stored().find((e) => e.id === row1?.googleId)?.status).toBe('cancelled');
    await sub.expectConverged(edited);
  });
});
