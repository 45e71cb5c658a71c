import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FEED_TOKEN } from '../../../dev/demo-host/demo-feed.ts';
import { PortInUseError } from '../../../dev/listen.ts';
import { type DevService, EMULATOR_USER, startDevService } from '../../../dev/service.ts';
import type { DevSettings } from '../../../dev/settings.ts';
import { verifyIntent } from '../../../lambdas/oauth/rules/connect-intent.ts';
import { StaticHostKeyRing } from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import { submitConsent } from '../../support/google-emulator.ts';

const settingsFor = (dataDir: string, overrides: Partial<DevSettings> = {}): DevSettings => ({
  port: 0,
  emulatorPort: 0,
  dataDir,
  google: { mode: 'emulator' },
  fresh: false,
  env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
  ...overrides,
});

/**
 * `npm run dev` without a browser: the service, the emulator and the demo host as the local run starts them
 * (free ports, a data folder of its own), driven over HTTP the way a browser would.
 */
describe('the local run', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ics-sync-local-'));
  const logs: string[] = [];
  let service: DevService;
  const start = (overrides: Partial<DevSettings> = {}) =>
    startDevService(settingsFor(dataDir, overrides), (line) => logs.push(line));
  const url = (path: string) => `${service.baseUrl}${path}`;
  const feedUrl = () => url(`/demo/feeds/${DEMO_FEED_TOKEN}.ics`);

  beforeAll(async () => {
    service = await start();
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the subscription page with a connect form the service accepts', async () => {
    const response = await fetch(url('/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain(
      `form-action 'self' ${new URL(service.emulatorUrl as string).origin}`,
    );
    const html = await response.text();
    expect(html).toContain(`<form method="post" action="${service.baseUrl}/api/google-oauth/start">`);
    expect(html).toContain('Add to Apple Calendar');
    expect(html).toContain('Add to Outlook');
    expect(html).toContain('Google asks you to sign in once');
    const intent = /name="intent" value="([^"]+)"/.exec(html)?.[1] as string;
    const secrets = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'));
    const keys = StaticHostKeyRing.fromText(`${secrets.hostKeyId}:${secrets.hostKey}`);
    await expect(
      verifyIntent(
        keys,
        intent,
        { action: 'connect', feedToken: DEMO_FEED_TOKEN, returnTo: `${service.baseUrl}/` },
        new Date(),
      ),
    ).resolves.toMatchObject({ action: 'connect' });
  });

  it('connects through the emulator, syncs, and follows a changed feed by itself', async () => {
    const html = await (await fetch(url('/'))).text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] as string;
    const start = await fetch(url('/api/google-oauth/start'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.baseUrl },
      body: new URLSearchParams({
        token: field('token'),
        return_to: field('return_to'),
        intent: field('intent'),
      }),
      redirect: 'manual',
    });
    expect(start.status).toBe(302);
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const callback = await submitConsent(start.headers.get('location') as string, {
      email: EMULATOR_USER.email,
    });
    const back = await fetch(callback, { headers: { cookie }, redirect: 'manual' });
    expect(back.headers.get('location')).toBe(`${service.baseUrl}/?google=connected`);

    const status = async () =>
      (await (await fetch(url('/demo/status'))).json()) as { status: string; html: string };
    await expect
      .poll(async () => (await status()).html, { timeout: 15_000 })
      .toContain('the calendar equals the feed');
    const appCalendar = () =>
      service.emulator?.control.state().calendars.find((calendar) => !calendar.primary);
    expect(appCalendar()?.owner).toBe(EMULATOR_USER.email);

    const before = appCalendar()?.events.length ?? 0;
    const changed = await fetch(url('/demo/feed-change'), {
      method: 'POST',
      headers: { origin: service.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(changed.headers.get('location')).toBe('/?feed=changed');
    await expect.poll(() => appCalendar()?.events.length, { timeout: 15_000 }).toBe(before + 1);
    expect(logs.filter((line) => / (ERROR|WARN) /.test(line))).toEqual([]);
  });

  it('puts back what the user deleted, moved and retitled in Google within 20 s of Sync now, keeping a colour', async () => {
    const control = service.emulator?.control;
    if (!control) throw new Error('the local run started no emulator');
    const appCalendar = () => control.state().calendars.find((calendar) => !calendar.primary);
    type Shown = {
      id: string;
      status?: string;
      summary?: string;
      colorId?: string;
      recurringEventId?: string;
    };
    const live = () =>
      (
        (appCalendar()?.events ?? []) as (Shown & { start?: unknown; end?: unknown; recurrence?: unknown })[]
      ).filter((event) => event.status !== 'cancelled' && event.recurringEventId === undefined);
    const shown = () =>
      live()
        .map((event) => `${event.summary} ${JSON.stringify(event.start)} ${JSON.stringify(event.end)}`)
        .sort();
    const before = shown();
    const timed = live().filter(
      (event) => !event.recurrence && (event.start as { dateTime?: string } | undefined)?.dateTime,
    );
    const [deleted, moved, retitled, coloured] = timed.map((event) => event.id);
    if (!deleted || !moved || !retitled || !coloured)
      throw new Error('the demo feed has fewer than 4 timed events');
    const calendarId = appCalendar()?.id as string;
    // As the subscriber in the Calendar UI.
    control.userDeleteEvent({ calendarId, eventId: deleted });
    control.userPatchEvent({
      calendarId,
      eventId: moved,
      patch: { start: { dateTime: '2031-05-05T09:00:00Z' }, end: { dateTime: '2031-05-05T10:00:00Z' } },
    });
    control.userPatchEvent({ calendarId, eventId: retitled, patch: { summary: 'Retitled in Google' } });
    control.userPatchEvent({ calendarId, eventId: coloured, patch: { colorId: '11' } });
    expect(shown()).not.toEqual(before);

    const pressed = await fetch(url('/demo/sync'), {
      method: 'POST',
      headers: { origin: service.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(pressed.headers.get('location')).toBe('/?sync=queued');
    await expect.poll(shown, { timeout: 20_000, interval: 200 }).toEqual(before);
    expect(live().find((event) => event.id === coloured)?.colorId).toBe('11');
  });

  it('serves demo feeds with validators, and a PUT replaces one and notifies the service', async () => {
    const first = await fetch(feedUrl());
    expect(first.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const etag = first.headers.get('etag') as string;
    expect((await fetch(feedUrl(), { headers: { 'if-none-match': etag } })).status).toBe(304);

    const other = url('/demo/feeds/another-feed.ics');
    const put = await fetch(other, {
      method: 'PUT',
      body: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n',
    });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ created: true, notified: { status: 202 } });
    expect(await (await fetch(other)).text()).toContain('BEGIN:VCALENDAR');
    expect((await fetch(other, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(other)).status).toBe(404);
    expect((await fetch(url('/demo/feeds/short.ics'))).status).toBe(404);
  });

  it('edits the demo feed from its editor page, and restores it', async () => {
    const post = (fields: Record<string, string>) =>
      fetch(url('/demo/edit'), {
        method: 'POST',
        headers: { origin: service.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
        redirect: 'manual',
      });
    expect(await (await fetch(url('/demo/edit'))).text()).toContain('X-WR-CALNAME:Team calendar (demo)');
    const saved = await post({ ics: 'BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-CALNAME:Mine\nEND:VCALENDAR\n' });
    expect(saved.headers.get('location')).toBe('/?feed=changed');
    expect(await (await fetch(feedUrl())).text()).toBe(
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Mine\r\nEND:VCALENDAR\r\n',
    );
    expect((await post({ ics: '  ' })).status).toBe(400);
    await post({ reset: 'true' });
    expect(await (await fetch(feedUrl())).text()).toContain('X-WR-CALNAME:Team calendar (demo)');
  });

  it('answers only for 127.0.0.1 (localhost is sent there), and its forms only from its own pages', async () => {
    const port = new URL(service.baseUrl).port;
    expect(await statusFor(service.baseUrl, `localhost:${port}`)).toEqual({
      status: 307,
      location: `${service.baseUrl}/`,
    });
    expect((await statusFor(service.baseUrl, 'attacker.example')).status).toBe(421);
    const forged = await fetch(url('/demo/disconnect'), {
      method: 'POST',
      headers: { origin: 'http://attacker.example' },
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    const unknownRoute = await fetch(url('/api/nothing-here'));
    expect(unknownRoute.status).toBe(403);
    expect(await unknownRoute.json()).toEqual({ message: 'Missing Authentication Token' });
    const status = await fetch(url('/api/google-oauth/status'));
    expect(status.status).toBe(401);
  });

  it("shows the emulator's users, calendars and events on its own page", async () => {
    const page = await (await fetch(service.emulatorUrl as string)).text();
    expect(page).toContain(EMULATOR_USER.email);
    expect(page).toContain('ICS subscription');
    expect(page).toContain('Team stand-up');
    expect(await (await fetch(`${service.emulatorUrl}?refresh=5`)).text()).toContain(
      '<meta http-equiv="refresh" content="5">',
    );
  });

  it('names the setting to change when a port is taken', async () => {
    const busy = mkdtempSync(path.join(tmpdir(), 'ics-sync-busy-'));
    try {
      const port = Number(new URL(service.baseUrl).port);
      const failed = await startDevService(settingsFor(busy, { port }), () => undefined).catch(
        (error) => error,
      );
      expect(failed).toBeInstanceOf(PortInUseError);
      expect(failed.message).toMatch(/port \d+ on 127\.0\.0\.1 is in use \(set PORT to use another port\)/);
    } finally {
      rmSync(busy, { recursive: true, force: true });
    }
  });

  it('keeps its data across restarts, and --fresh starts over', async () => {
    const secrets = readFileSync(path.join(dataDir, 'secrets.json'), 'utf8');
    await fetch(feedUrl(), {
      method: 'PUT',
      body: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Edited\r\nEND:VCALENDAR\r\n',
    });
    await service.close();

    service = await start();
    expect(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).toBe(secrets);
    expect(await (await fetch(feedUrl())).text()).toContain('X-WR-CALNAME:Edited');
    // The connection made earlier is still in the database (the emulator forgot its account: a reconnect).
    expect(await (await fetch(url('/'))).text()).not.toContain('Not connected');
    await service.close();

    service = await start({ fresh: true });
    expect(await (await fetch(feedUrl())).text()).toContain('X-WR-CALNAME:Team calendar (demo)');
    expect(await (await fetch(url('/'))).text()).toContain('Not connected');
  });
});

describe('the local run with real Google credentials', () => {
  it('starts no emulator and sends the connect to Google, with the redirect URI it prints', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ics-sync-google-'));
    const service = await startDevService(
      settingsFor(dataDir, {
        google: {
          mode: 'google',
          clientId: '123-abc.apps.googleusercontent.com',
          clientSecret: 'GOCSPX-test',
        },
      }),
      () => undefined,
    );
    try {
      expect(service.emulatorUrl).toBeUndefined();
      expect(service.redirectUri).toBe(`${service.baseUrl}/api/google-oauth/callback`);
      const page = await fetch(`${service.baseUrl}/`);
      expect(page.headers.get('content-security-policy')).toContain(
        "form-action 'self' https://accounts.google.com",
      );
      const html = await page.text();
      expect(html).toContain('https://calendar.google.com/calendar/r');
      const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] as string;
      const start = await fetch(`${service.baseUrl}/api/google-oauth/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.baseUrl },
        body: new URLSearchParams({
          token: field('token'),
          return_to: field('return_to'),
          intent: field('intent'),
        }),
        redirect: 'manual',
      });
      const consent = new URL(start.headers.get('location') as string);
      expect(consent.origin).toBe('https://accounts.google.com');
      expect(consent.searchParams.get('client_id')).toBe('123-abc.apps.googleusercontent.com');
      expect(consent.searchParams.get('redirect_uri')).toBe(service.redirectUri);
    } finally {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** A GET with a chosen Host header (fetch does not let one set it). */
function statusFor(base: string, host: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/`, { headers: { host } }, (response) => {
      response.resume();
      resolve({
        status: response.statusCode ?? 0,
        ...(response.headers.location ? { location: response.headers.location } : {}),
      });
    });
    request.on('error', reject);
    request.end();
  });
}
