import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../../emulator/google/index.ts';
import { GoogleCalendarGateway } from '../../../lambdas/shared/adapters/google/calendar-gateway.ts';
import { type OwnedFields, withOwnedFields } from '../../../lambdas/shared/domain/reconcile/owned-fields.ts';
import { CalendarApiError, type FetchedEvent } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import { type EmulatorFixture, startEmulatorWithUser } from '../../support/google-emulator.ts';

const timed: OwnedFields = {
  summary: 'Standup',
  description: 'Daily',
  location: 'Room 1',
  start: { dateTime: '2026-03-02T09:00:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-03-02T09:15:00', timeZone: 'Europe/Berlin' },
  recurrence: ['RRULE:FREQ=DAILY;COUNT=5'],
  status: 'confirmed',
  extendedProperties: { private: { icsUid: 'standup@example.com', icsHash: 'h1' } },
};
/** The same event without its recurrence: a single event. */
const { recurrence: _recurrence, ...single } = timed;

async function failure(call: Promise<unknown>): Promise<CalendarApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof CalendarApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('GoogleCalendarGateway against the emulator', () => {
  let fixture: EmulatorFixture;
  let gateway: GoogleCalendarGateway;
  let calendarId: string;
  let token: string;
  const stored = (eventId: string) => {
    const calendar = fixture.google.control.state().calendars.find((c) => c.id === calendarId);
    return calendar?.events.find((e) => e.id === eventId) as Record<string, unknown> | undefined;
  };

  beforeAll(async () => {
    fixture = await startEmulatorWithUser({ scopes: [SCOPES.appCreated] });
    token = fixture.tokens.access_token;
    calendarId = fixture.google.control.seedCalendar({
      user: fixture.user.email,
      summary: 'ICS',
      clientId: fixture.client.clientId,
    }).id;
    gateway = new GoogleCalendarGateway({
      rootUrl: fixture.google.endpoints.calendarRootUrl,
      accessToken: async () => token,
    });
  });
  afterAll(async () => fixture.close());

  it('inserts under the given id, and a second insert answers 409 duplicate', async () => {
    await gateway.insert(calendarId, 'standup0001', timed);
    expect(stored('standup0001')).toMatchObject({ summary: 'Standup', recurrence: timed.recurrence });
    const error = await failure(gateway.insert(calendarId, 'standup0001', timed));
    expect([error.status, error.reason]).toEqual([409, 'duplicate']);
  });

  it('updates only the owned fields over what it read: a user colour and reminders survive, dropped fields are cleared', async () => {
    fixture.google.control.userPatchEvent({
      calendarId,
      eventId: 'standup0001',
      patch: {
        colorId: '5',
        reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 3 }] },
        extendedProperties: { private: { theirs: 'kept' } },
      },
    });
    const { description: _dropped, ...rest } = timed;
    const current = await gateway.get(calendarId, 'standup0001');
    expect(current.etag).toMatch(/^"/);
    const fields = {
      ...rest,
      summary: 'Standup (new room)',
      extendedProperties: { private: { icsUid: 'standup@example.com', icsHash: 'h2' } },
    };
    await gateway.update(calendarId, 'standup0001', withOwnedFields(current.resource, fields), current.etag);
    const event = stored('standup0001');
    expect(event).toMatchObject({
      summary: 'Standup (new room)',
      colorId: '5',
      reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 3 }] },
      extendedProperties: { private: { icsUid: 'standup@example.com', icsHash: 'h2', theirs: 'kept' } },
    });
    expect(event?.description).toBeUndefined();
  });

  it('sends If-Match: an update over a stale read answers 412 and changes nothing', async () => {
    const stale = await gateway.get(calendarId, 'standup0001');
    fixture.google.control.userPatchEvent({ calendarId, eventId: 'standup0001', patch: { colorId: '7' } });
    const error = await failure(
      gateway.update(calendarId, 'standup0001', { ...stale.resource, summary: 'lost' }, stale.etag),
    );
    expect(error.status).toBe(412);
    expect(stored('standup0001')).toMatchObject({ summary: 'Standup (new room)', colorId: '7' });
  });

  it('turns a recurring timed event into a single all-day one', async () => {
    const { recurrence: _r, ...single } = timed;
    const current = await gateway.get(calendarId, 'standup0001');
    const fields = { ...single, start: { date: '2026-03-03' }, end: { date: '2026-03-04' } };
    await gateway.update(calendarId, 'standup0001', withOwnedFields(current.resource, fields), current.etag);
    const event = stored('standup0001');
    expect(event).toMatchObject({ start: { date: '2026-03-03' }, end: { date: '2026-03-04' } });
    expect(event?.start).not.toHaveProperty('dateTime');
    expect(event?.recurrence).toBeUndefined();
  });

  it('finds an instance through events.instances (by original start, or by window) and updates it', async () => {
    await gateway.insert(calendarId, 'recur00001', timed);
    const byStart = await gateway.instances(calendarId, 'recur00001', {
      originalStart: '2026-03-03T08:00:00.000Z',
    });
    expect(byStart.items).toHaveLength(1);
    const [instance] = byStart.items as [FetchedEvent];
    expect(instance.resource).toMatchObject({ recurringEventId: 'recur00001' });
    const byWindow = await gateway.instances(calendarId, 'recur00001', {
      timeMin: '2026-03-01T00:00:00Z',
      timeMax: '2026-03-10T00:00:00Z',
    });
    expect(byWindow.items.map((item) => item.id)).toContain(instance.id);
    expect(byWindow.items).toHaveLength(5);
    const fields = {
      ...timed,
      summary: 'Cancelled standup',
      status: 'cancelled' as const,
      start: { dateTime: '2026-03-03T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-03-03T09:15:00', timeZone: 'Europe/Berlin' },
    };
    await gateway.update(calendarId, instance.id, withOwnedFields(instance.resource, fields), instance.etag);
    expect(stored(instance.id)).toMatchObject({ status: 'cancelled', recurringEventId: 'recur00001' });
    expect(stored(instance.id)?.recurrence).toBeUndefined();
    // Cancelled instances are still found, so a later sync can restore them.
    const again = await gateway.instances(calendarId, 'recur00001', {
      originalStart: '2026-03-03T09:00:00+01:00',
    });
    expect(again.items.map((item) => [item.id, item.resource.status])).toEqual([[instance.id, 'cancelled']]);
  });

  it('deletes, then answers 410 for the deleted event and 404 for an unknown one', async () => {
    await gateway.insert(calendarId, 'gone000001', single);
    await gateway.delete(calendarId, 'gone000001');
    expect(stored('gone000001')?.status).toBe('cancelled');
    expect((await failure(gateway.delete(calendarId, 'gone000001'))).status).toBe(410);
    expect((await failure(gateway.delete(calendarId, 'never00001'))).status).toBe(404);
  });

  it('maps injected failures to typed errors with the reason and Retry-After, never the token', async () => {
    const { control } = fixture.google;
    control.injectFault({ method: 'events.get', status: 429, retryAfterSeconds: 7 });
    const limited = await failure(gateway.get(calendarId, 'standup0001'));
    expect([limited.status, limited.isRateLimit, limited.isTransient, limited.retryAfterMs]).toEqual([
      429,
      true,
      true,
      7000,
    ]);

    control.injectFault({ method: 'events.insert', status: 403, reason: 'userRateLimitExceeded' });
    const userLimited = await failure(gateway.insert(calendarId, 'other00001', timed));
    expect([userLimited.status, userLimited.reason, userLimited.isRateLimit]).toEqual([
      403,
      'userRateLimitExceeded',
      true,
    ]);

    control.injectFault({ method: 'events.insert', status: 403, reason: 'quotaExceeded' });
    const usage = await failure(gateway.insert(calendarId, 'other00001', timed));
    expect([usage.isUsageLimit, usage.isRateLimit, usage.isTransient]).toEqual([true, false, false]);

    control.injectFault({ method: 'events.delete', status: 503 });
    const unavailable = await failure(gateway.delete(calendarId, 'standup0001'));
    expect([unavailable.status, unavailable.isTransient]).toEqual([503, true]);

    for (const error of [limited, userLimited, usage, unavailable]) {
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(token);
    }
  });

  it('makes exactly one request per call: the client library retries nothing', async () => {
    fixture.google.control.resetCounters();
    fixture.google.control.injectFault({ method: 'events.delete', status: 503, count: 3 });
    await failure(gateway.delete(calendarId, 'standup0001'));
    expect(fixture.google.control.counters().byMethod['events.delete']).toBe(1);
    fixture.google.control.clearFaults();
  });

  it('tells a missing calendar from an existing one', async () => {
    expect(await gateway.calendarExists(calendarId)).toBe(true);
    const doomed = fixture.google.control.seedCalendar({
      user: fixture.user.email,
      summary: 'doomed',
      clientId: fixture.client.clientId,
    }).id;
    fixture.google.control.deleteCalendar({ calendarId: doomed });
    expect(await gateway.calendarExists(doomed)).toBe(false);
    const insert = await failure(gateway.insert(doomed, 'orphan0001', timed));
    expect(insert.status).toBe(404);
  });

  it('lists the calendar in full, then only what changed since the sync token, cancelled events included', async () => {
    const listed = fixture.google.control.seedCalendar({
      user: fixture.user.email,
      summary: 'listed',
      clientId: fixture.client.clientId,
    }).id;
    await gateway.insert(listed, 'kept000001', single);
    await gateway.insert(listed, 'series0001', timed);
    await gateway.insert(listed, 'doomed0001', single);
    fixture.google.control.resetCounters();
    const full = await gateway.listEvents(listed, {});
    if (full.kind !== 'page') throw new Error('expected a page');
    // Series come as stored, not expanded into instances.
    expect(full.items.map((item) => item.id).sort()).toEqual(['doomed0001', 'kept000001', 'series0001']);
    expect(full.items.find((item) => item.id === 'series0001')?.resource.recurrence).toEqual(
      timed.recurrence,
    );
    expect(full.nextPageToken).toBeUndefined();
    expect(full.nextSyncToken).toEqual(expect.any(String));
    expect(fixture.google.control.counters().byMethod['events.list']).toBe(1);

    const syncToken = full.nextSyncToken as string;
    const quiet = await gateway.listEvents(listed, { syncToken });
    expect(quiet).toMatchObject({ kind: 'page', items: [] });

    await gateway.delete(listed, 'doomed0001');
    fixture.google.control.userPatchEvent({
      calendarId: listed,
      eventId: 'kept000001',
      patch: { summary: 'Renamed' },
    });
    const changes = await gateway.listEvents(listed, { syncToken });
    if (changes.kind !== 'page') throw new Error('expected a page');
    expect(
      changes.items.map((item) => [item.id, item.resource.status, item.resource.summary]).sort(),
    ).toEqual([
      ['doomed0001', 'cancelled', undefined],
      ['kept000001', 'confirmed', 'Renamed'],
    ]);
    expect(changes.nextSyncToken).toEqual(expect.any(String));
  });

  it('answers a sync token Google no longer takes (410 fullSyncRequired) as a typed answer', async () => {
    const first = await gateway.listEvents(calendarId, {});
    if (first.kind !== 'page') throw new Error('expected a page');
    fixture.google.control.invalidateSyncTokens({ calendarId });
    expect(await gateway.listEvents(calendarId, { syncToken: first.nextSyncToken as string })).toEqual({
      kind: 'full_sync_required',
    });
    // Without a sync token a 410 is an error like any other.
    fixture.google.control.injectFault({ method: 'events.list', status: 410, reason: 'deleted' });
    expect((await failure(gateway.listEvents(calendarId, {}))).status).toBe(410);
  });

  it('reports a server that does not answer as a transient error without a status', async () => {
    const offline = new GoogleCalendarGateway({
      rootUrl: 'http://127.0.0.1:9/',
      accessToken: async () => token,
      timeoutMs: 2000,
    });
    const error = await failure(offline.delete(calendarId, 'standup0001'));
    expect([error.status, error.isTransient]).toEqual([undefined, true]);
    expect(error.message).not.toContain('127.0.0.1');
  });
});

