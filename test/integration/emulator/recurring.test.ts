import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instanceId } from '../../../lambdas/shared/domain/expansion/index.ts';
import {
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';

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
const THIRD = `${SERIES}_20260304T080000Z`;

describe('Google emulator: recurring events, instances and exceptions', () => {
  let fixture: EmulatorFixture;
  let api: calendar_v3.Calendar;
  let calendarId: string;

  beforeAll(async () => {
    fixture = await startEmulatorWithUser();
    api = fixture.api;
  });
  beforeEach(async () => {
    calendarId = await createCalendar(api);
    await api.events.insert({ calendarId, requestBody: series });
  });
  afterAll(() => fixture.close());

  const instances = async (params: Partial<calendar_v3.Params$Resource$Events$Instances> = {}) =>
    (await api.events.instances({ calendarId, eventId: SERIES, ...params })).data.items ?? [];

  it('lists instances with the ids the expansion module computes', async () => {
    const items = await instances();
    expect(items.map((item) => item.id)).toEqual(
      ['02', '03', '04', '05', '06'].map((day) =>
        instanceId(SERIES, { dateTime: `2026-03-${day}T09:00:00`, timeZone: 'Europe/Berlin' }),
      ),
    );
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

  it('gets an unmodified instance by its id, and 404s an id that is not an occurrence', async () => {
    const { data } = await api.events.get({ calendarId, eventId: THIRD });
    expect(data.recurringEventId).toBe(SERIES);
    expect(await googleError(api.events.get({ calendarId, eventId: `${SERIES}_20260304T090000Z` }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
    expect(await googleError(api.events.get({ calendarId, eventId: `${SERIES}_20260310T080000Z` }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
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
      await googleError(
        api.events.insert({ calendarId, requestBody: { ...fetched, id: undefined, iCalUID: undefined } }),
      ),
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

  it('filters instances by originalStart, timeMin/timeMax, and pages them', async () => {
    expect((await instances({ originalStart: '2026-03-04T09:00:00+01:00' })).map((item) => item.id)).toEqual([
      THIRD,
    ]);
    const window = await instances({ timeMin: '2026-03-03T00:00:00Z', timeMax: '2026-03-05T00:00:00Z' });
    expect(window.map((item) => item.id)).toEqual([`${SERIES}_20260303T080000Z`, THIRD]);
    const first = await api.events.instances({ calendarId, eventId: SERIES, maxResults: 2 });
    expect(first.data.items).toHaveLength(2);
    const second = await api.events.instances({
      calendarId,
      eventId: SERIES,
      maxResults: 2,
      pageToken: first.data.nextPageToken as string,
    });
    expect(second.data.items?.[0]?.id).toBe(THIRD);
  });

  it('expands series with singleEvents and orders by start, exceptions where they moved to', async () => {
    await api.events.patch({
      calendarId,
      eventId: `${SERIES}_20260302T080000Z`,
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
    expect(data.items?.map((item) => item.id)).toEqual([
      `${SERIES}_20260303T080000Z`,
      'single0001',
      THIRD,
      `${SERIES}_20260305T080000Z`,
      `${SERIES}_20260306T080000Z`,
      `${SERIES}_20260302T080000Z`,
    ]);
    const unexpanded = await api.events.list({ calendarId });
    expect(unexpanded.data.items?.map((item) => item.id)).toEqual([
      SERIES,
      `${SERIES}_20260302T080000Z`,
      'single0001',
    ]);
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

  it('handles all-day series: instance ids in basic date format', async () => {
    await api.events.insert({
      calendarId,
      requestBody: {
        id: 'anniv00001',
        start: { date: '2026-03-10' },
        end: { date: '2026-03-11' },
        recurrence: ['RRULE:FREQ=YEARLY;COUNT=3'],
      },
    });
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
});
