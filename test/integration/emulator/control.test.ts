import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorState } from '../../../emulator/google/index.ts';
import {
  createCalendar,
  type EmulatorFixture,
  googleError,
  startEmulatorWithUser,
} from '../../support/google-emulator.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('Google emulator: state and HTTP control', () => {
  let fixture: EmulatorFixture;

  beforeAll(async () => {
    fixture = await startEmulatorWithUser();
  });
  afterAll(() => fixture.close());

  const post = (name: string, body?: unknown) =>
    fetch(`${fixture.google.baseUrl}__emulator/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('GET /__emulator/state lists every calendar with its owner and events, cancelled ones included', async () => {
    const { api, user, client } = fixture;
    const calendarId = await createCalendar(api, 'Feed');
    await api.events.insert({
      calendarId,
      requestBody: { id: 'keep0', start: { date: '2026-06-01' }, end: { date: '2026-06-02' } },
    });
    await api.events.insert({
      calendarId,
      requestBody: { id: 'gone0', start: { date: '2026-06-03' }, end: { date: '2026-06-04' } },
    });
    await api.events.delete({ calendarId, eventId: 'gone0' });

    const response = await fetch(`${fixture.google.baseUrl}__emulator/state`);
    expect(response.status).toBe(200);
    const state = (await response.json()) as EmulatorState;
    const feed = state.calendars.find((calendar) => calendar.id === calendarId);
    expect(feed).toMatchObject({
      summary: 'Feed',
      owner: user.email,
      primary: false,
      createdByClientId: client.clientId,
    });
    expect(feed?.events.map((event) => [event.id, event.status])).toEqual([
      ['keep0', 'confirmed'],
      ['gone0', 'cancelled'],
    ]);
    expect(state.calendars.find((calendar) => calendar.primary)?.id).toBe(user.email);
    expect(state.users).toEqual([user]);
    expect(state.clients[0]).not.toHaveProperty('clientSecret');
    expect(state.counters.byMethod['events.delete']).toBe(1);
  });

  it('mirrors the control surface over POST /__emulator/<method>', async () => {
    const { api } = fixture;
    const calendarId = await createCalendar(api);
    expect((await post('injectFault', { method: 'events.list', status: 502 })).status).toBe(200);
    expect(await googleError(api.events.list({ calendarId }))).toEqual({
      status: 502,
      reason: 'backendError',
    });

    expect((await post('resetCounters')).status).toBe(200);
    const counters = (await (await fetch(`${fixture.google.baseUrl}__emulator/counters`)).json()) as {
      total: number;
    };
    expect(counters.total).toBe(0);

    const user = (await (await post('createUser', { email: 'http@example.com' })).json()) as {
      email: string;
    };
    expect(user.email).toBe('http@example.com');
    const tokens = (await (
      await post('mintTokens', {
        user: 'http@example.com',
        clientId: fixture.client.clientId,
        scopes: ['email'],
      })
    ).json()) as { access_token: string; scope: string };
    expect(tokens.scope).toBe('email');

    expect((await post('noSuchThing')).status).toBe(404);
    expect((await post('mintTokens', { user: 'ghost@example.com', clientId: 'x', scopes: [] })).status).toBe(
      400,
    );
    expect((await fetch(`${fixture.google.baseUrl}__emulator/resetCounters`)).status).toBe(405);
  });

  it('refuses what a web page can send: a foreign Origin, a non-JSON body, another Host', async () => {
    const base = fixture.google.baseUrl;
    const mint = JSON.stringify({
      user: fixture.user.email,
      clientId: fixture.client.clientId,
      scopes: ['email'],
    });
    const before = fixture.google.control.state().counters;
    // What any page can send cross-origin without a preflight.
    const fromPage = await fetch(`${base}__emulator/mintTokens`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://attacker.example' },
      body: mint,
    });
    expect(fromPage.status).toBe(403);
    expect(await fromPage.text()).not.toContain('refresh_token');
    const foreignJson = await fetch(`${base}__emulator/mintTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:1' },
      body: mint,
    });
    expect(foreignJson.status).toBe(403);
    const plain = await fetch(`${base}__emulator/mintTokens`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: mint,
    });
    expect(plain.status).toBe(415);
    // A rebound DNS name reaches the emulator with its own Host header.
    const rebound = await rawRequest(`${base}__emulator/state`, { host: 'attacker.example' });
    expect(rebound).toBe(403);
    expect(fixture.google.control.state().counters).toEqual(before);
    // The emulator's own origin, and tools that send none, are served.
    const own = new URL(base).origin;
    expect((await fetch(`${base}__emulator/counters`, { headers: { origin: own } })).status).toBe(200);
    expect((await post('resetCounters')).status).toBe(200);
    const port = new URL(base).port;
    expect(await rawRequest(`${base}__emulator/state`, { host: `localhost:${port}` })).toBe(200);
  });

  it('answers unknown paths with a JSON 404, a known path with another verb with 405', async () => {
    const base = fixture.google.baseUrl;
    const unknown = await fetch(`${base}calendar/v3/users/me/calendarList`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(404);
    expect((await fetch(`${base}calendar/v3/calendars/%E0%A4%A`)).status).toBe(404);
    expect((await fetch(`${base}token`)).status).toBe(405);
  });

  it('runs standalone and prints its base URL', async () => {
    // One process (this Node with the tsx loader), so stopping it stops the emulator.
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/google/main.ts', '0'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const line = output.split('\n').find((candidate) => candidate.startsWith('http://'));
          if (line) resolve(line.trim());
        });
        exited.then((code) => reject(new Error(`exited with ${code}`)));
      });
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const state = (await (await fetch(`${baseUrl}__emulator/state`)).json()) as EmulatorState;
      expect(state.calendars).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

/** A GET with a Host header of the caller's choosing (fetch sets its own); answers the status. */
function rawRequest(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}
