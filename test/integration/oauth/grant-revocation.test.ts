import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, ConnectionStore } from '../../../lambdas/shared/ports/connection-store.ts';
import { InvalidGrantError } from '../../../lambdas/shared/ports/oauth-client.ts';
import { CookieJar } from '../../support/api-gateway.ts';
import { json, location, OAuthHarness, RETURN_TO } from './harness.ts';

/**
 * Google revokes per grant: "Revocation removes all OAuth 2.0 scopes previously granted to a project,
 * invalidating any issued access or refresh tokens for all clients registered under that project" (OAuth 2.0
 * web-server guide, token revocation; the emulator's default). So a reconnect must not revoke the token it
 * replaces, and a refused connect must not revoke a grant that working connections may share.
 */
describe("grant-wide revocation (Google's documented behaviour)", () => {
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

  const revokes = () => h.google.control.counters().byMethod['oauth2.revoke'] ?? 0;

  it('reconnecting with the same Google account: one consent, the new token works, nothing revoked', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'grant@example.com' });
    const first = await h.services.connections.get(subscriberId);
    const firstToken = await refreshTokenOf(subscriberId);
    const revokesBefore = revokes();
    const consentsBefore = h.google.control.counters().byMethod['oauth2.authorize'] ?? 0;

    const again = await h.connect(feedToken, { email: 'grant@example.com' });
    // Straight back to the page: no second trip to Google's consent screen.
    expect(location(again.response)).toBe(`${RETURN_TO}?google=connected`);
    expect((h.google.control.counters().byMethod['oauth2.authorize'] ?? 0) - consentsBefore).toBe(1);
    expect(revokes()).toBe(revokesBefore);

    const connection = await h.services.connections.get(subscriberId);
    expect(connection).toMatchObject({ calendarId: first?.calendarId, status: 'connected', scheduled: true });
    const secondToken = await refreshTokenOf(subscriberId);
    expect(secondToken).not.toBe(firstToken); // one token per subscriber: the new one replaced the old
    // The stored token works: a refresh through the service's own provider, then a Calendar call with it.
    h.services.accessTokens.forget(subscriberId);
    const accessToken = await h.services.accessTokens.accessTokenFor(subscriberId);
    expect(await h.services.provisioner.exists(accessToken, connection?.calendarId as string)).toBe(true);
    expect((await h.services.oauth.refresh(secondToken)).accessToken).toBeTruthy();
    expect(json(await h.status(feedToken))).toMatchObject({ status: 'connected', needsReauth: false });
  });

  it('a refused reconnect (calendar unavailable) leaves the working connection of the same account alone', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'blip@example.com' });
    const before = await h.services.connections.get(subscriberId);
    const { response, jar } = await h.begin(feedToken);
    const params = await h.consent(location(response), { email: 'blip@example.com' });
    const revokesBefore = revokes();
    h.google.control.injectFault({ method: 'calendars.get', status: 503, count: 10 });
    try {
      expect(location(await h.callback(params, jar))).toBe(
        `${RETURN_TO}?google=error&reason=calendar_unavailable`,
      );
    } finally {
      h.google.control.clearFaults();
    }
    expect(revokes()).toBe(revokesBefore);
    expect(await h.services.connections.get(subscriberId)).toEqual(before);
    expect((await h.services.oauth.refresh(await refreshTokenOf(subscriberId))).accessToken).toBeTruthy();
  });

  it("another subscriber's refused connect with the same Google account does not revoke the first one's grant", async () => {
    const first = h.newFeedToken();
    const firstId = await h.subscriberIdOf(first);
    await h.connect(first, { email: 'shared@example.com' });
    const second = h.newFeedToken();
    const { response, jar } = await h.begin(second);
    const params = await h.consent(location(response), { email: 'shared@example.com' });
    h.google.control.injectFault({ method: 'calendars.insert', status: 403, reason: 'quotaExceeded' });
    try {
      expect(location(await h.callback(params, jar))).toBe(
        `${RETURN_TO}?google=error&reason=calendar_unavailable`,
      );
    } finally {
      h.google.control.clearFaults();
    }
    expect(await h.services.connections.get(await h.subscriberIdOf(second))).toBeUndefined();
    expect((await h.services.oauth.refresh(await refreshTokenOf(firstId))).accessToken).toBeTruthy();
  });

  it('an unticked permission: the grant, which backs no working connection, is revoked', async () => {
    h.google.control.createUser({ email: 'half@example.com' });
    h.google.control.grantNextScopes({ user: 'half@example.com', scopes: [] });
    const feedToken = h.newFeedToken();
    const { response, jar } = await h.begin(feedToken);
    const params = await h.consent(location(response), { email: 'half@example.com' });
    const revokesBefore = revokes();
    expect(location(await h.callback(params, jar))).toBe(
      `${RETURN_TO}?google=error&reason=insufficient_scope`,
    );
    expect(revokes()).toBe(revokesBefore + 1);
  });

  it('disconnecting one subscriber leaves the grant another subscriber of the same Google account uses', async () => {
    const [first, second] = [h.newFeedToken(), h.newFeedToken()];
    await h.connect(first, { email: 'family@example.com' });
    await h.connect(second, { email: 'family@example.com' });
    const secondId = await h.subscriberIdOf(second);
    const secondToken = await refreshTokenOf(secondId);
    const revokesBefore = revokes();
    expect(json(await h.disconnect(first))).toMatchObject({ googleAccess: 'shared' });
    expect(revokes()).toBe(revokesBefore);
    expect((await h.services.oauth.refresh(secondToken)).accessToken).toBeTruthy();
    // The last connection of the account revokes the grant.
    expect(json(await h.disconnect(second))).toMatchObject({ googleAccess: 'revoked' });
    await expect(h.services.oauth.refresh(secondToken)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('disconnecting a connection that never recorded its Google account revokes nothing', async () => {
    // A connection made before accounts were recorded (no googleAccountKey), then a newer one of the same account.
    const [legacy, current] = [h.newFeedToken(), h.newFeedToken()];
    const legacyId = await h.subscriberIdOf(legacy);
    await h.connect(legacy, { email: 'legacy@example.com' });
    const stored = (await h.services.connections.get(legacyId)) as Connection;
    const { googleAccountKey: _recorded, ...unrecorded } = stored;
    await h.services.connections.save(unrecorded, stored.version);
    await h.connect(current, { email: 'legacy@example.com' });
    const currentToken = await refreshTokenOf(await h.subscriberIdOf(current));
    const revokesBefore = revokes();
    expect(json(await h.disconnect(legacy))).toMatchObject({ googleAccess: 'unknown_account' });
    expect(revokes()).toBe(revokesBefore);
    expect(await h.services.connections.get(legacyId)).toBeUndefined();
    // The later connection of the same account keeps working.
    expect((await h.services.oauth.refresh(currentToken)).accessToken).toBeTruthy();
  });

  it('stores only a keyed hash of the Google account, never its id or e-mail address', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'who@example.com' });
    const connection = await h.services.connections.get(subscriberId);
    const user = h.google.control.state().users.find((u: { email: string }) => u.email === 'who@example.com');
    expect(connection?.googleAccountKey).toMatch(/^[0-9a-f]{64}$/);
    expect(connection?.googleAccountKey).toBe(await h.services.identity.googleAccountKey(user?.id as string));
    const stored = JSON.stringify(connection);
    expect(stored).not.toContain('who@example.com');
    expect(stored).not.toContain(user?.id as string);
  });

  it('a reconnect with another Google account: shown in the status, the previous grant revoked', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'before@example.com' });
    const first = await h.services.connections.get(subscriberId);
    const firstToken = await refreshTokenOf(subscriberId);
    expect(json(await h.status(feedToken))).not.toHaveProperty('googleAccountChangedAt');

    const again = await h.connect(feedToken, { email: 'after@example.com' });
    expect(location(again.response)).toBe(`${RETURN_TO}?google=connected`);
    const second = await h.services.connections.get(subscriberId);
    expect(second?.calendarId).not.toBe(first?.calendarId); // the old calendar is in the other account
    expect(second?.googleAccountKey).not.toBe(first?.googleAccountKey);
    expect(json(await h.status(feedToken))).toMatchObject({
      status: 'connected',
      googleAccountChangedAt: second?.connectedAt,
    });
    // Nothing live is left behind: the previous account's token is revoked, the new one works.
    await expect(h.services.oauth.refresh(firstToken)).rejects.toBeInstanceOf(InvalidGrantError);
    expect((await h.services.oauth.refresh(await refreshTokenOf(subscriberId))).accessToken).toBeTruthy();
  });

  it('two first connects racing with two Google accounts: the losing account is revoked', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    const jar = new CookieJar();
    const tabs = [await h.begin(feedToken, RETURN_TO, jar), await h.begin(feedToken, RETURN_TO, jar)];
    const emails = ['race-a@example.com', 'race-b@example.com'];
    const consents = [];
    for (const [i, tab] of tabs.entries())
      consents.push(await h.consent(location(tab.response), { email: emails[i] as string }));
    const real = h.services.connections;
    h.services.connections = readsMeetFirst(real, 2);
    const revokesBefore = revokes();
    let answers: Awaited<ReturnType<typeof h.callback>>[];
    try {
      answers = await Promise.all(consents.map((params) => h.callback(params, jar)));
    } finally {
      h.services.connections = real;
    }
    expect(answers.map(location).filter((l) => l.endsWith('reason=busy'))).toHaveLength(1);
    expect(revokes()).toBe(revokesBefore + 1);
    // The winner's grant is untouched.
    expect((await h.services.oauth.refresh(await refreshTokenOf(subscriberId))).accessToken).toBeTruthy();
  });

  it('two first connects racing with two accounts: the losing grant stays when another connection uses it', async () => {
    const other = h.newFeedToken();
    await h.connect(other, { email: 'race-shared@example.com' });
    const otherToken = await refreshTokenOf(await h.subscriberIdOf(other));
    const feedToken = h.newFeedToken();
    const jar = new CookieJar();
    const tabs = [await h.begin(feedToken, RETURN_TO, jar), await h.begin(feedToken, RETURN_TO, jar)];
    const emails = ['race-shared@example.com', 'race-solo@example.com'];
    const consents = [];
    for (const [i, tab] of tabs.entries())
      consents.push(await h.consent(location(tab.response), { email: emails[i] as string }));
    const real = h.services.connections;
    h.services.connections = readsMeetFirst(real, 2);
    try {
      await Promise.all(consents.map((params) => h.callback(params, jar)));
    } finally {
      h.services.connections = real;
    }
    // Whichever won, the other subscriber's grant (race-shared) still works.
    expect((await h.services.oauth.refresh(otherToken)).accessToken).toBeTruthy();
  });

  it('a reconnect landing while a disconnect runs: the disconnect ends it too, no token is left live', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'leaving@example.com' });
    const read = await h.services.connections.get(subscriberId);
    // The reconnect finishes between the disconnect's read and its delete (played here as the disconnect
    // reading the version from before it).
    await h.connect(feedToken, { email: 'arriving@example.com' });
    const newToken = await refreshTokenOf(subscriberId);
    const real = h.services.connections;
    h.services.connections = staleFirstRead(real, read as Connection);
    try {
      expect((await h.disconnect(feedToken)).statusCode).toBe(200);
    } finally {
      h.services.connections = real;
    }
    expect(await h.services.connections.get(subscriberId)).toBeUndefined();
    await expect(h.services.oauth.refresh(newToken)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('two tabs racing a first connect: the loser never revokes the grant behind the token the winner stored', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    const jar = new CookieJar();
    const tabs = [await h.begin(feedToken, RETURN_TO, jar), await h.begin(feedToken, RETURN_TO, jar)];
    const consents = [];
    for (const tab of tabs)
      consents.push(await h.consent(location(tab.response), { email: 'tabs@example.com' }));
    // Both callbacks read "no connection yet" before either stores one: one wins, the other finds it busy.
    const real = h.services.connections;
    h.services.connections = readsMeetFirst(real, 2);
    let answers: Awaited<ReturnType<typeof h.callback>>[];
    try {
      answers = await Promise.all(consents.map((params) => h.callback(params, jar)));
    } finally {
      h.services.connections = real;
    }
    expect(answers.map((answer) => new URL(location(answer)).searchParams.get('google')).sort()).toEqual([
      'connected',
      'error',
    ]);
    expect(answers.map(location).some((l) => l.endsWith('reason=busy'))).toBe(true);
    const connection = await h.services.connections.get(subscriberId);
    expect(connection?.status).toBe('connected');
    const refreshToken = await h.services.cipher.decrypt(connection?.refreshTokenCiphertext as string, {
      subscriberId,
      purpose: 'google_refresh_token',
    });
    expect((await h.services.oauth.refresh(refreshToken)).accessToken).toBeTruthy();
  });
});

