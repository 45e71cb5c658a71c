import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../../emulator/google/index.ts';
import {
  authorisedApi,
  calendarApiFor,
  createCalendar,
  type EmulatorFixture,
  googleError,
  oauthClientFor,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';

describe('Google emulator: calendars and access', () => {
  let fixture: EmulatorFixture;

  beforeAll(async () => {
    fixture = await startEmulatorWithUser();
  });
  afterAll(() => fixture.close());

  it('inserts, gets, patches, updates and deletes a secondary calendar', async () => {
    const { api } = fixture;
    const { data: created } = await api.calendars.insert({
      requestBody: { summary: 'Feed', description: 'from ICS', timeZone: 'Europe/Paris' },
    });
    expect(created).toMatchObject({ kind: 'calendar#calendar', summary: 'Feed', timeZone: 'Europe/Paris' });
    const id = created.id as string;
    expect((await api.calendars.get({ calendarId: id })).data.description).toBe('from ICS');

    const { data: patched } = await api.calendars.patch({
      calendarId: id,
      requestBody: { summary: 'Renamed' },
    });
    expect(patched).toMatchObject({ summary: 'Renamed', description: 'from ICS', timeZone: 'Europe/Paris' });
    expect(patched.etag).not.toBe(created.etag);

    const { data: updated } = await api.calendars.update({
      calendarId: id,
      requestBody: { summary: 'Replaced' },
    });
    expect(updated.description).toBeUndefined();
    expect(updated.timeZone).toBe('Europe/Paris');

    await api.calendars.delete({ calendarId: id });
    expect(await googleError(api.calendars.get({ calendarId: id }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
    expect(await googleError(api.events.list({ calendarId: id }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
  });

  it('validates calendars like Google: a title is required, the time zone must be an IANA name', async () => {
    expect(await googleError(fixture.api.calendars.insert({ requestBody: {} }))).toEqual({
      status: 400,
      reason: 'required',
    });
    expect(
      await googleError(
        fixture.api.calendars.insert({ requestBody: { summary: 'x', timeZone: 'Mars/Base' } }),
      ),
    ).toEqual({ status: 400, reason: 'invalid' });
  });

  it('answers 401 without a token and with an unknown one, in Google error shape', async () => {
    const response = await fetch(`${fixture.google.baseUrl}calendar/v3/calendars/primary`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as {
      error: { code: number; errors: { reason: string }[]; status: string };
    };
    expect(body.error.code).toBe(401);
    expect(body.error.errors[0]?.reason).toBe('required');
    expect(body.error.status).toBe('UNAUTHENTICATED');

    const stranger = oauthClientFor(fixture.google, fixture.client);
    stranger.setCredentials({ access_token: 'ya29.not-a-token' });
    expect(
      await googleError(calendarApiFor(fixture.google, stranger).calendars.get({ calendarId: 'primary' })),
    ).toEqual({
      status: 401,
      reason: 'authError',
    });
  });

  it('limits calendar.app.created to calendars made by the same OAuth client', async () => {
    const { google, client, user, api } = fixture;
    const mine = await createCalendar(api);
    expect(await googleError(api.events.list({ calendarId: mine }))).toBeUndefined();
    // The primary calendar and a calendar the user made in Google are out of reach.
    expect(await googleError(api.calendars.get({ calendarId: 'primary' }))).toEqual({
      status: 403,
      reason: 'insufficientPermissions',
    });
    const usersOwn = google.control.seedCalendar({ user: user.email, summary: 'Personal' });
    expect(await googleError(api.events.list({ calendarId: usersOwn.id }))).toEqual({
      status: 403,
      reason: 'insufficientPermissions',
    });
    // Another client of the same user cannot reach this client's calendar.
    const otherClient = google.control.registerClient({ redirectUris: ['http://127.0.0.1:9/cb'] });
    const other = authorisedApi(google, otherClient, user);
    expect(await googleError(other.api.events.list({ calendarId: mine }))).toEqual({
      status: 403,
      reason: 'insufficientPermissions',
    });
    // Another user's calendar is simply not found.
    const stranger = google.control.createUser({ email: 'stranger@example.com' });
    const strangerApi = authorisedApi(google, client, stranger).api;
    expect(await googleError(strangerApi.calendars.get({ calendarId: mine }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
  });

  it('lets the full calendar scope reach every calendar of the user, and read-only scopes only read', async () => {
    const { google, client, user } = fixture;
    const full = authorisedApi(google, client, user, [SCOPES.calendar]).api;
    const { data: primary } = await full.calendars.get({ calendarId: 'primary' });
    expect(primary.id).toBe(user.email);
    const readonly = authorisedApi(google, client, user, [SCOPES.calendarReadonly]).api;
    expect(await googleError(readonly.events.list({ calendarId: 'primary' }))).toBeUndefined();
    expect(
      await googleError(
        readonly.events.insert({
          calendarId: 'primary',
          requestBody: { start: { date: '2026-01-01' }, end: { date: '2026-01-02' } },
        }),
      ),
    ).toEqual({ status: 403, reason: 'insufficientPermissions' });
    const eventsOnly = authorisedApi(google, client, user, [SCOPES.events]).api;
    expect(await googleError(eventsOnly.calendars.insert({ requestBody: { summary: 'x' } }))).toEqual({
      status: 403,
      reason: 'insufficientPermissions',
    });
  });

  it('gives a user deleting the calendar in Google (control.deleteCalendar) a 404 on the next call', async () => {
    const id = await createCalendar(fixture.api);
    fixture.google.control.deleteCalendar({ calendarId: id });
    expect(await googleError(fixture.api.events.list({ calendarId: id }))).toEqual({
      status: 404,
      reason: 'notFound',
    });
  });
});
