import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';
import { without } from '../../support/without.ts';

const SERIES = 'series0001';
/** Daily at 09:00 Berlin, five times, from Monday 2 March 2026 (CET, UTC+1). */
const series: calendar_v3.Schema$Event = {
  id: SERIES,
  summary: 'Stand-up',
  start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-03-02T09:15:00', timeZone: 'Europe/Berlin' },
  recurrence: ['RRULE:FREQ=DAILY;COUNT=5'],
  extendedProperties: { private: { icsUid: 'standup@feed', icsHash: 'h' } },
};
/** Google's historic instance id form, which clients must no longer compute (see instance-ids.ts). */
const legacyId = (basicStart: string) => `${SERIES}_${basicStart}`;
const OPAQUE_ID = /^[a-v0-9]{26}$/;
const anniversary: calendar_v3.Schema$Event = {
  id: 'anniv00001',
  start: { date: '2026-03-10' },
  end: { date: '2026-03-11' },
  recurrence: ['RRULE:FREQ=YEARLY;COUNT=3'],
};

describe('Google emulator: recurring events, instances and exceptions', () => {
  let fixture: EmulatorFixture;
  let api: calendar_v3.Calendar;
  let calendarId: string;
  /** Ids of the five instances (2 to 6 March), as events.instances answers them: a client never computes one. */
  let ids: string[];
  let THIRD: string;

  beforeAll(async () => {
    fixture = await startEmulatorWithUser();
    api = fixture.api;
  });
  beforeEach(async () => {
    calendarId = await createCalendar(api);
    await api.events.insert({ calendarId, requestBody: series });
    ids = (await instances()).map((item) => item.id as string);
    THIRD = ids[2] as string;
  });
  afterAll(() => fixture.close());

  const instances = async (params: Partial<calendar_v3.Params$Resource$Events$Instances> = {}) =>
    (await api.events.instances({ calendarId, eventId: SERIES, ...params })).data.items ?? [];
  const startsOf = (items: calendar_v3.Schema$Event[]) =>
    items.map((item) => new Date(item.start?.dateTime ?? (item.start?.date as string)).toISOString());

  it('lists instances with opaque ids, not <seriesId>_<start> (Google: new format from Q3 2026)', async () => {
    const items = await instances();
    expect(startsOf(items)).toEqual(
      ['02', '03', '04', '05', '06'].map((day) => `2026-03-${day}T08:00:00.000Z`),
    );
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) {
      expect(id).toMatch(OPAQUE_ID);
      expect(id.startsWith(SERIES)).toBe(false);
    }
    expect(items[2]).toMatchObject({
      id: THIRD,
      recurringEventId: SERIES,
      originalStartTime: { dateTime: '2026-03-04T09:00:00+01:00', timeZone: 'Europe/Berlin' },
      start: { dateTime: '2026-03-04T09:00:00+01:00', timeZone: 'Europe/Berlin' },
      summary: 'Stand-up',
      iCalUID: `${SERIES}@google.com`,
    });
    expect(items[2]?.recurrence).toBeUndefined();
  });

  it('gets an unmodified instance by its id; the computed <seriesId>_<start> answers 404 to every method', async () => {
    const { data } = await api.events.get({ calendarId, eventId: THIRD });
    expect(data).toMatchObject({ id: THIRD, recurringEventId: SERIES });
    expect(new Date(data.originalStartTime?.dateTime as string).toISOString()).toBe(
      '2026-03-04T08:00:00.000Z',
    );
    // The id a client would have computed before Q3 2026: Google says ids are opaque, so it names nothing.
    const computed = legacyId('20260304T080000Z');
    const notFound = { status: 404, reason: 'notFound' };
    expect(await googleError(api.events.get({ calendarId, eventId: computed }))).toEqual(notFound);
    expect(
      await googleError(api.events.patch({ calendarId, eventId: computed, requestBody: { summary: 'x' } })),
    ).toEqual(notFound);
    expect(
      await googleError(
        api.events.update({ calendarId, eventId: computed, requestBody: without(series, 'id') }),
      ),
    ).toEqual(notFound);
    expect(await googleError(api.events.delete({ calendarId, eventId: computed }))).toEqual(notFound);
    expect(await googleError(api.events.instances({ calendarId, eventId: computed }))).toEqual(notFound);
    expect(await googleError(api.events.get({ calendarId, eventId: 'abcdefghij0123456789abcdef' }))).toEqual(
      notFound,
    );
    // Nothing was written by the refused calls.
    expect((await instances()).map((item) => item.summary)).toEqual(Array(5).fill('Stand-up'));
  });

  it('keeps instance ids stable across calls, listings and writes of other instances', async () => {
    expect((await instances()).map((item) => item.id)).toEqual(ids);
    const { data } = await api.events.list({ calendarId, singleEvents: true, orderBy: 'startTime' });
    expect(data.items?.map((item) => item.id)).toEqual(ids);
    await api.events.patch({ calendarId, eventId: ids[0] as string, requestBody: { summary: 'first' } });
    await api.events.delete({ calendarId, eventId: ids[1] as string });
    expect((await instances({ showDeleted: true })).map((item) => item.id)).toEqual(ids);
    expect((await api.events.get({ calendarId, eventId: ids[4] as string })).data.id).toBe(ids[4]);
  });

  it('turns a patch of an instance into an exception: moved, linked to its series, identity immutable', async () => {
    const { data: moved } = await api.events.patch({
      calendarId,
      eventId: THIRD,
      requestBody: {
        summary: 'Stand-up (moved)',
        start: { dateTime: '2026-03-04T11:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-03-04T11:15:00', timeZone: 'Europe/Berlin' },
      },
    });
    expect(moved).toMatchObject({
      id: THIRD,
      recurringEventId: SERIES,
      originalStartTime: { dateTime: '2026-03-04T09:00:00+01:00' },
      start: { dateTime: '2026-03-04T11:00:00+01:00' },
      extendedProperties: { private: { icsUid: 'standup@feed' } },
    });
    const items = await instances();
    expect(items).toHaveLength(5);
    expect(items.find((item) => item.id === THIRD)?.summary).toBe('Stand-up (moved)');

    expect(
      await googleError(
        api.events.patch({
          calendarId,
          eventId: THIRD,
          requestBody: { originalStartTime: { dateTime: '2026-03-05T08:00:00Z' } },
        }),
      ),
    ).toEqual({ status: 400, reason: 'invalid' });
    expect(
      await googleError(
        api.events.patch({ calendarId, eventId: THIRD, requestBody: { recurringEventId: 'other0001' } }),
      ),
    ).toEqual({ status: 400, reason: 'invalid' });
    // Sending the same identity back (as an update of the fetched instance does) is fine.
    const { data: fetched } = await api.events.get({ calendarId, eventId: THIRD });
    await api.events.update({ calendarId, eventId: THIRD, requestBody: { ...fetched, summary: 'again' } });
    expect(
      await googleError(api.events.insert({ calendarId, requestBody: without(fetched, 'id', 'iCalUID') })),
    ).toEqual({ status: 400, reason: 'invalid' });
  });

  it('cancels an instance on delete (hidden unless showDeleted), 410 on a second delete, restorable', async () => {
    await api.events.delete({ calendarId, eventId: THIRD });
    expect((await instances()).map((item) => item.id)).not.toContain(THIRD);
    const withDeleted = await instances({ showDeleted: true });
    expect(withDeleted.find((item) => item.id === THIRD)).toMatchObject({
      status: 'cancelled',
      recurringEventId: SERIES,
    });
    expect(await googleError(api.events.delete({ calendarId, eventId: THIRD }))).toEqual({
      status: 410,
      reason: 'deleted',
    });
    await api.events.patch({ calendarId, eventId: THIRD, requestBody: { status: 'confirmed' } });
    expect((await instances()).map((item) => item.id)).toContain(THIRD);
  });

  it('finds exactly the instance by originalStart, compared as an instant whatever the offset', async () => {
    // The recurring-events guide: get the instance from Google (events.instances), then update that id.
    for (const originalStart of [
      '2026-03-04T09:00:00+01:00',
      '2026-03-04T08:00:00Z',
      '2026-03-04T03:00:00-05:00',
      '2026-03-04T13:30:00+05:30',
    ]) {
      expect(
        (await instances({ originalStart })).map((item) => item.id),
        originalStart,
      ).toEqual([THIRD]);
    }
    expect(await instances({ originalStart: '2026-03-04T09:00:00Z' })).toEqual([]);
    // A moved exception is still found by its original start.
    await api.events.patch({
      calendarId,
      eventId: THIRD,
      requestBody: {
        start: { dateTime: '2026-03-04T15:00:00+01:00' },
        end: { dateTime: '2026-03-04T15:15:00+01:00' },
      },
    });
    expect((await instances({ originalStart: '2026-03-04T08:00:00Z' })).map((item) => item.id)).toEqual([
      THIRD,
    ]);
  });

  it('filters instances by timeMin/timeMax, and pages them', async () => {
    const window = await instances({ timeMin: '2026-03-03T00:00:00Z', timeMax: '2026-03-05T00:00:00Z' });
    expect(window.map((item) => item.id)).toEqual([ids[1], THIRD]);
    // Pages of 2 (short and empty ones included, as the reference allows) hold every instance once, in order.
    const paged: (string | null | undefined)[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await api.events.instances({
        calendarId,
        eventId: SERIES,
        maxResults: 2,
        ...(pageToken ? { pageToken } : {}),
      });
      expect(page.data.items?.length ?? 0).toBeLessThanOrEqual(2);
      paged.push(...(page.data.items ?? []).map((item) => item.id));
      pageToken = page.data.nextPageToken ?? undefined;
      pages += 1;
    } while (pageToken);
    expect(paged).toEqual((await instances()).map((item) => item.id));
    expect(paged[2]).toBe(THIRD);
    expect(pages).toBeGreaterThan(3);
  });

  it('expands series with singleEvents and orders by start, exceptions where they moved to', async () => {
    await api.events.patch({
      calendarId,
      eventId: ids[0] as string,
      requestBody: {
        start: { dateTime: '2026-03-10T09:00:00+01:00' },
        end: { dateTime: '2026-03-10T09:15:00+01:00' },
      },
    });
    await api.events.insert({
      calendarId,
      requestBody: {
        id: 'single0001',
        start: { date: '2026-03-04' },
        end: { date: '2026-03-05' },
        summary: 'All day',
      },
    });
    const { data } = await api.events.list({ calendarId, singleEvents: true, orderBy: 'startTime' });
    expect(data.items?.map((item) => item.id)).toEqual([ids[1], 'single0001', THIRD, ids[3], ids[4], ids[0]]);
    const unexpanded = await api.events.list({ calendarId });
    expect(unexpanded.data.items?.map((item) => item.id)).toEqual([SERIES, ids[0], 'single0001']);
  });

  it('deleting the series cancels everything: instances answer 410, exceptions are cancelled', async () => {
    await api.events.patch({ calendarId, eventId: THIRD, requestBody: { summary: 'exception' } });
    await api.events.delete({ calendarId, eventId: SERIES });
    expect(await googleError(api.events.instances({ calendarId, eventId: SERIES }))).toEqual({
      status: 410,
      reason: 'deleted',
    });
    expect((await api.events.get({ calendarId, eventId: THIRD })).data.status).toBe('cancelled');
    expect((await api.events.list({ calendarId, singleEvents: true })).data.items).toEqual([]);
  });

  it('handles all-day series: instances on dates, opaque ids', async () => {
    await api.events.insert({ calendarId, requestBody: anniversary });
    const { data } = await api.events.instances({ calendarId, eventId: 'anniv00001' });
    expect(data.items?.map((item) => item.start?.date)).toEqual(['2026-03-10', '2027-03-10', '2028-03-10']);
    expect(data.items?.map((item) => item.originalStartTime)).toEqual([
      { date: '2026-03-10' },
      { date: '2027-03-10' },
      { date: '2028-03-10' },
    ]);
    const second = data.items?.[1]?.id as string;
    expect(second).toMatch(OPAQUE_ID);
    expect(await googleError(api.events.get({ calendarId, eventId: 'anniv00001_20270310' }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
    await api.events.delete({ calendarId, eventId: second });
    expect((await api.events.get({ calendarId, eventId: second })).data.status).toBe('cancelled');
  });

  it('reaches every instance by its id when instances last longer than the interval between them', async () => {
    // Three-day all-day event every day: each instant is inside three instances at once.
    await api.events.insert({
      calendarId,
      requestBody: {
        id: 'long000001',
        start: { date: '2026-02-26' },
        end: { date: '2026-03-01' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=6'],
      },
    });
    const { data } = await api.events.instances({ calendarId, eventId: 'long000001' });
    expect(data.items).toHaveLength(6);
    for (const item of data.items ?? []) {
      const { data: got } = await api.events.get({ calendarId, eventId: item.id as string });
      expect(got.originalStartTime).toEqual(item.originalStartTime);
    }
    const third = data.items?.[2] as calendar_v3.Schema$Event;
    const { data: updated } = await api.events.update({
      calendarId,
      eventId: third.id as string,
      requestBody: { ...third, summary: 'shorter', end: { date: '2026-03-01' } },
    });
    expect(updated).toMatchObject({ id: third.id, summary: 'shorter', recurringEventId: 'long000001' });
  });

  it('a series marked as created before the change keeps <seriesId>_<start> ids, which still work', async () => {
    fixture.google.control.setInstanceIdScheme({ calendarId, eventId: SERIES, scheme: 'legacy' });
    expect((await instances()).map((item) => item.id)).toEqual(
      ['02', '03', '04', '05', '06'].map((day) => legacyId(`202603${day}T080000Z`)),
    );
    const third = legacyId('20260304T080000Z');
    expect((await api.events.get({ calendarId, eventId: third })).data.recurringEventId).toBe(SERIES);
    const { data: moved } = await api.events.patch({
      calendarId,
      eventId: third,
      requestBody: { summary: 'm' },
    });
    expect(moved).toMatchObject({ id: third, recurringEventId: SERIES, summary: 'm' });
    // Not an occurrence: 09:00Z is not a start of the series.
    expect(await googleError(api.events.get({ calendarId, eventId: legacyId('20260304T090000Z') }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
    await api.events.insert({ calendarId, requestBody: anniversary });
    fixture.google.control.setInstanceIdScheme({ calendarId, eventId: 'anniv00001', scheme: 'legacy' });
    const { data } = await api.events.instances({ calendarId, eventId: 'anniv00001' });
    expect(data.items?.map((item) => item.id)).toEqual([
      'anniv00001_20260310',
      'anniv00001_20270310',
      'anniv00001_20280310',
    ]);
    await api.events.delete({ calendarId, eventId: 'anniv00001_20270310' });
    expect((await api.events.get({ calendarId, eventId: 'anniv00001_20270310' })).data.status).toBe(
      'cancelled',
    );
  });

  it('an exception keeps the id of the instance it was made from, whatever the scheme later says', async () => {
    await api.events.patch({ calendarId, eventId: THIRD, requestBody: { summary: 'exception' } });
    fixture.google.control.setInstanceIdScheme({ calendarId, eventId: SERIES, scheme: 'legacy' });
    const items = await instances();
    expect(items.map((item) => item.id)).toEqual([
      legacyId('20260302T080000Z'),
      legacyId('20260303T080000Z'),
      THIRD,
      legacyId('20260305T080000Z'),
      legacyId('20260306T080000Z'),
    ]);
    expect(items[2]?.summary).toBe('exception');
  });

  it('excludes by EXDATE at the instant, whatever zone the EXDATE is written in', async () => {
    await api.events.insert({
      calendarId,
      requestBody: {
        ...series,
        id: 'omitted001',
        recurrence: [
          'RRULE:FREQ=DAILY;COUNT=5',
          // 3 March 09:00 Berlin, written in New York time (03:00 EST = 08:00Z).
          'EXDATE;TZID=America/New_York:20260303T030000',
          // 5 March 09:00 Berlin, written in UTC.
          'EXDATE:20260305T080000Z',
          // An instant that is no start (09:00Z = 10:00 Berlin) excludes nothing.
          'EXDATE:20260306T090000Z',
          // RFC 5545 3.8.5.1: a DATE EXDATE on a timed series does not match a DATE-TIME start.
          'EXDATE;VALUE=DATE:20260304',
        ],
      },
    });
    const { data } = await api.events.instances({ calendarId, eventId: 'omitted001' });
    expect(startsOf(data.items ?? [])).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-04T08:00:00.000Z',
      '2026-03-06T08:00:00.000Z',
    ]);
  });

  it('expands in wall-clock time across DST, keeps DTSTART first, adds RDATEs', async () => {
    await api.events.insert({
      calendarId,
      requestBody: {
        id: 'dstgap0001',
        start: { dateTime: '2026-03-28T02:30:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-03-28T03:00:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=3', 'RDATE;TZID=Europe/Berlin:20260401T120000'],
      },
    });
    const { data } = await api.events.instances({
      calendarId,
      eventId: 'dstgap0001',
      timeZone: 'Europe/Berlin',
    });
    // 29 March 02:30 does not exist in Berlin: Google moves it forward by the gap (03:30 CEST); 30 minutes each.
    expect(data.items?.map((item) => [item.start?.dateTime, item.end?.dateTime])).toEqual([
      ['2026-03-28T02:30:00+01:00', '2026-03-28T03:00:00+01:00'],
      ['2026-03-29T03:30:00+02:00', '2026-03-29T04:00:00+02:00'],
      ['2026-03-30T02:30:00+02:00', '2026-03-30T03:00:00+02:00'],
      ['2026-04-01T12:00:00+02:00', '2026-04-01T12:30:00+02:00'],
    ]);
    // DTSTART off the rule (a Thursday, BYDAY=WE) is an extra first instance that COUNT does not count.
    await api.events.insert({
      calendarId,
      requestBody: {
        id: 'offrule001',
        start: { dateTime: '2026-03-05T09:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-03-05T10:00:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=3'],
      },
    });
    const off = await api.events.instances({ calendarId, eventId: 'offrule001' });
    expect(startsOf(off.data.items ?? [])).toEqual([
      '2026-03-05T08:00:00.000Z',
      '2026-03-11T08:00:00.000Z',
      '2026-03-18T08:00:00.000Z',
      '2026-03-25T08:00:00.000Z',
    ]);
  });
});

describe('Google emulator: instance id scheme by creation time', () => {
  it('series created before instanceIds.opaqueFrom get <seriesId>_<start> ids', async () => {
    const fixture = await startEmulatorWithUser({
      overrides: { instanceIds: { opaqueFrom: Date.now() + 60_000 } },
    });
    try {
      const calendarId = await createCalendar(fixture.api);
      await fixture.api.events.insert({ calendarId, requestBody: series });
      const { data } = await fixture.api.events.instances({ calendarId, eventId: SERIES });
      expect(data.items?.[0]?.id).toBe(legacyId('20260302T080000Z'));
    } finally {
      await fixture.close();
    }
  });
});
