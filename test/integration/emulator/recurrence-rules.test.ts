import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';

/**
 * The emulator's own recurrence reading (calendar/rule-validation.ts) over HTTP, where it reads RFC 5545
 * rather than the product's expansion module: the series' kind (all-day or timed) reaches the check, and what
 * it takes the emulator's expansion reads.
 */
const berlin = (dateTime: string): calendar_v3.Schema$EventDateTime => ({
  dateTime,
  timeZone: 'Europe/Berlin',
});
const timed = { start: berlin('2026-03-10T09:00:00'), end: berlin('2026-03-10T10:00:00') };
const allDay = { start: { date: '2026-03-10' }, end: { date: '2026-03-11' } };
const invalid = { status: 400, reason: 'invalid' };

describe('Google emulator: recurrence lines read by its own rules', () => {
  let fixture: EmulatorFixture;
  let calendarId: string;
  let next = 0;
  const insert = (body: calendar_v3.Schema$Event) =>
    fixture.api.events.insert({
      calendarId,
      requestBody: { id: `rrules${String(++next).padStart(5, '0')}`, summary: 's', ...body },
    });

  beforeAll(async () => {
    fixture = await startEmulatorWithUser();
    calendarId = await createCalendar(fixture.api);
  });
  afterAll(() => fixture.close());

  it('refuses a DATE without VALUE=DATE (RFC 5545 3.2.20), takes it with the parameter', async () => {
    const series = (exdate: string) => ({ ...allDay, recurrence: ['RRULE:FREQ=DAILY;COUNT=3', exdate] });
    expect(await googleError(insert(series('EXDATE:20260311')))).toEqual(invalid);
    expect(await googleError(insert(series('EXDATE;VALUE=DATE:20260311')))).toBeUndefined();
  });

  it('takes a quoted TZID (RFC 5545 3.1 param-value), and the expansion honours it', async () => {
    const { data } = await insert({
      ...timed,
      recurrence: ['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE;TZID="Europe/Berlin":20260311T090000'],
    });
    const { data: instances } = await fixture.api.events.instances({
      calendarId,
      eventId: data.id as string,
    });
    const starts = (instances.items ?? []).map((item) => Date.parse(item.start?.dateTime as string));
    expect(starts).toEqual([Date.parse('2026-03-10T08:00:00Z'), Date.parse('2026-03-12T08:00:00Z')]);
  });

  it('refuses an impossible UNTIL or EXDATE (30 February, 24:00)', async () => {
    for (const recurrence of [
      ['RRULE:FREQ=DAILY;UNTIL=20260230T080000Z'],
      ['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20260311T240000Z'],
    ]) {
      expect(await googleError(insert({ ...timed, recurrence })), recurrence.join(' ')).toEqual(invalid);
    }
  });
});
