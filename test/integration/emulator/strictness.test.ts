import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';

/**
 * Where the emulator used to accept what Google refuses: each refusal here is one the service must never
 * depend on, because Google would answer 400 and the event would never arrive.
 */
const berlin = (dateTime: string): calendar_v3.Schema$EventDateTime => ({
  dateTime,
  timeZone: 'Europe/Berlin',
});
const timed = { start: berlin('2026-03-10T09:00:00'), end: berlin('2026-03-10T10:00:00') };
const allDay = { start: { date: '2026-03-10' }, end: { date: '2026-03-11' } };

describe('Google emulator: as strict as Google', () => {
  let fixture: EmulatorFixture;
  let api: calendar_v3.Calendar;
  let calendarId: string;
  let next = 0;
  const newId = () => `strict${String(++next).padStart(5, '0')}`;

  /** The status, reason and message of a refused insert; undefined when it is accepted. */
  async function insertRefusal(body: calendar_v3.Schema$Event) {
    try {
      await api.events.insert({ calendarId, requestBody: { id: newId(), summary: 's', ...body } });
      return undefined;
    } catch (error) {
      const response = (error as { response: { status: number; data: { error: calendar_v3.Schema$Error } } })
        .response;
      const { message, errors } = response.data.error as { message: string; errors: { reason: string }[] };
      return { status: response.status, reason: errors[0]?.reason, message };
    }
  }
  const invalidRecurrence = { status: 400, reason: 'invalid', message: 'Invalid recurrence rule.' };

  beforeAll(async () => {
    fixture = await startEmulatorWithUser();
    api = fixture.api;
    calendarId = await createCalendar(api);
  });
  afterAll(() => fixture.close());

  it.each([
    ['FREQ=HOURLY (Google repeats events at most daily)', timed, 'RRULE:FREQ=HOURLY;COUNT=3'],
    ['FREQ=MINUTELY', timed, 'RRULE:FREQ=MINUTELY;COUNT=3'],
    ['FREQ=SECONDLY', timed, 'RRULE:FREQ=SECONDLY;COUNT=3'],
    ['a numbered BYDAY in a WEEKLY rule', timed, 'RRULE:FREQ=WEEKLY;BYDAY=1MO;COUNT=3'],
    ['BYWEEKNO outside YEARLY', timed, 'RRULE:FREQ=MONTHLY;BYWEEKNO=3'],
    ['BYYEARDAY in a MONTHLY rule', timed, 'RRULE:FREQ=MONTHLY;BYYEARDAY=3'],
    ['BYMONTHDAY in a WEEKLY rule', timed, 'RRULE:FREQ=WEEKLY;BYMONTHDAY=3'],
    ['BYSETPOS alone', timed, 'RRULE:FREQ=MONTHLY;BYSETPOS=1'],
    ['BYMONTHDAY=32', timed, 'RRULE:FREQ=MONTHLY;BYMONTHDAY=32'],
    ['BYHOUR=24', timed, 'RRULE:FREQ=DAILY;BYHOUR=24'],
    ['INTERVAL=0', timed, 'RRULE:FREQ=DAILY;INTERVAL=0'],
    ['an unknown EXDATE parameter', timed, 'EXDATE;X-FOO=1:20260311T090000'],
    ['a TZID beside a UTC EXDATE', timed, 'EXDATE;TZID=Europe/Berlin:20260311T080000Z'],
    ['RDATE;VALUE=PERIOD', timed, 'RDATE;VALUE=PERIOD:20260320T080000Z/PT2H'],
    ['an RDATE TZID in the wrong case', timed, 'RDATE;TZID=europe/berlin:20260320T090000'],
    ['a local UNTIL on a zoned series (RFC 5545 wants UTC)', timed, 'RRULE:FREQ=DAILY;UNTIL=20260312T090000'],
    ['a DATE UNTIL on a timed series', timed, 'RRULE:FREQ=DAILY;UNTIL=20260312'],
    ['a date-time UNTIL on an all-day series', allDay, 'RRULE:FREQ=DAILY;UNTIL=20260312T000000Z'],
  ])('refuses %s: 400 "Invalid recurrence rule."', async (_what, times, line) => {
    const recurrence = line.startsWith('RRULE') ? [line] : ['RRULE:FREQ=DAILY;COUNT=3', line];
    expect(await insertRefusal({ ...times, recurrence })).toEqual(invalidRecurrence);
  });

  it('takes the same series written as Google wants them', async () => {
    for (const [times, recurrence] of [
      [timed, ['RRULE:FREQ=DAILY;UNTIL=20260312T080000Z', 'EXDATE;TZID=Europe/Berlin:20260311T090000']],
      [timed, ['RRULE:FREQ=MONTHLY;BYDAY=1MO,-1FR;COUNT=4', 'RDATE:20260320T080000Z']],
      [allDay, ['RRULE:FREQ=DAILY;UNTIL=20260312', 'EXDATE;VALUE=DATE:20260311']],
    ] as const) {
      expect(await insertRefusal({ ...times, recurrence: [...recurrence] })).toBeUndefined();
    }
  });

  it('refuses a new event inserted or imported as cancelled', async () => {
    expect(await insertRefusal({ ...timed, status: 'cancelled' })).toMatchObject({
      status: 400,
      reason: 'invalid',
    });
    const imported = api.events.import({
      calendarId,
      requestBody: { iCalUID: 'cancelled@feed', status: 'cancelled', ...timed },
    });
    expect(await googleError(imported)).toEqual({ status: 400, reason: 'invalid' });
  });

  it('refuses visibility and transparency values outside their enums', async () => {
    expect(await insertRefusal({ ...timed, visibility: 'bogus' })).toMatchObject({
      status: 400,
      reason: 'invalid',
    });
    expect(await insertRefusal({ ...timed, transparency: 'nope' })).toMatchObject({
      status: 400,
      reason: 'invalid',
    });
    for (const visibility of ['default', 'public', 'private', 'confidential']) {
      expect(await insertRefusal({ ...timed, visibility, transparency: 'transparent' })).toBeUndefined();
    }
  });

  it('takes IANA zone names and links spelled exactly, and refuses case variants and rule-named zones', async () => {
    const zoned = (timeZone: string) => ({
      start: { dateTime: '2026-03-10T09:00:00', timeZone },
      end: { dateTime: '2026-03-10T10:00:00', timeZone },
    });
    for (const zone of ['europe/berlin', 'EUROPE/BERLIN', 'EST', 'PST8PDT', 'us/eastern']) {
      expect(await insertRefusal(zoned(zone)), zone).toMatchObject({ status: 400, reason: 'invalid' });
    }
    for (const zone of [
      'Europe/Berlin',
      'US/Eastern',
      'Asia/Kolkata',
      'Asia/Calcutta',
      'Europe/Kiev', // Europe/Kyiv is refused: google-answers.test.ts
      'UTC',
    ]) {
      expect(await insertRefusal(zoned(zone)), zone).toBeUndefined();
    }
    const calendar = api.calendars.insert({ requestBody: { summary: 'x', timeZone: 'europe/berlin' } });
    expect(await googleError(calendar)).toEqual({ status: 400, reason: 'invalid' });
  });

  it('refuses a summary, location or description over the modelled limits (1,024 / 1,024 / 8,192)', async () => {
    expect(
      await insertRefusal({ ...timed, summary: 'x'.repeat(1024), location: 'l'.repeat(1024) }),
    ).toBeUndefined();
    expect(await insertRefusal({ ...timed, description: 'd'.repeat(8192) })).toBeUndefined();
    for (const body of [
      { summary: 'x'.repeat(1025) },
      { location: 'l'.repeat(1025) },
      { description: 'd'.repeat(8193) },
    ]) {
      expect(await insertRefusal({ ...timed, ...body })).toMatchObject({ status: 400, reason: 'invalid' });
    }
    // A patch that makes a stored event too long is refused the same way.
    const id = newId();
    await api.events.insert({ calendarId, requestBody: { id, ...timed } });
    const patch = api.events.patch({
      calendarId,
      eventId: id,
      requestBody: { summary: 'x'.repeat(200_000) },
    });
    expect(await googleError(patch)).toEqual({ status: 400, reason: 'invalid' });
  });

  describe('instances', () => {
    const weekly = (id: string): calendar_v3.Schema$Event => ({
      id,
      ...timed,
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=5'],
    });
    /** The id of the instance starting at `start` (ids are opaque: a client gets them from events.instances). */
    const instanceAt = async (seriesId: string, start: string): Promise<string> => {
      const { data } = await api.events.instances({ calendarId, eventId: seriesId, originalStart: start });
      return data.items?.[0]?.id as string;
    };

    it('an instance of a deleted series cannot be written (410), whether generated or a stored exception', async () => {
      const id = newId();
      await api.events.insert({ calendarId, requestBody: weekly(id) });
      const moved = await instanceAt(id, '2026-03-17T08:00:00Z');
      const generated = await instanceAt(id, '2026-03-24T08:00:00Z');
      await api.events.patch({ calendarId, eventId: moved, requestBody: { summary: 'moved' } });
      await api.events.delete({ calendarId, eventId: id });
      for (const eventId of [generated, moved]) {
        const revive = api.events.patch({
          calendarId,
          eventId,
          requestBody: { status: 'confirmed', summary: 'back' },
        });
        expect(await googleError(revive), eventId).toEqual({ status: 410, reason: 'deleted' });
        const replace = api.events.update({
          calendarId,
          eventId,
          requestBody: { ...timed, summary: 'back' },
        });
        expect(await googleError(replace), eventId).toEqual({ status: 410, reason: 'deleted' });
      }
      // Restoring the series makes its instances writable again.
      await api.events.patch({ calendarId, eventId: id, requestBody: { status: 'confirmed' } });
      await api.events.patch({ calendarId, eventId: generated, requestBody: { summary: 'ok' } });
    });

    it('an instance id the current rule no longer produces is not found, unless an exception is stored for it', async () => {
      const id = newId();
      await api.events.insert({ calendarId, requestBody: weekly(id) });
      const kept = await instanceAt(id, '2026-03-17T08:00:00Z');
      const dropped = await instanceAt(id, '2026-03-24T08:00:00Z');
      await api.events.patch({ calendarId, eventId: kept, requestBody: { summary: 'kept' } });
      await api.events.patch({
        calendarId,
        eventId: id,
        requestBody: { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=1'] },
      });
      const gone = api.events.patch({ calendarId, eventId: dropped, requestBody: { summary: 'x' } });
      expect(await googleError(gone)).toEqual({ status: 404, reason: 'notFound' });
      await api.events.patch({ calendarId, eventId: kept, requestBody: { summary: 'still' } });
    });
  });
});