/** The store, with its first `count` reads held until all of them have arrived (both tabs read before saving). */
function readsMeetFirst(store: ConnectionStore, count: number): ConnectionStore {
  let arrived = 0;
  let release: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    get: async (subscriberId) => {
      if (arrived < count) {
        arrived += 1;
        if (arrived === count) release();
        await allArrived;
      }
      return store.get(subscriberId);
    },
    save: (connection, expectedVersion) => store.save(connection, expectedVersion),
    markNeedsReauth: (subscriberId, refused, at) => store.markNeedsReauth(subscriberId, refused, at),
    remove: (subscriberId) => store.remove(subscriberId),
    listNeedsReauthSince: (cutoff) => store.listNeedsReauthSince(cutoff),
    removeVersion: (subscriberId, expectedVersion) => store.removeVersion(subscriberId, expectedVersion),
    othersOfGoogleAccount: (key, except) => store.othersOfGoogleAccount(key, except),
    listFeedGoneSince: (cutoff) => store.listFeedGoneSince(cutoff),
    noteFeedGone: (subscriberId, at) => store.noteFeedGone(subscriberId, at),
    clearFeedGone: (subscriberId) => store.clearFeedGone(subscriberId),
    markFeedGone: (subscriberId, since, refresh, at) => store.markFeedGone(subscriberId, since, refresh, at),
    markCalendarMissing: (subscriberId, calendarId, refresh, at) =>
      store.markCalendarMissing(subscriberId, calendarId, refresh, at),
    listCalendarMissingSince: (cutoff) => store.listCalendarMissingSince(cutoff),
  };
}

