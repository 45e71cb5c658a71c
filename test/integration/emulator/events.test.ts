import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';
import { without } from '../../support/without.ts';

type Event = calendar_v3.Schema$Event;

const timed = (id: string, extra: Partial<Event> = {}): Event => ({
  id,
  summary: `Event ${id}`,
  start: { dateTime: '2026-02-02T09:00:00+01:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-02-02T10:00:00+01:00', timeZone: 'Europe/Berlin' },
  extendedProperties: { private: { icsUid: `${id}@feed`, icsHash: 'h1' } },
  ...extra,
});

describe('Google emulator: events', () => {
  let fixture: EmulatorFixture;
  let api: calendar_v3.Calendar;
  let calendarId: string;
  let counter = 0;
  const nextId = () => `evt${(counter++).toString().padStart(4, '0')}`;

  beforeAll(async () => {
    fixture = await startEmulatorWithUser();
    api = fixture.api;
  });
  beforeEach(async () => {
    calendarId = await createCalendar(api);
  });
  afterAll(() => fixture.close());

  const insert = (event: Event) => api.events.insert({ calendarId, requestBody: event });

  it('inserts with a client id and answers the resource as Google does', async () => {
    const id = nextId();
    const { data } = await insert(timed(id));
    expect(data).toMatchObject({
      kind: 'calendar#event',
      id,
      status: 'confirmed',
      iCalUID: `${id}@google.com`,
      sequence: 0,
      reminders: { useDefault: true },
      organizer: { email: calendarId, self: true },
      creator: { email: 'subscriber@example.com' },
      extendedProperties: { private: { icsUid: `${id}@feed`, icsHash: 'h1' } },
    });
    expect(data.etag).toMatch(/^"\d+"$/);
    expect(data.htmlLink).toContain('eid=');
    expect(data.created).toBe(data.updated);
    expect((await api.events.get({ calendarId, eventId: id })).data).toEqual(data);
  });

  it('renders dateTimes in the calendar zone, or the zone the request asks for', async () => {
    const id = nextId();
    await insert(
      timed(id, { start: { dateTime: '2026-07-01T08:00:00Z' }, end: { dateTime: '2026-07-01T09:00:00Z' } }),
    );
    const { data } = await api.events.get({ calendarId, eventId: id });
    expect(data.start).toEqual({ dateTime: '2026-07-01T10:00:00+02:00' });
    const inTokyo = await api.events.get({ calendarId, eventId: id, timeZone: 'Asia/Tokyo' });
    expect(inTokyo.data.start).toEqual({ dateTime: '2026-07-01T17:00:00+09:00' });
  });

  it('generates a base32hex id when none is given, and keeps a client iCalUID', async () => {
    const { data } = await insert({ ...without(timed(nextId()), 'id'), iCalUID: 'uid-1@feed' });
    expect(data.id).toMatch(/^[a-v0-9]{26}$/);
    expect(data.iCalUID).toBe('uid-1@feed');
    expect(await googleError(insert({ ...without(timed(nextId()), 'id'), iCalUID: 'uid-1@feed' }))).toEqual({
      status: 409,
      reason: 'duplicate',
    });
  });

  it('answers 409 duplicate for an existing id, also once the event is cancelled', async () => {
    const id = nextId();
    await insert(timed(id));
    expect(await googleError(insert(timed(id)))).toEqual({ status: 409, reason: 'duplicate' });
    await api.events.delete({ calendarId, eventId: id });
    expect(await googleError(insert(timed(id)))).toEqual({ status: 409, reason: 'duplicate' });
  });

  it('leaves a deleted event cancelled: get returns it, a second delete answers 410, update restores it', async () => {
    const id = nextId();
    await insert(timed(id));
    await api.events.delete({ calendarId, eventId: id });
    const { data: cancelled } = await api.events.get({ calendarId, eventId: id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.summary).toBe(`Event ${id}`);
    expect(await googleError(api.events.delete({ calendarId, eventId: id }))).toEqual({
      status: 410,
      reason: 'deleted',
    });

    const { data: restored } = await api.events.update({
      calendarId,
      eventId: id,
      requestBody: timed(id, { summary: 'Back' }),
    });
    expect(restored.status).toBe('confirmed');
    expect(restored.summary).toBe('Back');
    await api.events.delete({ calendarId, eventId: id });
    const { data: patchedBack } = await api.events.patch({
      calendarId,
      eventId: id,
      requestBody: { status: 'confirmed' },
    });
    expect(patchedBack.status).toBe('confirmed');
  });

  it('answers 404 notFound for an unknown event and an unknown calendar', async () => {
    expect(await googleError(api.events.get({ calendarId, eventId: 'unknown00' }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
    expect(await googleError(api.events.delete({ calendarId, eventId: 'unknown00' }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
    expect(
      await googleError(
        api.events.insert({ calendarId: 'nope@group.calendar.google.com', requestBody: timed(nextId()) }),
      ),
    ).toEqual({
      status: 404,
      reason: 'notFound',
    });
  });

  it('patch merges nested objects, replaces arrays and keeps what the user set; update replaces', async () => {
    const id = nextId();
    await insert(timed(id, { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=5'] }));
    fixture.google.control.userPatchEvent({
      calendarId,
      eventId: id,
      patch: { colorId: '5', reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 5 }] } },
    });
    const { data: patched } = await api.events.patch({
      calendarId,
      eventId: id,
      requestBody: {
        summary: 'New title',
        start: { dateTime: '2026-02-02T11:00:00+01:00' },
        end: { dateTime: '2026-02-02T12:00:00+01:00' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
        extendedProperties: { private: { icsHash: 'h2' } },
      },
    });
    expect(patched.colorId).toBe('5');
    expect(patched.reminders).toEqual({ useDefault: false, overrides: [{ method: 'popup', minutes: 5 }] });
    expect(patched.start).toEqual({ dateTime: '2026-02-02T11:00:00+01:00', timeZone: 'Europe/Berlin' });
    expect(patched.recurrence).toEqual(['RRULE:FREQ=DAILY;COUNT=2']);
    expect(patched.extendedProperties?.private).toEqual({ icsUid: `${id}@feed`, icsHash: 'h2' });

    const { data: replaced } = await api.events.update({ calendarId, eventId: id, requestBody: timed(id) });
    expect(replaced.colorId).toBeUndefined();
    expect(replaced.reminders).toEqual({ useDefault: true });
    expect(replaced.recurrence).toBeUndefined();
  });

  it('needs null to switch a timed event to all-day by patch (merge semantics)', async () => {
    const id = nextId();
    await insert(timed(id));
    expect(
      await googleError(
        api.events.patch({
          calendarId,
          eventId: id,
          requestBody: { start: { date: '2026-02-02' }, end: { date: '2026-02-03' } },
        }),
      ),
    ).toEqual({ status: 400, reason: 'invalid' });
    const allDay = {
      start: { date: '2026-02-02', dateTime: null, timeZone: null },
      end: { date: '2026-02-03', dateTime: null, timeZone: null },
    };
    const { data } = await api.events.patch({ calendarId, eventId: id, requestBody: allDay });
    expect(data.start).toEqual({ date: '2026-02-02' });
  });

  it('refuses a sequence lower than the stored one and accepts equal or higher', async () => {
    const id = nextId();
    await insert(timed(id, { sequence: 3 }));
    expect(
      await googleError(api.events.patch({ calendarId, eventId: id, requestBody: { sequence: 2 } })),
    ).toEqual({
      status: 400,
      reason: 'invalid',
    });
    expect(
      await googleError(
        api.events.update({ calendarId, eventId: id, requestBody: timed(id, { sequence: 1 }) }),
      ),
    ).toEqual({
      status: 400,
      reason: 'invalid',
    });
    expect(
      (await api.events.patch({ calendarId, eventId: id, requestBody: { sequence: 4 } })).data.sequence,
    ).toBe(4);
    expect((await api.events.update({ calendarId, eventId: id, requestBody: timed(id) })).data.sequence).toBe(
      4,
    );
  });

  it('honours If-Match: a stale etag answers 412', async () => {
    const id = nextId();
    const { data } = await insert(timed(id));
    await api.events.patch({ calendarId, eventId: id, requestBody: { summary: 'changed' } });
    const stale = await googleError(
      api.events.patch(
        { calendarId, eventId: id, requestBody: { summary: 'x' } },
        { headers: { 'If-Match': data.etag as string } },
      ),
    );
    expect(stale).toEqual({ status: 412, reason: 'conditionNotMet' });
  });

  it('keeps extended property keys up to 44 characters and cuts values at 1024', async () => {
    const id = nextId();
    const { data } = await insert(
      timed(id, {
        extendedProperties: {
          private: { ['k'.repeat(44)]: 'kept', ['k'.repeat(45)]: 'dropped', long: 'v'.repeat(1100) },
        },
      }),
    );
    expect(Object.keys(data.extendedProperties?.private ?? {}).sort()).toEqual(['k'.repeat(44), 'long']);
    expect(data.extendedProperties?.private?.long).toHaveLength(1024);
  });

  it('imports by iCalUID: creates once, then replaces the same event', async () => {
    const body = { ...without(timed(nextId()), 'id'), iCalUID: 'imported@feed' };
    const { data: first } = await api.events.import({ calendarId, requestBody: body });
    expect(first.id).toMatch(/^[a-v0-9]{26}$/);
    const { data: second } = await api.events.import({
      calendarId,
      requestBody: { ...body, summary: 'again' },
    });
    expect(second.id).toBe(first.id);
    expect(second.summary).toBe('again');
    expect(
      await googleError(api.events.import({ calendarId, requestBody: without(body, 'iCalUID') })),
    ).toEqual({
      status: 400,
      reason: 'required',
    });
  });

  describe('validation (400, Google reasons)', () => {
    const cases: [string, () => Event, string][] = [
      ['id with letters past v', () => timed('abcdw1234'), 'invalid'],
      ['id shorter than 5', () => timed('abcd'), 'invalid'],
      ['id longer than 1024', () => timed('a'.repeat(1025)), 'invalid'],
      ['id and iCalUID together', () => ({ ...timed(nextId()), iCalUID: 'x@y' }), 'invalid'],
      ['missing end', () => without(timed(nextId()), 'end'), 'required'],
      [
        'end before start',
        () => timed(nextId(), { end: { dateTime: '2026-02-02T08:00:00+01:00' } }),
        'timeRangeEmpty',
      ],
      [
        // Google: 400 timeRangeEmpty "The specified time range is empty." (keeper.sh issue 614, PR 616).
        'zero-length timed event (end equal to start)',
        () => timed(nextId(), { end: { dateTime: '2026-02-02T09:00:00+01:00', timeZone: 'Europe/Berlin' } }),
        'timeRangeEmpty',
      ],
      [
        'zero-length timed event written in another offset (same instant)',
        () => timed(nextId(), { end: { dateTime: '2026-02-02T08:00:00Z' } }),
        'timeRangeEmpty',
      ],
      [
        'all-day end equal to start',
        () => timed(nextId(), { start: { date: '2026-02-02' }, end: { date: '2026-02-02' } }),
        'timeRangeEmpty',
      ],
      ['date start with dateTime end', () => timed(nextId(), { start: { date: '2026-02-02' } }), 'invalid'],
      [
        'dateTime without offset or zone',
        () => timed(nextId(), { start: { dateTime: '2026-02-02T09:00:00' } }),
        'required',
      ],
      [
        'unknown time zone',
        () => timed(nextId(), { start: { dateTime: '2026-02-02T09:00:00Z', timeZone: 'Nowhere/City' } }),
        'invalid',
      ],
      [
        'recurring without timeZone',
        () =>
          timed(nextId(), {
            start: { dateTime: '2026-02-02T09:00:00+01:00' },
            end: { dateTime: '2026-02-02T10:00:00+01:00' },
            recurrence: ['RRULE:FREQ=DAILY'],
          }),
        'required',
      ],
      [
        'DTSTART in recurrence',
        () => timed(nextId(), { recurrence: ['DTSTART:20260202T090000Z', 'RRULE:FREQ=DAILY'] }),
        'invalid',
      ],
      ['RRULE without FREQ', () => timed(nextId(), { recurrence: ['RRULE:COUNT=3'] }), 'invalid'],
      [
        'RRULE with COUNT and UNTIL',
        () => timed(nextId(), { recurrence: ['RRULE:FREQ=DAILY;COUNT=3;UNTIL=20260301T000000Z'] }),
        'invalid',
      ],
      [
        'RRULE the expansion cannot read',
        () => timed(nextId(), { recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=XX'] }),
        'invalid',
      ],
      [
        'unknown recurrence line',
        () => timed(nextId(), { recurrence: ['RRULE:FREQ=DAILY', 'X-FOO:bar'] }),
        'invalid',
      ],
      [
        'default reminders with overrides',
        () =>
          timed(nextId(), { reminders: { useDefault: true, overrides: [{ method: 'popup', minutes: 1 }] } }),
        'cannotUseDefaultRemindersAndSpecifyOverride',
      ],
    ];
    it.each(cases)('refuses %s', async (_name, build, reason) => {
      expect(await googleError(insert(build()))).toEqual({ status: 400, reason });
    });

    it('refuses a patch or update that leaves a timed event zero seconds long, keeping the event', async () => {
      const id = nextId();
      await insert(timed(id));
      const zero = { end: { dateTime: '2026-02-02T09:00:00+01:00', timeZone: 'Europe/Berlin' } };
      expect(await googleError(api.events.patch({ calendarId, eventId: id, requestBody: zero }))).toEqual({
        status: 400,
        reason: 'timeRangeEmpty',
      });
      expect(
        await googleError(api.events.update({ calendarId, eventId: id, requestBody: timed(id, zero) })),
      ).toEqual({ status: 400, reason: 'timeRangeEmpty' });
      const { data } = await api.events.get({ calendarId, eventId: id });
      expect(Date.parse(data.end?.dateTime as string)).toBe(Date.parse('2026-02-02T10:00:00+01:00'));
    });

    it('accepts what Google accepts: a one-minute timed event, RDATE/EXDATE lines, all-day series', async () => {
      await insert(
        timed(nextId(), { end: { dateTime: '2026-02-02T09:01:00+01:00', timeZone: 'Europe/Berlin' } }),
      );
      await insert(
        timed(nextId(), {
          recurrence: [
            'RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260401T000000Z',
            'EXDATE;TZID=Europe/Berlin:20260204T090000',
            'RDATE;VALUE=DATE-TIME:20260207T090000Z',
          ],
        }),
      );
      await insert(
        timed(nextId(), {
          start: { date: '2026-02-02' },
          end: { date: '2026-02-03' },
          recurrence: ['RRULE:FREQ=YEARLY'],
        }),
      );
    });

    it('answers a body that is not JSON with 400 parseError', async () => {
      const response = await fetch(
        `${fixture.google.baseUrl}calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${fixture.tokens.access_token}`,
            'content-type': 'application/json',
          },
          body: '{not json',
        },
      );
      expect(response.status).toBe(400);
      expect(
        ((await response.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason,
      ).toBe('parseError');
    });
  });
});
