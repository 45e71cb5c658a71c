import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorOverrides } from '../../../emulator/google/index.ts';
import {
  authorisedApi,
  calendarApiFor,
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';
import { without } from '../../support/without.ts';

const allDay = (id: string): calendar_v3.Schema$Event => ({
  id,
  start: { date: '2026-05-01' },
  end: { date: '2026-05-02' },
});

describe('Google emulator: quotas, usage limits, faults, latency, counters', () => {
  let fixture: EmulatorFixture;
  let clock = Date.parse('2026-05-01T00:00:00Z');

  const start = async (overrides: EmulatorOverrides = {}) => {
    clock = Date.parse('2026-05-01T00:00:00Z');
    fixture = await startEmulatorWithUser({ overrides: { now: () => clock, ...overrides } });
    return fixture;
  };
  afterEach(() => fixture.close());

  it('enforces the per-user quota over a sliding window with 403 userRateLimitExceeded', async () => {
    const { api } = await start({ quotas: { perUserPerWindow: 5, windowMs: 60_000 } });
    const calendarId = await createCalendar(api); // 1
    clock += 30_000;
    for (let i = 0; i < 4; i++) await api.events.list({ calendarId }); // 2..5
    expect(await googleError(api.events.list({ calendarId }))).toEqual({
      status: 403,
      reason: 'userRateLimitExceeded',
    });
    clock += 30_000; // the first call leaves the window, the four at +30 s stay
    await api.events.list({ calendarId });
    expect(await googleError(api.events.list({ calendarId }))).toEqual({
      status: 403,
      reason: 'userRateLimitExceeded',
    });
    clock += 30_000;
    await api.events.list({ calendarId });
  });

  it('enforces the per-project quota across users of one client, and answers 429 when configured so', async () => {
    const { google, client, api } = await start({
      quotas: { perUserPerWindow: 100, perProjectPerWindow: 3, overQuotaStatus: 429, retryAfterSeconds: 7 },
    });
    const other = authorisedApi(
      google,
      client,
      google.control.createUser({ email: 'other@example.com' }),
    ).api;
    await createCalendar(api);
    await createCalendar(other);
    await createCalendar(other);
    const error = await api.calendars.insert({ requestBody: { summary: 'x' } }).catch((e: unknown) => e);
    const response = (
      error as {
        response: { status: number; headers: Headers; data: { error: { errors: { reason: string }[] } } };
      }
    ).response;
    expect(response.status).toBe(429);
    expect(response.data.error.errors[0]?.reason).toBe('rateLimitExceeded');
    expect(response.headers.get('retry-after')).toBe('7');
    // Another project (client) has its own quota.
    const otherClient = google.control.registerClient({ redirectUris: ['http://127.0.0.1:9/cb'] });
    await createCalendar(authorisedApi(google, otherClient, fixture.user).api);
  });

  describe('quota units: a patch costs three (events.patch and calendars.patch references)', () => {
    const overUser = { status: 403, reason: 'userRateLimitExceeded' };

    it('200 patches use up the 600-unit minute; the refused 201st charges nothing', async () => {
      const { google, api } = await start();
      const calendarId = await createCalendar(api); // 1 unit
      await api.events.insert({ calendarId, requestBody: allDay('aaaaa') }); // 1 unit
      clock += 1_000;
      google.control.resetCounters();
      for (let i = 0; i < 199; i++)
        await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: `p${i}` } });
      // 2 + 597 = 599 used: a third of a patch is left.
      expect(await googleError(api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: {} }))).toEqual(
        overUser,
      );
      await api.events.get({ calendarId, eventId: 'aaaaa' }); // the last unit
      expect(await googleError(api.events.get({ calendarId, eventId: 'aaaaa' }))).toEqual(overUser);
      const counters = google.control.counters();
      expect(counters).toMatchObject({
        total: 202,
        units: 598,
        byMethod: { 'events.patch': 200, 'events.get': 2 },
        unitsByMethod: { 'events.patch': 597, 'events.get': 1 },
      });
      expect(counters.byUser[fixture.user.email]).toMatchObject({ total: 202, units: 598 });
      // The first two calls leave the window: two units back, not enough for a patch, enough for two gets.
      clock += 59_000;
      expect(await googleError(api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: {} }))).toEqual(
        overUser,
      );
      await api.events.get({ calendarId, eventId: 'aaaaa' });
      await api.events.get({ calendarId, eventId: 'aaaaa' });
    });

    it('600 gets use up the minute as well', async () => {
      const { api } = await start();
      const calendarId = await createCalendar(api);
      await api.events.insert({ calendarId, requestBody: allDay('aaaaa') });
      for (let i = 0; i < 598; i++) await api.events.get({ calendarId, eventId: 'aaaaa' });
      expect(await googleError(api.events.get({ calendarId, eventId: 'aaaaa' }))).toEqual(overUser);
    });

    it('mixed traffic: a patch that does not fit is refused while a get still fits; calendars.patch costs 3', async () => {
      const { google, api } = await start({ quotas: { perUserPerWindow: 10 } });
      const calendarId = await createCalendar(api); // 1
      await api.events.insert({ calendarId, requestBody: allDay('aaaaa') }); // 2
      await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: 'x' } }); // 5
      await api.calendars.patch({ calendarId, requestBody: { summary: 'renamed' } }); // 8
      expect(await googleError(api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: {} }))).toEqual(
        overUser,
      );
      await api.events.update({ calendarId, eventId: 'aaaaa', requestBody: allDay('aaaaa') }); // 9
      await api.events.list({ calendarId }); // 10
      expect(await googleError(api.events.list({ calendarId }))).toEqual(overUser);
      expect(google.control.counters()).toMatchObject({
        units: 10,
        unitsByMethod: {
          'calendars.insert': 1,
          'events.insert': 1,
          'events.patch': 3,
          'calendars.patch': 3,
          'events.update': 1,
          'events.list': 1,
        },
      });
    });

    it('the per-project window is charged units too', async () => {
      const { google, client, api } = await start({
        quotas: { perUserPerWindow: 100, perProjectPerWindow: 8 },
      });
      const other = authorisedApi(
        google,
        client,
        google.control.createUser({ email: 'other@example.com' }),
      ).api;
      const calendarId = await createCalendar(api); // 1
      await api.events.insert({ calendarId, requestBody: allDay('aaaaa') }); // 2
      await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: 'x' } }); // 5
      const otherCalendar = await createCalendar(other); // 6
      // Two units left in the project's window: a 3-unit call does not fit, whoever makes it.
      expect(
        await googleError(
          other.calendars.patch({ calendarId: otherCalendar, requestBody: { summary: 'y' } }),
        ),
      ).toEqual({ status: 403, reason: 'rateLimitExceeded' });
      await other.calendars.get({ calendarId: otherCalendar }); // 7
      await api.events.get({ calendarId, eventId: 'aaaaa' }); // 8
      expect(await googleError(other.calendars.get({ calendarId: otherCalendar }))).toEqual({
        status: 403,
        reason: 'rateLimitExceeded',
      });
      expect(google.control.counters().byUser['other@example.com']).toMatchObject({ units: 2 });
    });

    it('unitsPerMethod {} charges one unit per request', async () => {
      const { api } = await start({ quotas: { perUserPerWindow: 5, unitsPerMethod: {} } });
      const calendarId = await createCalendar(api);
      await api.events.insert({ calendarId, requestBody: allDay('aaaaa') });
      for (let i = 0; i < 3; i++)
        await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: `p${i}` } });
      expect(await googleError(api.events.get({ calendarId, eventId: 'aaaaa' }))).toEqual(overUser);
    });
  });

  describe('calendarWrites: writes to one calendar in quick succession (off by default)', () => {
    it('takes any number of quick writes by default', async () => {
      const { api } = await start();
      const calendarId = await createCalendar(api);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          api.events.insert({ calendarId, requestBody: allDay(`evt${String(i).padStart(3, '0')}`) }),
        ),
      );
    });

    it('past perSecond writes to one calendar in a sliding second: 403 rateLimitExceeded, without effect', async () => {
      const { google, api } = await start({ calendarWrites: { perSecond: 3 } });
      const calendarId = await createCalendar(api);
      const second = await createCalendar(api);
      await api.events.insert({ calendarId, requestBody: allDay('aaaaa') });
      await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: 'x' } });
      clock += 500;
      await api.events.delete({ calendarId, eventId: 'aaaaa' });
      const refused = await api.events
        .insert({ calendarId, requestBody: allDay('bbbbb') })
        .catch((error: unknown) => error);
      const response = (
        refused as {
          response: {
            status: number;
            data: {
              error: { message: string; errors: { reason: string; domain: string; message: string }[] };
            };
          };
        }
      ).response;
      expect(response.status).toBe(403);
      expect(response.data.error.message).toBe('Rate Limit Exceeded');
      expect(response.data.error.errors[0]).toMatchObject({
        reason: 'rateLimitExceeded',
        domain: 'usageLimits',
        message: 'Rate Limit Exceeded',
      });
      expect(
        await googleError(
          api.events.import({ calendarId, requestBody: { ...without(allDay('x'), 'id'), iCalUID: 'u@x' } }),
        ),
      ).toEqual({ status: 403, reason: 'rateLimitExceeded' });
      expect(
        await googleError(api.events.update({ calendarId, eventId: 'aaaaa', requestBody: allDay('aaaaa') })),
      ).toEqual({ status: 403, reason: 'rateLimitExceeded' });
      // Reads are not writes; another calendar has its own window.
      await api.events.list({ calendarId });
      await api.events.get({ calendarId, eventId: 'aaaaa' });
      await api.events.insert({ calendarId: second, requestBody: allDay('ccccc') });
      // Refused writes had no effect and were not counted: once the first two leave the window, two fit.
      expect(google.control.state().calendars.find((c) => c.id === calendarId)?.events).toHaveLength(1);
      clock += 500;
      await api.events.insert({ calendarId, requestBody: allDay('bbbbb') });
      await api.events.insert({ calendarId, requestBody: allDay('ddddd') });
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('eeeee') }))).toEqual({
        status: 403,
        reason: 'rateLimitExceeded',
      });
    });

    it('"primary" and the primary calendar\'s id share one window', async () => {
      const { google, client, user } = await start({ calendarWrites: { perSecond: 1 } });
      const full = authorisedApi(google, client, user, ['https://www.googleapis.com/auth/calendar']).api;
      await full.events.insert({ calendarId: 'primary', requestBody: allDay('aaaaa') });
      expect(
        await googleError(full.events.insert({ calendarId: user.email, requestBody: allDay('bbbbb') })),
      ).toEqual({
        status: 403,
        reason: 'rateLimitExceeded',
      });
    });
  });

  describe("Calendar usage limits: buckets that refill over Google's periods (support.google.com/a/answer/2905486)", () => {
    const MINUTE = 60_000;
    /** A client with tokens minted now: access tokens live an hour of the emulator's clock. */
    const freshApi = () => authorisedApi(fixture.google, fixture.client, fixture.user).api;

    it('answers 403 quotaExceeded "Calendar usage limits exceeded" once a bucket is empty, and refills it linearly', async () => {
      const { api } = await start({
        usageLimits: {
          calendarsCreatedOrDeletedPerUser: 2,
          calendarsRefillMs: 40 * MINUTE, // one calendar back every 20 minutes
          eventsCreatedOrDeletedPerUser: 3,
          eventsRefillMs: 90 * MINUTE, // one event back every 30 minutes
          readOnlyMs: 0,
        },
      });
      const calendarId = await createCalendar(api);
      await createCalendar(api);
      const error = await api.calendars
        .insert({ requestBody: { summary: 'third' } })
        .catch((e: unknown) => e);
      const data = (
        error as {
          response: {
            status: number;
            data: { error: { message: string; errors: { reason: string; domain: string }[] } };
          };
        }
      ).response;
      expect(data.status).toBe(403);
      expect(data.data.error.errors[0]).toMatchObject({ reason: 'quotaExceeded', domain: 'usageLimits' });
      expect(data.data.error.message).toBe('Calendar usage limits exceeded.');

      for (const id of ['aaaaa', 'bbbbb', 'ccccc'])
        await api.events.insert({ calendarId, requestBody: allDay(id) });
      const refused = { status: 403, reason: 'quotaExceeded' };
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('ddddd') }))).toEqual(
        refused,
      );
      // Updates are not creations (and readOnlyMs 0 keeps the user writable).
      await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: 'still fine' } });
      clock += 20 * MINUTE; // a calendar back, two thirds of an event
      await createCalendar(api);
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('ddddd') }))).toEqual(
        refused,
      );
      clock += 10 * MINUTE; // one event back, and only one
      await api.events.insert({ calendarId, requestBody: allDay('ddddd') });
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('eeeee') }))).toEqual(
        refused,
      );
    });

    it('by default the events bucket takes months to refill ("several months until ... fully replenished")', async () => {
      let { api } = await start({ usageLimits: { eventsCreatedOrDeletedPerUser: 3, readOnlyMs: 0 } });
      const calendarId = await createCalendar(api);
      for (const id of ['aaaaa', 'bbbbb', 'ccccc'])
        await api.events.insert({ calendarId, requestBody: allDay(id) });
      // Not a sliding hour: a day later the bucket holds a thirtieth of an event.
      clock += 24 * 3_600_000;
      api = freshApi();
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('ddddd') }))).toEqual({
        status: 403,
        reason: 'quotaExceeded',
      });
      // 90 days refill 3 events: one comes back after 30 days.
      clock += 29 * 24 * 3_600_000;
      api = freshApi();
      await api.events.insert({ calendarId, requestBody: allDay('ddddd') });
    });

    it('an empty bucket makes the user read-only for a few hours: updates refused too, reads go on', async () => {
      let { api } = await start({
        usageLimits: { eventsCreatedOrDeletedPerUser: 1, eventsRefillMs: 60 * MINUTE },
      });
      const calendarId = await createCalendar(api);
      await api.events.insert({ calendarId, requestBody: allDay('aaaaa') });
      const refused = { status: 403, reason: 'quotaExceeded' };
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('bbbbb') }))).toEqual(
        refused,
      );
      // "you might lose calendar edit ability for a few hours" (default readOnlyMs: 3 h)
      expect(
        await googleError(api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: 'x' } })),
      ).toEqual(refused);
      expect(await googleError(api.calendars.patch({ calendarId, requestBody: { summary: 'x' } }))).toEqual(
        refused,
      );
      expect((await api.events.get({ calendarId, eventId: 'aaaaa' })).data.summary).toBeUndefined();
      clock += 2 * 60 * MINUTE; // the bucket is full again, the user still read-only
      api = freshApi();
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('bbbbb') }))).toEqual(
        refused,
      );
      clock += 60 * MINUTE;
      api = freshApi();
      await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: 'x' } });
      await api.events.insert({ calendarId, requestBody: allDay('bbbbb') });
    });

    it('counts deletions toward the usage limits too ("creating or deleting too many events")', async () => {
      const { api } = await start({
        usageLimits: {
          calendarsCreatedOrDeletedPerUser: 3,
          calendarsRefillMs: 30 * MINUTE,
          eventsCreatedOrDeletedPerUser: 4,
          eventsRefillMs: 30 * MINUTE,
          readOnlyMs: 0,
        },
      });
      const calendarId = await createCalendar(api);
      for (const id of ['aaaaa', 'bbbbb', 'ccccc'])
        await api.events.insert({ calendarId, requestBody: allDay(id) });
      await api.events.delete({ calendarId, eventId: 'aaaaa' });
      // Three creations and one deletion use the four allowed: the next delete and the next insert are refused.
      expect(await googleError(api.events.delete({ calendarId, eventId: 'bbbbb' }))).toEqual({
        status: 403,
        reason: 'quotaExceeded',
      });
      expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('ddddd') }))).toEqual({
        status: 403,
        reason: 'quotaExceeded',
      });
      // Refused without effect; updates are neither creations nor deletions.
      expect((await api.events.get({ calendarId, eventId: 'bbbbb' })).data.status).toBe('confirmed');
      await api.events.patch({ calendarId, eventId: 'bbbbb', requestBody: { summary: 'still fine' } });
      // Calendars likewise: two created and one deleted use the three allowed.
      const second = await createCalendar(api);
      await api.calendars.delete({ calendarId: second });
      expect(await googleError(api.calendars.delete({ calendarId }))).toEqual({
        status: 403,
        reason: 'quotaExceeded',
      });
      clock += 30 * MINUTE;
      await api.events.delete({ calendarId, eventId: 'bbbbb' });
      await api.calendars.delete({ calendarId });
    });
  });

  it('injects faults: the next N calls to a method fail with the status and reason given', async () => {
    const { google, api } = await start();
    const calendarId = await createCalendar(api);
    google.control.injectFault({ method: 'events.insert', count: 2, status: 503 });
    expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('aaaaa') }))).toEqual({
      status: 503,
      reason: 'backendError',
    });
    expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('aaaaa') }))).toEqual({
      status: 503,
      reason: 'backendError',
    });
    await api.events.insert({ calendarId, requestBody: allDay('aaaaa') });
    // Failed calls had no effect: the third one created the event.
    expect(google.control.state().calendars.find((c) => c.id === calendarId)?.events).toHaveLength(1);

    google.control.injectFault({ method: 'events.patch', status: 403, reason: 'rateLimitExceeded' });
    expect(await googleError(api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: {} }))).toEqual({
      status: 403,
      reason: 'rateLimitExceeded',
    });
    google.control.injectFault({ method: '*', status: 500, user: 'nobody@example.com' });
    await api.events.get({ calendarId, eventId: 'aaaaa' });
    expect(google.control.state().pendingFaults).toEqual([
      { method: '*', status: 500, user: 'nobody@example.com', count: 1 },
    ]);
    google.control.clearFaults();
    expect(google.control.state().pendingFaults).toEqual([]);
  });

  it('an afterEffect fault applies the write and loses the answer: the retry meets 409', async () => {
    const { google, api } = await start();
    const calendarId = await createCalendar(api);
    google.control.injectFault({ method: 'events.insert', status: 500, afterEffect: true });
    expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('aaaaa') }))).toEqual({
      status: 500,
      reason: 'backendError',
    });
    expect(await googleError(api.events.insert({ calendarId, requestBody: allDay('aaaaa') }))).toEqual({
      status: 409,
      reason: 'duplicate',
    });
  });

  it('the official client retries an injected 503 on GET by itself (gaxios), not a 403', async () => {
    const { google, auth } = await start();
    const retrying = calendarApiFor(google, auth, { retry: true });
    const calendarId = await createCalendar(retrying);
    google.control.injectFault({ method: 'events.list', status: 503 });
    await retrying.events.list({ calendarId });
    expect(google.control.counters().byMethod['events.list']).toBe(2);
    google.control.injectFault({ method: 'events.list', status: 403, reason: 'rateLimitExceeded' });
    expect(await googleError(retrying.events.list({ calendarId }))).toEqual({
      status: 403,
      reason: 'rateLimitExceeded',
    });
  });

  it('slows calls down: an injected delay and the global latency hold a call back behind later ones', async () => {
    const { google, api } = await start();
    const calendarId = await createCalendar(api);
    const finished: string[] = [];
    google.control.injectFault({ method: 'events.get', delayMs: 800 });
    await api.events.insert({ calendarId, requestBody: allDay('aaaaa') });
    const slow = api.events.get({ calendarId, eventId: 'aaaaa' }).then(() => finished.push('slow get'));
    const fast = api.events.list({ calendarId }).then(() => finished.push('list'));
    await Promise.all([slow, fast]);
    expect(finished).toEqual(['list', 'slow get']);

    finished.length = 0;
    google.control.resetCounters();
    google.control.setLatency({ ms: 800 });
    const delayed = api.events.list({ calendarId }).then(() => finished.push('with latency'));
    // Once the server has received the first call (it counts before waiting), later calls run without latency.
    await expect.poll(() => google.control.counters().total).toBeGreaterThan(0);
    google.control.setLatency({ ms: 0 });
    const quick = api.events.list({ calendarId }).then(() => finished.push('without latency'));
    await Promise.all([delayed, quick]);
    expect(finished).toEqual(['without latency', 'with latency']);
  });

  it('finishes a call whose client stopped waiting, and tells when every call received has landed', async () => {
    const { google, api } = await start();
    const calendarId = await createCalendar(api);
    google.control.injectFault({ method: 'events.insert', delayMs: 500 });
    const giveUp = new AbortController();
    const abandoned = api.events.insert(
      { calendarId, requestBody: allDay('bbbbb') },
      { signal: giveUp.signal },
    );
    await expect.poll(() => google.control.counters().byMethod['events.insert'] ?? 0).toBe(1);
    giveUp.abort();
    await expect(abandoned).rejects.toThrow();
    await google.settled();
    // Google made the write all the same: it is there as soon as `settled` resolves.
    expect((await api.events.get({ calendarId, eventId: 'bbbbb' })).data.id).toBe('bbbbb');
  });

  it('counts calls per method and per user, including failed ones, and resets', async () => {
    const { google, api, user } = await start();
    const calendarId = await createCalendar(api);
    await api.events.insert({ calendarId, requestBody: allDay('aaaaa') });
    await googleError(api.events.insert({ calendarId, requestBody: allDay('aaaaa') }));
    await api.events.list({ calendarId });
    await api.events.patch({ calendarId, eventId: 'aaaaa', requestBody: { summary: 'patched' } });
    const byMethod = { 'calendars.insert': 1, 'events.insert': 2, 'events.list': 1, 'events.patch': 1 };
    const unitsByMethod = { 'calendars.insert': 1, 'events.insert': 2, 'events.list': 1, 'events.patch': 3 };
    expect(google.control.counters()).toEqual({
      total: 5,
      units: 7,
      byMethod,
      unitsByMethod,
      byUser: { [user.email]: { total: 5, units: 7, byMethod, unitsByMethod } },
    });
    await fetch(google.endpoints.tokenInfoUrl, { method: 'POST' });
    expect(google.control.counters()).toMatchObject({ total: 6, units: 7 });
    expect(google.control.counters().byMethod['oauth2.tokeninfo']).toBe(1);
    google.control.resetCounters();
    expect(google.control.counters()).toEqual({
      total: 0,
      units: 0,
      byMethod: {},
      unitsByMethod: {},
      byUser: {},
    });
  });
});