/**
 * Google's error bodies in the forms the emulator does not produce: the adapter must read every way Google says
 * "over quota". A loopback server answers each request with the next canned body.
 */
describe('GoogleCalendarGateway reading the forms of Google quota errors', () => {
  let server: Server;
  let gateway: GoogleCalendarGateway;
  let answer: { status: number; body: unknown } = { status: 500, body: {} };
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    gateway = new GoogleCalendarGateway({
      rootUrl: `http://127.0.0.1:${port}/`,
      accessToken: async () => 't',
    });
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const answered = async (status: number, error: Record<string, unknown>) => {
    answer = { status, body: { error: { code: status, message: 'quota', ...error } } };
    return failure(gateway.insert('cal', 'event00001', timed));
  };
  const errorInfo = (reason: string) => ({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
  });

  it('takes rate-limit reasons, RESOURCE_EXHAUSTED and ErrorInfo RATE_LIMIT_EXCEEDED as rate limits', async () => {
    const limited = [
      await answered(403, { errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded' }] }),
      await answered(403, { errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded' }] }),
      await answered(403, { status: 'RESOURCE_EXHAUSTED' }),
      await answered(403, { status: 'PERMISSION_DENIED', details: [errorInfo('RATE_LIMIT_EXCEEDED')] }),
      await answered(403, { errors: [{ reason: 'other' }, { reason: 'rateLimitExceeded' }] }),
      await answered(429, { status: 'RESOURCE_EXHAUSTED' }),
    ];
    expect(limited.map((e) => [e.status, e.isRateLimit, e.isTransient])).toEqual(
      limited.map((e) => [e.status, true, true]),
    );
  });

  it('does not take other 403s for rate limits: usageLimits is a domain, quotaExceeded a usage limit', async () => {
    const permissions = await answered(403, {
      status: 'PERMISSION_DENIED',
      errors: [{ domain: 'global', reason: 'insufficientPermissions' }],
    });
    const domainOnly = await answered(403, { errors: [{ reason: 'usageLimits' }] });
    const usage = await answered(403, {
      status: 'RESOURCE_EXHAUSTED',
      errors: [{ domain: 'usageLimits', reason: 'quotaExceeded' }],
    });
    expect([permissions.isRateLimit, domainOnly.isRateLimit, usage.isRateLimit]).toEqual([
      false,
      false,
      false,
    ]);
    expect([permissions.isTransient, usage.isUsageLimit]).toEqual([false, true]);
  });
});
