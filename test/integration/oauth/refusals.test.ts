import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, header } from '../../support/api-gateway.ts';
import { BASE, DEFAULT_RETURN_TO, json, location, OAuthHarness, RETURN_TO } from './harness.ts';

/** The default time a warm container trusts a feed token it saw valid. */
const VALID_TOKEN_CACHE_MS = 300_000 + 1_000;

/** Each attack of the connect flow, and how it is refused. */
describe('OAuth routes refuse attacks and bad input', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());

  /** Starts a connect and lets the user consent; the callback is left to the test. */
  async function consented(options: { email?: string } = {}) {
    const feedToken = h.newFeedToken();
    const { response, jar } = await h.begin(feedToken);
    const params = await h.consent(location(response), options);
    return { feedToken, jar, params, subscriberId: await h.subscriberIdOf(feedToken) };
  }

  function expectHtmlRefusal(response: Awaited<ReturnType<typeof h.invoke>>, status: number, text: RegExp) {
    expect(response.statusCode).toBe(status);
    expect(header(response, 'Content-Type')).toMatch(/^text\/html/);
    expect(response.body).toMatch(text);
    expect(response.body).not.toMatch(/\bat .+\.ts:\d+/); // no stack trace
  }

  it('state missing: 400 page, nothing exchanged', async () => {
    const { params, jar } = await consented();
    params.delete('state');
    expectHtmlRefusal(await h.callback(params, jar), 400, /incomplete/);
  });

  it('state tampered or unknown: 400, and the real state still works', async () => {
    const { params, jar, subscriberId } = await consented();
    const state = params.get('state') as string;
    const tampered = new URLSearchParams(params);
    tampered.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    expectHtmlRefusal(await h.callback(tampered, jar), 400, /unknown or was already used/);
    const malformed = new URLSearchParams(params);
    malformed.set('state', '<script>alert(1)</script>');
    const refused = await h.callback(malformed, jar);
    expectHtmlRefusal(refused, 400, /unknown or was already used/);
    expect(refused.body).not.toContain('<script>');
    expect(location(await h.callback(params, jar))).toBe(`${RETURN_TO}?google=connected`);
    expect(await h.services.connections.get(subscriberId)).toBeDefined();
  });

  it('state expired (10 minutes): 400 although TTL has not removed it', async () => {
    const { params, jar, subscriberId } = await consented();
    h.clock.advance(601_000);
    expectHtmlRefusal(await h.callback(params, jar), 400, /expired/);
    expect(await h.services.connections.get(subscriberId)).toBeUndefined();
  });

  it('state replayed: the second use is refused', async () => {
    const { params, jar } = await consented();
    const cookies = jar.header();
    expect(location(await h.callback(params, jar))).toBe(`${RETURN_TO}?google=connected`);
    const replay = await h.invoke({
      method: 'GET',
      path: `${BASE}/callback`,
      query: Object.fromEntries(params),
      headers: { Cookie: cookies },
    });
    expectHtmlRefusal(replay, 400, /already used/);
  });

  it("another browser's state (no or wrong binding cookie): refused, and the state is burnt", async () => {
    const { params, jar, subscriberId } = await consented();
    expectHtmlRefusal(await h.callback(params, new CookieJar()), 400, /another browser/);
    const forged = jar.header().replace(/=[^;]+/, `=${'A'.repeat(43)}`);
    const withForgedCookie = await h.invoke({
      method: 'GET',
      path: `${BASE}/callback`,
      query: Object.fromEntries(params),
      headers: { Cookie: forged },
    });
    expectHtmlRefusal(withForgedCookie, 400, /already used/);
    expectHtmlRefusal(await h.callback(params, jar), 400, /already used/);
    expect(await h.services.connections.get(subscriberId)).toBeUndefined();
  });

  it('a binding cookie sent twice (one planted) is ambiguous and refused', async () => {
    const { params, jar } = await consented();
    const [name] = jar.header().split('=');
    const doubled = `${jar.header()}; ${name}=${'B'.repeat(43)}`;
    const response = await h.invoke({
      method: 'GET',
      path: `${BASE}/callback`,
      query: Object.fromEntries(params),
      headers: { Cookie: doubled },
    });
    expectHtmlRefusal(response, 400, /another browser/);
  });

  it('code reuse: a used code under a fresh state fails at Google, nothing stored', async () => {
    const first = await consented();
    expect(location(await h.callback(first.params, first.jar))).toBe(`${RETURN_TO}?google=connected`);
    const other = h.newFeedToken();
    const { response, jar } = await h.begin(other);
    const state = new URL(location(response)).searchParams.get('state') as string;
    const reused = await h.callback({ state, code: first.params.get('code') as string }, jar);
    expect(location(reused)).toBe(`${RETURN_TO}?google=error&reason=authorization_failed`);
    expect(await h.services.connections.get(await h.subscriberIdOf(other))).toBeUndefined();
  });

  it("PKCE mismatch: a code obtained for one flow cannot finish another (the other's verifier fails)", async () => {
    const victim = await consented();
    const attacker = h.newFeedToken();
    const { response, jar } = await h.begin(attacker);
    const state = new URL(location(response)).searchParams.get('state') as string;
    const injected = await h.callback({ state, code: victim.params.get('code') as string }, jar);
    expect(location(injected)).toBe(`${RETURN_TO}?google=error&reason=authorization_failed`);
    expect(await h.services.connections.get(await h.subscriberIdOf(attacker))).toBeUndefined();
    // The victim's own flow is unaffected (Google keeps a code whose verifier check failed).
    expect(location(await h.callback(victim.params, victim.jar))).toBe(`${RETURN_TO}?google=connected`);
  });

  it('unticked scope: refused with a clear code, nothing stored, no calendar created', async () => {
    h.google.control.createUser({ email: 'unticked@example.com' });
    h.google.control.grantNextScopes({ user: 'unticked@example.com', scopes: [] });
    const calendarsBefore = h.google.control.state().calendars.length;
    const { params, jar, subscriberId } = await consented({ email: 'unticked@example.com' });
    const response = await h.callback(params, jar);
    expect(location(response)).toBe(`${RETURN_TO}?google=error&reason=insufficient_scope`);
    expect(await h.services.connections.get(subscriberId)).toBeUndefined();
    expect(h.google.control.state().calendars.length).toBe(calendarsBefore);
  });

  it('access denied on the consent page: back to the page with the reason, nothing stored', async () => {
    const feedToken = h.newFeedToken();
    const { response, jar } = await h.begin(feedToken);
    const params = await h.consent(location(response), { decision: 'deny' });
    expect(params.get('error')).toBe('access_denied');
    const back = await h.callback(params, jar);
    expect(location(back)).toBe(`${RETURN_TO}?google=error&reason=access_denied`);
    expect(await h.services.connections.get(await h.subscriberIdOf(feedToken))).toBeUndefined();
  });

  it.each([
    ['//evil.example'],
    ['https:evil.example'],
    ['https:/evil.example'],
    ['https://evil.example/settings'],
    ['https:\\\\evil.example'],
    ['https://app.example.test\\@evil.example/settings'],
    ['https://app.example.test@evil.example/settings'],
    ['https://app.example.test%40evil.example/settings'],
    ['https:%2F%2Fevil.example'],
    ['%2F%2Fevil.example'],
    ['https://app.example.test/settings/..%2F..%2Fevil'],
    ['https://app.example.test.evil.example/settings'],
    ['javascript:alert(1)'],
  ])('return_to %s goes to the default page instead', async (returnTo) => {
    const feedToken = h.newFeedToken();
    const { response, jar } = await h.begin(feedToken, returnTo);
    const params = await h.consent(location(response), { decision: 'deny' });
    const back = await h.callback(params, jar);
    expect(location(back)).toBe(`${DEFAULT_RETURN_TO}?google=error&reason=access_denied`);
  });

  it('unknown, malformed or missing feed token: 401 on every route, no state created', async () => {
    const unknown = 'not-a-known-token-123';
    const start = await h.invoke({ method: 'GET', path: `${BASE}/start`, query: { token: unknown } });
    expectHtmlRefusal(start, 401, /not valid or no longer active/);
    expect(header(start, 'Location')).toBeUndefined();
    for (const token of [unknown, 'bad token with spaces', 'x']) {
      const status = await h.status(token);
      expect(status.statusCode).toBe(401);
      expect(json(status)).toEqual({ error: 'invalid_token', message: expect.any(String) });
      expect(header(status, 'WWW-Authenticate')).toMatch(/invalid_token/);
      expect((await h.disconnect(token)).statusCode).toBe(401);
    }
    const missing = await h.invoke({ method: 'GET', path: `${BASE}/status` });
    expect(missing.statusCode).toBe(401);
    expect(json(missing).error).toBe('missing_token');
  });

  it('revoked feed token (the feed no longer answers): 401 on status and start, even with a connection stored', async () => {
    const feedToken = h.newFeedToken();
    await h.connect(feedToken);
    h.feeds.feeds.delete(feedToken);
    h.clock.advance(VALID_TOKEN_CACHE_MS); // the container's "valid" verdict from the connect has run out
    expect((await h.status(feedToken)).statusCode).toBe(401);
    expect((await h.begin(feedToken)).response.statusCode).toBe(401);
  });

  it('feed service down: 503 with Retry-After, never a 500', async () => {
    const feedToken = h.newFeedToken();
    h.feeds.down = true;
    try {
      const response = await h.status(feedToken);
      expect(response.statusCode).toBe(503);
      expect(header(response, 'Retry-After')).toBe('60');
    } finally {
      h.feeds.down = false;
    }
  });

  it('start as a POST form keeps the token out of the URL; wrong content type is a 415', async () => {
    const feedToken = h.newFeedToken();
    const form = await h.invoke({
      method: 'POST',
      path: `${BASE}/start`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(RETURN_TO).origin },
      body: new URLSearchParams({
        token: feedToken,
        return_to: RETURN_TO,
        intent: h.mintIntent('connect', feedToken, { returnTo: RETURN_TO }),
      }).toString(),
    });
    expect(form.statusCode).toBe(302);
    expect(location(form)).not.toContain(feedToken);
    const json415 = await h.invoke({
      method: 'POST',
      path: `${BASE}/start`,
      headers: { 'Content-Type': 'application/json', Origin: new URL(RETURN_TO).origin },
      body: JSON.stringify({ token: feedToken }),
    });
    expect(json415.statusCode).toBe(415);
    const crossSite = await h.invoke({
      method: 'POST',
      path: `${BASE}/start`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
      body: new URLSearchParams({ token: feedToken }).toString(),
    });
    expectHtmlRefusal(crossSite, 403, /only be sent from/);
    // Browsers send an Origin with every form POST: a request without one is not the service's own form.
    const withoutOrigin = await h.invoke({
      method: 'POST',
      path: `${BASE}/start`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: feedToken }).toString(),
    });
    expectHtmlRefusal(withoutOrigin, 403, /only be sent from/);
    expect(header(withoutOrigin, 'Location')).toBeUndefined();
    const sameSite = await h.invoke({
      method: 'POST',
      path: `${BASE}/start`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(RETURN_TO).origin },
      body: new URLSearchParams({ token: feedToken, intent: h.mintIntent('connect', feedToken) }).toString(),
    });
    expect(sameSite.statusCode).toBe(302);
  });

  it('duplicated parameters are refused', async () => {
    const feedToken = h.newFeedToken();
    const response = await h.invoke({
      method: 'GET',
      path: `${BASE}/start`,
      query: { token: [feedToken, 'other-token-123'] },
    });
    expectHtmlRefusal(response, 400, /more than once/);
  });

  it('rate limits: 429 with Retry-After per IP on start, per subscriber on status', async () => {
    const feedToken = h.newFeedToken();
    const answers = [];
    for (let i = 0; i < 21; i++) {
      answers.push(
        await h.invoke({
          method: 'GET',
          path: `${BASE}/start`,
          query: { token: `unknown-token-${i}000` },
          sourceIp: '192.0.2.77',
        }),
      );
    }
    expect(answers.slice(0, 20).every((a) => a.statusCode === 401)).toBe(true);
    expect(answers[20]?.statusCode).toBe(429);
    expect(Number(header(answers[20] as (typeof answers)[number], 'Retry-After'))).toBeGreaterThan(0);

    const statuses = [];
    for (let i = 0; i < 31; i++) statuses.push((await h.status(feedToken)).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('unknown routes and methods: JSON 404', async () => {
    for (const request of [
      { method: 'GET' as const, path: `${BASE}/nope` },
      { method: 'DELETE' as const, path: `${BASE}/status` },
    ]) {
      const response = await h.invoke(request);
      expect(response.statusCode).toBe(404);
      expect(json(response).error).toBe('not_found');
    }
  });

  it('oversized input: 400, not a 5xx', async () => {
    const longHeader = await h.invoke({
      method: 'GET',
      path: `${BASE}/status`,
      headers: { Authorization: `Bearer ${'x'.repeat(5000)}` },
    });
    expect(longHeader.statusCode).toBe(400);
    expect(json(longHeader).error).toBe('invalid_header');
    const response = await h.invoke({
      method: 'GET',
      path: `${BASE}/start`,
      query: { token: 'x'.repeat(100_000) },
    });
    expect(response.statusCode).toBe(400);
    const body = await h.invoke({
      method: 'POST',
      path: `${BASE}/disconnect`,
      headers: { Authorization: `Bearer ${h.newFeedToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ deleteCalendar: true, padding: 'x'.repeat(10_000) }),
    });
    expect(body.statusCode).toBe(413);
  });
});