/** The store as a disconnect saw it: its first read gives the connection as it was before a reconnect. */
function staleFirstRead(store: ConnectionStore, before: Connection): ConnectionStore {
  let reads = 0;
  return {
    get: async (subscriberId) => (reads++ === 0 ? before : store.get(subscriberId)),
    save: (connection, expectedVersion) => store.save(connection, expectedVersion),
    markNeedsReauth: (subscriberId, refused, at) => store.markNeedsReauth(subscriberId, refused, at),
    remove: (subscriberId) => store.remove(subscriberId),
    listNeedsReauthSince: (cutoff) => store.listNeedsReauthSince(cutoff),
    removeVersion: (subscriberId, expectedVersion) => store.removeVersion(subscriberId, expectedVersion),
    othersOfGoogleAccount: (key, except) => store.othersOfGoogleAccount(key, except),
    listFeedGoneSince: (cutoff) => store.listFeedGoneSince(cutoff),
    noteFeedGone: (subscriberId, at) => store.noteFeedGone(subscriberId, at),
    clearFeedGone: (subscriberId) => store.clearFeedGone(subscriberId),
    markFeedGone: (subscriberId, since, refresh, at) => store.markFeedGone(subscriberId, since, refresh, at),
    markCalendarMissing: (subscriberId, calendarId, refresh, at) =>
      store.markCalendarMissing(subscriberId, calendarId, refresh, at),
    listCalendarMissingSince: (cutoff) => store.listCalendarMissingSince(cutoff),
  };
}
