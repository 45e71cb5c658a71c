import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeStaleConnections } from '../../../lambdas/scheduler/use-cases/purge-stale.ts';
import type { Cipher, SecretPurpose } from '../../../lambdas/shared/ports/cipher.ts';
import { InvalidGrantError, NeedsReauthError } from '../../../lambdas/shared/ports/oauth-client.ts';
import { setCookies } from '../../support/api-gateway.ts';
import { BASE, json, location, OAuthHarness, REDIRECT_URI, RETURN_TO, SCOPE } from './harness.ts';

const DAY = 86_400_000;

describe('connect -> status -> disconnect, against the Google emulator', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());

  async function refreshTokenOf(subscriberId: string): Promise<string> {
    const connection = await h.services.connections.get(subscriberId);
    if (!connection?.refreshTokenCiphertext) throw new Error('no refresh token stored');
    return h.services.cipher.decrypt(connection.refreshTokenCiphertext, {
      subscriberId,
      purpose: 'google_refresh_token',
    });
  }

  it('connects: consent URL, browser-bound state, encrypted tokens, dedicated calendar, first sync queued', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    const { response, jar } = await h.begin(feedToken);

    expect(response.statusCode).toBe(302);
    const consentUrl = new URL(location(response));
    expect(consentUrl.origin + consentUrl.pathname).toBe(
      new URL('o/oauth2/v2/auth', h.google.baseUrl).toString(),
    );
    const q = consentUrl.searchParams;
    expect(Object.fromEntries(q)).toMatchObject({
      response_type: 'code',
      client_id: h.client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: `${SCOPE} openid`, // openid: the ID token names the Google account behind the grant
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      code_challenge_method: 'S256',
    });
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(consentUrl.toString()).not.toContain(feedToken);
    const [cookie] = setCookies(response);
    expect(cookie).toMatch(
      /^__Host-gcal_oauth_[0-9a-f]{16}=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
    );

    const params = await h.consent(consentUrl.toString());
    const done = await h.callback(params, jar);
    expect(done.statusCode).toBe(302);
    expect(location(done)).toBe(`${RETURN_TO}?google=connected`);
    expect(setCookies(done)[0]).toMatch(/Max-Age=0/);

    const connection = await h.services.connections.get(subscriberId);
    expect(connection).toMatchObject({
      status: 'connected',
      scheduled: true,
      grantedScopes: `${SCOPE} openid`,
    });
    const calendars = h.google.control.state().calendars.filter((c) => c.id === connection?.calendarId);
    expect(calendars).toHaveLength(1);
    expect(calendars[0]).toMatchObject({
      summary: 'My ICS feed',
      timeZone: 'Europe/Berlin',
      createdByClientId: h.client.clientId,
    });

    // Both secrets are stored encrypted, and only decrypt under their own context.
    expect(connection?.refreshTokenCiphertext).toMatch(/^dk1:google_refresh_token-\d+:/);
    const refreshToken = await refreshTokenOf(subscriberId);
    expect(
      await h.services.cipher.decrypt(connection?.feedTokenCiphertext as string, {
        subscriberId,
        purpose: 'feed_token',
      }),
    ).toBe(feedToken);
    await expectRefused(h.services.cipher, connection?.refreshTokenCiphertext as string, [
      { subscriberId, purpose: 'feed_token' },
      { subscriberId: `${subscriberId}x`, purpose: 'google_refresh_token' },
    ]);
    await expectRefused(h.services.cipher, connection?.feedTokenCiphertext as string, [
      { subscriberId, purpose: 'google_refresh_token' },
      { subscriberId: 'another', purpose: 'feed_token' },
    ]);
    expect((await h.services.oauth.refresh(refreshToken)).accessToken).toBeTruthy();

    const messages = await h.sqs.drain(h.queueUrl);
    expect(messages.map((m) => JSON.parse(m.Body as string))).toEqual([
      expect.objectContaining({ subscriberId, reason: 'connected' }),
    ]);

    const status = await h.status(feedToken);
    expect(status.statusCode).toBe(200);
    expect(json(status)).toMatchObject({
      status: 'connected',
      connected: true,
      needsReauth: false,
      calendarId: connection?.calendarId,
      heldDeletions: 0,
    });
  });

  it('shows the last sync result in the status', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken);
    const lastResult = {
      outcome: 'deletions_held' as const,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:05.000Z',
      created: 3,
      updated: 1,
      deleted: 0,
      unchanged: 10,
      heldDeletions: 25,
      googleCalls: 4,
      errors: [],
    };
    await h.services.syncState.put({
      subscriberId,
      lastResult,
      eventCount: 14,
      coolDownUntil: '2026-01-01T06:00:00.000Z',
    });
    const body = json(await h.status(feedToken));
    expect(body).toMatchObject({
      eventCount: 14,
      coolDownUntil: '2026-01-01T06:00:00.000Z',
      heldDeletions: 25,
      lastSync: { outcome: 'deletions_held', created: 3, heldDeletions: 25 },
    });
    expect(body.lastSync).not.toHaveProperty('googleCalls');
  });

  it('disconnects: revokes at Google, scrubs every table, stays idempotent', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'sole-142@example.com' }); // no other connection shares the grant
    const refreshToken = await refreshTokenOf(subscriberId);
    const calendarId = (await h.services.connections.get(subscriberId))?.calendarId;
    await h.services.eventMap.put(subscriberId, [
      { eventKey: 'uid-1', googleId: 'abc123', hash: 'h', updatedAt: 'x' },
    ]);
    await h.services.syncState.put({ subscriberId, eventCount: 1 });

    const response = await h.disconnect(feedToken);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ disconnected: true, googleAccess: 'revoked', calendar: 'kept' });
    await expect(h.services.oauth.refresh(refreshToken)).rejects.toBeInstanceOf(InvalidGrantError);
    expect(h.google.control.state().calendars.some((c) => c.id === calendarId)).toBe(true);
    await expectNoTraceOf(subscriberId);

    expect(json(await h.status(feedToken))).toMatchObject({ status: 'not_connected', connected: false });
    const again = await h.disconnect(feedToken);
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ disconnected: true, googleAccess: 'none', calendar: 'none' });
  });

  it('disconnects with deleteCalendar=true (query or JSON body): the dedicated calendar goes too', async () => {
    for (const variant of ['query', 'body'] as const) {
      const feedToken = h.newFeedToken();
      await h.connect(feedToken, { email: 'sole-166@example.com' }); // no other connection shares the grant
      const subscriberId = await h.subscriberIdOf(feedToken);
      const calendarId = (await h.services.connections.get(subscriberId))?.calendarId;
      const response =
        variant === 'query'
          ? await h.disconnect(feedToken, { deleteCalendar: 'true' })
          : await h.invoke({
              method: 'POST',
              path: `${BASE}/disconnect`,
              headers: { Authorization: `Bearer ${feedToken}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({
                deleteCalendar: true,
                intent: h.mintIntent('delete_calendar', feedToken),
              }),
            });
      expect(json(response)).toEqual({ disconnected: true, googleAccess: 'revoked', calendar: 'deleted' });
      expect(h.google.control.state().calendars.some((c) => c.id === calendarId)).toBe(false);
    }
  });

  it('scrubs locally and says so when Google cannot be reached for the revoke', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'sole-189@example.com' }); // no other connection shares the grant
    h.google.control.injectFault({ method: 'oauth2.revoke', count: 10, status: 503 });
    try {
      const response = await h.disconnect(feedToken);
      expect(response.statusCode).toBe(200);
      expect(json(response)).toMatchObject({ disconnected: true, googleAccess: 'revoke_failed' });
    } finally {
      h.google.control.clearFaults();
    }
    await expectNoTraceOf(subscriberId);
  });

  it('reconnect reuses the calendar, keeps the event-id salt and replaces the stored token without revoking the old one', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'grace@example.com' });
    const first = await h.services.connections.get(subscriberId);
    const firstToken = await refreshTokenOf(subscriberId);

    const again = await h.connect(feedToken, { email: 'grace@example.com' });
    expect(location(again.response)).toBe(`${RETURN_TO}?google=connected`);
    const second = await h.services.connections.get(subscriberId);
    expect(second?.calendarId).toBe(first?.calendarId);
    expect(second?.eventIdSalt).toBe(first?.eventIdSalt);
    const secondToken = await refreshTokenOf(subscriberId);
    expect(secondToken).not.toBe(firstToken);
    expect((await h.services.oauth.refresh(secondToken)).accessToken).toBeTruthy();
    // Revoking the old token would revoke the whole grant, the new token with it (Google revokes per grant):
    // it is left alone, and no longer stored anywhere.
    expect((await h.services.oauth.refresh(firstToken)).accessToken).toBeTruthy();
    const owned = h.google.control
      .state()
      .calendars.filter((c) => c.owner === 'grace@example.com' && c.summary === 'My ICS feed');
    expect(owned).toHaveLength(1);
  });

  it('reconnect creates a new calendar (and forgets the old map) when the user deleted it in Google', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'linus@example.com' });
    const first = await h.services.connections.get(subscriberId);
    await h.services.eventMap.put(subscriberId, [
      { eventKey: 'uid-1', googleId: 'abc123', hash: 'h', updatedAt: 'x' },
    ]);
    h.google.control.deleteCalendar({ calendarId: first?.calendarId as string });

    await h.connect(feedToken, { email: 'linus@example.com' });
    const second = await h.services.connections.get(subscriberId);
    expect(second?.calendarId).not.toBe(first?.calendarId);
    expect(second?.eventIdSalt).not.toBe(first?.eventIdSalt);
    expect(await h.services.eventMap.list(subscriberId)).toEqual([]);
  });

  it('invalid_grant at run time: needs_reauth, ciphertext scrubbed, not scheduled, shown in status, purged after retention', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'barbara@example.com' });
    h.services.accessTokens.forget(subscriberId);
    h.google.control.revokeUserTokens({ user: 'barbara@example.com' });

    await expect(h.services.accessTokens.accessTokenFor(subscriberId)).rejects.toBeInstanceOf(
      NeedsReauthError,
    );
    const connection = await h.services.connections.get(subscriberId);
    expect(connection).toMatchObject({ status: 'needs_reauth', scheduled: false });
    expect(connection?.refreshTokenCiphertext).toBeUndefined();
    expect(json(await h.status(feedToken))).toMatchObject({
      status: 'needs_reauth',
      needsReauth: true,
      connected: false,
    });
    // Nothing left to refresh with: no more calls to Google.
    const tokenCalls = h.google.control.counters().byMethod['oauth2.token'] ?? 0;
    await expect(h.services.accessTokens.accessTokenFor(subscriberId)).rejects.toBeInstanceOf(
      NeedsReauthError,
    );
    expect(h.google.control.counters().byMethod['oauth2.token'] ?? 0).toBe(tokenCalls);

    const base = h.clock.now();
    const at = (ms: number) => ({ ...h.services, now: () => new Date(base + ms) });
    expect(await purgeStaleConnections(at(29 * DAY), { needsReauthDays: 30 })).toEqual({ purged: 0 });
    expect(await h.services.connections.get(subscriberId)).toBeDefined();
    expect(
      (await purgeStaleConnections(at(31 * DAY), { needsReauthDays: 30 })).purged,
    ).toBeGreaterThanOrEqual(1);
    await expectNoTraceOf(subscriberId);
  });

  it('gives access tokens from a warm cache, one refresh per subscriber at a time', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'ken@example.com' });
    h.services.accessTokens.forget(subscriberId);
    const before = h.google.control.counters().byMethod['oauth2.token'] ?? 0;
    const tokens = await Promise.all(
      Array.from({ length: 5 }, () => h.services.accessTokens.accessTokenFor(subscriberId)),
    );
    expect(new Set(tokens).size).toBe(1);
    await h.services.accessTokens.accessTokenFor(subscriberId);
    expect((h.google.control.counters().byMethod['oauth2.token'] ?? 0) - before).toBe(1);

    // Shortly before expiry (inside the 5-minute margin) it refreshes again.
    h.clock.advance(3599_000 - 200_000);
    const fresh = await h.services.accessTokens.accessTokenFor(subscriberId);
    expect(fresh).not.toBe(tokens[0]);
    expect((h.google.control.counters().byMethod['oauth2.token'] ?? 0) - before).toBe(2);
  });

  it('two connects of one subscriber finishing at once: one wins, the other leaves no calendar or token behind', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    const tabs = await Promise.all(
      [0, 1].map(async () => {
        const { response, jar } = await h.begin(feedToken);
        return { jar, params: await h.consent(location(response), { email: 'tabs@example.com' }) };
      }),
    );
    const answers = await Promise.all(tabs.map(({ params, jar }) => h.callback(params, jar)));
    const outcomes = answers.map((answer) => new URL(location(answer)).searchParams.get('google')).sort();
    const connection = await h.services.connections.get(subscriberId);
    const owned = h.google.control
      .state()
      .calendars.filter((c) => c.owner === 'tabs@example.com' && c.summary === 'My ICS feed');
    if (outcomes.includes('error')) {
      expect(outcomes).toEqual(['connected', 'error']);
      expect(answers.map(location).some((l) => l.endsWith('reason=busy'))).toBe(true);
    }
    expect(owned.map((c) => c.id)).toEqual([connection?.calendarId]);
    const refreshToken = await refreshTokenOf(subscriberId);
    expect((await h.services.oauth.refresh(refreshToken)).accessToken).toBeTruthy();
  });

  /** No item of any table belongs to the subscriber, and no stored ciphertext decrypts under their contexts. */
  async function expectNoTraceOf(subscriberId: string): Promise<void> {
    for (const [id, tableName] of Object.entries(h.dynamo.tableNames)) {
      const { Items = [] } = await h.dynamo.client.send(new ScanCommand({ TableName: tableName }));
      for (const item of Items) {
        if (id !== 'rateLimits') expect(item.subscriberId?.S, `${id} keeps an item`).not.toBe(subscriberId);
        for (const value of Object.values(item)) {
          const stored = value.S;
          if (stored === undefined || !/^(dk1|local1):/.test(stored)) continue;
          for (const purpose of ['google_refresh_token', 'feed_token'] as SecretPurpose[]) {
            await expect(h.services.cipher.decrypt(stored, { subscriberId, purpose })).rejects.toThrow();
          }
        }
      }
    }
  }
});

async function expectRefused(
  cipher: Cipher,
  ciphertext: string,
  contexts: { subscriberId: string; purpose: SecretPurpose }[],
): Promise<void> {
  for (const context of contexts)
    await expect(cipher.decrypt(ciphertext, context)).rejects.toThrow(/refused/);
}
