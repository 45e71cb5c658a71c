import { describe, expect, it } from 'vitest';
import { overviewPage } from '../../../emulator/google/overview-page.ts';
import type { EmulatorState } from '../../../emulator/google/types.ts';

const counters = { total: 3, units: 2, byMethod: {}, unitsByMethod: {}, byUser: {} };

const state: EmulatorState = {
  now: '2026-03-04T10:00:00.000Z',
  users: [{ id: '100000000000000000042', email: 'ada@example.com', name: 'Ada <Lovelace>', timeZone: 'UTC' }],
  clients: [
    { clientId: 'local.apps', redirectUris: ['http://127.0.0.1:8787/cb'], requirePkce: true, projectId: 'p' },
  ],
  calendars: [
    {
      id: 'cal-1',
      summary: 'ICS subscription',
      timeZone: 'UTC',
      owner: 'ada@example.com',
      primary: false,
      createdByClientId: 'local.apps',
      events: [
        {
          id: 'b',
          status: 'confirmed',
          summary: '<script>alert(1)</script>',
          start: { dateTime: '2026-03-05T08:30:00Z', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-03-05T08:45:00Z', timeZone: 'Europe/Berlin' },
          recurrence: ['RRULE:FREQ=WEEKLY'],
        },
        {
          id: 'a',
          status: 'confirmed',
          summary: 'Offsite',
          start: { date: '2026-03-02' },
          end: { date: '2026-03-05' },
        },
        {
          id: 'b_1',
          status: 'cancelled',
          summary: 'Stand-up',
          recurringEventId: 'b',
          originalStartTime: { dateTime: '2026-03-12T08:30:00Z', timeZone: 'Europe/Berlin' },
          start: { dateTime: '2026-03-12T08:30:00Z', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-03-12T08:45:00Z', timeZone: 'Europe/Berlin' },
        },
      ],
    },
  ],
  counters,
  pendingFaults: [],
};

describe("the emulator's own page", () => {
  const html = overviewPage(state, undefined);

  it('lists users, clients, calendars and events, escaped', () => {
    expect(html).toContain('ada@example.com');
    expect(html).toContain('Ada &#60;Lovelace&#62;');
    expect(html).toContain('http://127.0.0.1:8787/cb');
    expect(html).toContain('ICS subscription');
    expect(html).not.toContain('<script>');
    expect(html).toContain('3 calls received, 2 quota units charged');
  });

  it("shows events in their start order, timed ones in the event's own zone, all-day ones by their days", () => {
    expect(html.indexOf('Offsite')).toBeLessThan(html.indexOf('alert(1)'));
    expect(html).toContain('2026-03-05 09:30-09:45 Europe/Berlin');
    expect(html).toContain('2026-03-02 to 2026-03-04 (all day)');
    expect(html).toContain('<code>RRULE:FREQ=WEEKLY</code>');
    expect(html).toMatch(/class="cancelled".*\(cancelled\).*changed occurrence \(was 2026-03-12 09:30\)/s);
  });

  it('reloads itself only when asked', () => {
    expect(html).not.toContain('http-equiv="refresh"');
    expect(overviewPage(state, 5)).toContain('<meta http-equiv="refresh" content="5">');
  });
});
