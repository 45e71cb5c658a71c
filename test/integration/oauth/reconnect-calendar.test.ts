import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_NOW_PATH } from '../../../lambdas/oauth/router.ts';
import { json, location, OAuthHarness, REDIRECT_URI, RETURN_TO } from './harness.ts';

/** Reconnects onto a calendar the service can no longer use: it was made by another OAuth client, or deleted. */
describe('reconnect when the dedicated calendar is out of reach', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());
  afterEach(() => h.google.control.clearFaults());

  const calendarsOf = (email: string) =>
    h.google.control.state().calendars.filter((c) => c.owner === email && c.summary === 'My ICS feed');

  async function withRowsAndState(subscriberId: string): Promise<void> {
    await h.services.eventMap.put(subscriberId, [
      { eventKey: 'uid-1', googleId: 'abc123', hash: 'h', updatedAt: 'x' },
    ]);
    await h.services.syncState.put({ subscriberId, eventCount: 1 });
  }

  it('after the OAuth client changed: a new calendar, new salt, fresh map and state, and the old one named', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    const firstClient = h.client;
    try {
      await h.connect(feedToken, { email: 'ida@example.com' });
      const first = await h.services.connections.get(subscriberId);
      await withRowsAndState(subscriberId);

      // The operator moved to another OAuth client: calendar.app.created calendars stay with the client that made them.
      h.useClient(h.google.control.registerClient({ redirectUris: [REDIRECT_URI], requirePkce: true }));
      const again = await h.connect(feedToken, { email: 'ida@example.com' });
      expect(location(again.response)).toBe(`${RETURN_TO}?google=connected`);

      const second = await h.services.connections.get(subscriberId);
      expect(second).toMatchObject({ status: 'connected', scheduled: true });
      expect(second?.calendarId).not.toBe(first?.calendarId);
      expect(second?.eventIdSalt).not.toBe(first?.eventIdSalt);
      expect(second?.abandonedCalendarId).toBe(first?.calendarId);
      expect(await h.services.eventMap.list(subscriberId)).toEqual([]);
      expect(await h.services.syncState.get(subscriberId)).toBeUndefined();
      expect(calendarsOf('ida@example.com')).toHaveLength(2); // the old one is the subscriber's to remove

      const status = json(await h.status(feedToken));
      expect(status).toMatchObject({
        status: 'connected',
        calendarId: second?.calendarId,
        abandonedCalendarId: first?.calendarId,
      });

      // Another reconnect with the same client keeps the new calendar, and still names the old one.
      await h.connect(feedToken, { email: 'ida@example.com' });
      expect(await h.services.connections.get(subscriberId)).toMatchObject({
        calendarId: second?.calendarId,
        eventIdSalt: second?.eventIdSalt,
        abandonedCalendarId: first?.calendarId,
      });
      expect(calendarsOf('ida@example.com')).toHaveLength(2);
    } finally {
      h.useClient(firstClient);
    }
  });

  it('other refusals of the calendar check still end the connect as calendar_unavailable', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'joan@example.com' });
    const first = await h.services.connections.get(subscriberId);
    h.google.control.injectFault({
      method: 'calendars.get',
      status: 403,
      reason: 'rateLimitExceeded',
      count: 10,
    });
    const again = await h.connect(feedToken, { email: 'joan@example.com' });
    expect(location(again.response)).toBe(`${RETURN_TO}?google=error&reason=calendar_unavailable`);
    expect((await h.services.connections.get(subscriberId))?.calendarId).toBe(first?.calendarId);
    expect(calendarsOf('joan@example.com')).toHaveLength(1);
  });

  it('a calendar_missing connection: the status says so, sync now is refused, a reconnect makes a new calendar', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'kay@example.com' });
    const first = await h.services.connections.get(subscriberId);
    if (!first?.refreshTokenCiphertext) throw new Error('not connected');
    await withRowsAndState(subscriberId);
    h.google.control.deleteCalendar({ calendarId: first.calendarId });
    // What the worker does when a sync finds the calendar gone.
    const at = h.clock.date();
    expect(
      await h.services.connections.markCalendarMissing(
        subscriberId,
        first.calendarId,
        first.refreshTokenCiphertext,
        at,
      ),
    ).toBe(true);

    expect(json(await h.status(feedToken))).toMatchObject({
      status: 'calendar_missing',
      connected: false,
      calendarMissingSince: at.toISOString(),
    });
    const refused = await h.invoke({
      method: 'POST',
      path: SYNC_NOW_PATH,
      headers: { Authorization: `Bearer ${feedToken}` },
    });
    expect(refused.statusCode).toBe(409);
    expect(json(refused)).toMatchObject({ error: 'calendar_missing' });

    const again = await h.connect(feedToken, { email: 'kay@example.com' });
    expect(location(again.response)).toBe(`${RETURN_TO}?google=connected`);
    const back = await h.services.connections.get(subscriberId);
    expect(back).toMatchObject({ status: 'connected', scheduled: true });
    expect(back?.calendarId).not.toBe(first.calendarId);
    expect(back?.calendarMissingSince).toBeUndefined();
    expect(back?.abandonedCalendarId).toBeUndefined(); // deleted: nothing left to remove
    expect(await h.services.eventMap.list(subscriberId)).toEqual([]);
    expect(json(await h.status(feedToken))).toMatchObject({ status: 'connected', connected: true });
  });
});
