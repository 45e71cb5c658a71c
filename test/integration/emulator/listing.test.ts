import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';

const event = (n: number, extra: Partial<calendar_v3.Schema$Event> = {}): calendar_v3.Schema$Event => ({
  id: `ev${String(n).padStart(5, '0')}`,
  summary: `Event ${n}`,
  start: { dateTime: `2026-04-${String((n % 28) + 1).padStart(2, '0')}T10:00:00Z` },
  end: { dateTime: `2026-04-${String((n % 28) + 1).padStart(2, '0')}T11:00:00Z` },
  extendedProperties: { private: { icsUid: `uid-${n}`, owner: n % 2 === 0 ? 'sync' : 'user' } },
  ...extra,
});

describe('Google emulator: events.list', () => {
  let fixture: EmulatorFixture;
  let api: calendar_v3.Calendar;
  let calendarId: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse('2026-04-01T00:00:00Z');
    fixture = await startEmulatorWithUser({
      // The clock stands still here, so the per-user quota window never empties: give it room. Full pages: these
      // tests pin the page size (short and empty pages: google-answers.test.ts).
      overrides: {
        now: () => clock,
        quotas: { perUserPerWindow: 10_000 },
        syncTokenLifetimeMs: 30 * 60_000,
        paging: { shortPages: false },
      },
    });
    api = fixture.api;
    calendarId = await createCalendar(api);
  });
  afterEach(() => fixture.close());

  const insertMany = async (count: number, from = 0) => {
    for (let n = from; n < from + count; n++) await api.events.insert({ calendarId, requestBody: event(n) });
  };
  const ids = (items: calendar_v3.Schema$Event[] | undefined) => (items ?? []).map((item) => item.id);

  it('filters by time window (overlap), hides cancelled events unless showDeleted', async () => {
    await insertMany(6);
    await api.events.delete({ calendarId, eventId: 'ev00002' });
    const { data } = await api.events.list({
      calendarId,
      timeMin: '2026-04-02T10:30:00Z',
      timeMax: '2026-04-05T10:00:00Z',
    });
    expect(ids(data.items)).toEqual(['ev00001', 'ev00003']);
    const withDeleted = await api.events.list({ calendarId, showDeleted: true });
    const cancelled = withDeleted.data.items?.find((item) => item.id === 'ev00002');
    // Google only guarantees the id of a deleted event in a list.
    expect(cancelled).toEqual({
      kind: 'calendar#event',
      etag: expect.any(String),
      id: 'ev00002',
      status: 'cancelled',
    });
    expect(await googleError(api.events.list({ calendarId, timeMin: '2026-04-02T10:30:00' }))).toMatchObject({
      status: 400,
    });
  });

  it('filters by privateExtendedProperty, all given filters matching', async () => {
    await insertMany(6);
    const sync = await api.events.list({ calendarId, privateExtendedProperty: ['owner=sync'] });
    expect(ids(sync.data.items)).toEqual(['ev00000', 'ev00002', 'ev00004']);
    const both = await api.events.list({
      calendarId,
      privateExtendedProperty: ['owner=sync', 'icsUid=uid-2'],
    });
    expect(ids(both.data.items)).toEqual(['ev00002']);
  });

  it('pages with maxResults (default 250, at most 2500) and pageToken, stable under concurrent inserts', async () => {
    await insertMany(260);
    const first = await api.events.list({ calendarId });
    expect(first.data.items).toHaveLength(250);
    expect(first.data.nextSyncToken).toBeUndefined();
    await api.events.insert({ calendarId, requestBody: event(999) });
    const second = await api.events.list({ calendarId, pageToken: first.data.nextPageToken as string });
    expect(ids(second.data.items)).toEqual([
      ...ids([]),
      ...Array.from({ length: 10 }, (_, i) => `ev${String(250 + i).padStart(5, '0')}`),
      'ev00999',
    ]);
    expect(second.data.nextPageToken).toBeUndefined();
    expect(second.data.nextSyncToken).toBeTruthy();
    const big = await api.events.list({ calendarId, maxResults: 5000 });
    expect(big.data.items).toHaveLength(261);
    expect(await googleError(api.events.list({ calendarId, pageToken: 'garbage' }))).toEqual({
      status: 400,
      reason: 'invalid',
    });
    expect(
      await googleError(
        api.events.list({ calendarId, showDeleted: true, pageToken: first.data.nextPageToken as string }),
      ),
    ).toEqual({ status: 400, reason: 'invalid' });
  });

  it('caps a page at 2500 events', async () => {
    // Plain HTTP for the 2,501 inserts: the official client's per-call overhead would dominate the test's time.
    const url = `${fixture.google.baseUrl}calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;
    const headers = {
      authorization: `Bearer ${fixture.tokens.access_token}`,
      'content-type': 'application/json',
    };
    await Promise.all(
      Array.from({ length: 41 }, async (_, batch) => {
        for (let n = batch * 61; n < Math.min(batch * 61 + 61, 2501); n++) {
          const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(event(n)) });
          expect(response.status).toBe(200);
        }
      }),
    );
    const { data } = await api.events.list({ calendarId, maxResults: 3000 });
    expect(data.items).toHaveLength(2500);
    const rest = await api.events.list({
      calendarId,
      maxResults: 3000,
      pageToken: data.nextPageToken as string,
    });
    expect(rest.data.items).toHaveLength(1);
  });

  it('returns changes since a sync token, deletions included, and refuses it with other filters', async () => {
    await insertMany(3);
    const full = await api.events.list({ calendarId });
    const syncToken = full.data.nextSyncToken as string;
    await api.events.patch({ calendarId, eventId: 'ev00000', requestBody: { summary: 'changed' } });
    await api.events.delete({ calendarId, eventId: 'ev00001' });
    await api.events.insert({ calendarId, requestBody: event(7) });
    const changes = await api.events.list({ calendarId, syncToken });
    expect(ids(changes.data.items)).toEqual(['ev00000', 'ev00001', 'ev00007']);
    expect(changes.data.items?.[1]?.status).toBe('cancelled');
    const next = await api.events.list({ calendarId, syncToken: changes.data.nextSyncToken as string });
    expect(next.data.items).toEqual([]);

    for (const extra of [
      { timeMin: '2026-04-01T00:00:00Z' },
      { timeMax: '2026-05-01T00:00:00Z' },
      { privateExtendedProperty: ['owner=sync'] },
      { updatedMin: '2026-04-01T00:00:00Z' },
      { orderBy: 'updated' },
    ]) {
      expect(await googleError(api.events.list({ calendarId, syncToken, ...extra }))).toEqual({
        status: 400,
        reason: 'invalid',
      });
    }
  });

  it('answers 410 fullSyncRequired for an invalid, invalidated or too old sync token', async () => {
    await insertMany(1);
    const token = (await api.events.list({ calendarId })).data.nextSyncToken as string;
    expect(await googleError(api.events.list({ calendarId, syncToken: 'not-a-token' }))).toEqual({
      status: 410,
      reason: 'fullSyncRequired',
    });
    const otherCalendar = await createCalendar(api);
    expect(await googleError(api.events.list({ calendarId: otherCalendar, syncToken: token }))).toEqual({
      status: 410,
      reason: 'fullSyncRequired',
    });
    clock += 31 * 60_000;
    expect(await googleError(api.events.list({ calendarId, syncToken: token }))).toEqual({
      status: 410,
      reason: 'fullSyncRequired',
    });
    const fresh = (await api.events.list({ calendarId })).data.nextSyncToken as string;
    fixture.google.control.invalidateSyncTokens({ calendarId });
    expect(await googleError(api.events.list({ calendarId, syncToken: fresh }))).toEqual({
      status: 410,
      reason: 'fullSyncRequired',
    });
  });

  it('lists events updated since updatedMin, deleted ones included', async () => {
    await insertMany(2);
    clock += 60_000;
    const since = new Date(clock).toISOString();
    await api.events.delete({ calendarId, eventId: 'ev00000' });
    const { data } = await api.events.list({ calendarId, updatedMin: since });
    expect(data.items).toEqual([expect.objectContaining({ id: 'ev00000', status: 'cancelled' })]);
  });

  it('orders by updated, and refuses orderBy=startTime without singleEvents', async () => {
    await insertMany(3);
    clock += 1000;
    await api.events.patch({ calendarId, eventId: 'ev00000', requestBody: { summary: 'latest' } });
    expect(ids((await api.events.list({ calendarId, orderBy: 'updated' })).data.items)).toEqual([
      'ev00001',
      'ev00002',
      'ev00000',
    ]);
    expect(await googleError(api.events.list({ calendarId, orderBy: 'startTime' }))).toEqual({
      status: 400,
      reason: 'badRequest',
    });
  });

  it('finds events by iCalUID and by text (q)', async () => {
    await insertMany(3);
    expect(ids((await api.events.list({ calendarId, iCalUID: 'ev00001@google.com' })).data.items)).toEqual([
      'ev00001',
    ]);
    expect(ids((await api.events.list({ calendarId, q: 'event 2' })).data.items)).toEqual(['ev00002']);
  });
});
