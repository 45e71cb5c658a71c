import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachingAccessTokenProvider } from '../../../lambdas/shared/adapters/google/access-token-provider.ts';
import type { Connection, ConnectionStore } from '../../../lambdas/shared/ports/connection-store.ts';
import { header, setCookies } from '../../support/api-gateway.ts';
import { BASE, DEFAULT_RETURN_TO, json, location, OAuthHarness, RETURN_TO } from './harness.ts';

/** Longer than the default time a warm container trusts a feed token it saw valid (5 minutes). */
const PAST_VALID_TOKEN_CACHE_MS = 301_000;

/** Findings of the security review of the connect flow: each attack, and how it is now refused. */
describe('OAuth connect flow: findings of the security review', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());

  const startWith = (feedToken: string, headers: Record<string, string>) =>
    h.invoke({ method: 'GET', path: `${BASE}/start`, query: { token: feedToken }, headers });

  describe('account-linking CSRF on start', () => {
    it("refuses a start link followed from another site (an attacker's token planted in a victim's browser)", async () => {
      const attackerToken = h.newFeedToken();
      const variants: Record<string, string>[] = [
        { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', Referer: 'https://evil.example/' },
        { 'Sec-Fetch-Site': 'cross-site' }, // Referer withheld
        { 'Sec-Fetch-Site': 'Cross-Site', Referer: 'https://app.example.test.evil.example/settings' },
        { 'Sec-Fetch-Site': 'cross-site', Referer: 'not a url' },
      ];
      for (const headers of variants) {
        const response = await startWith(attackerToken, headers);
        expect(response.statusCode).toBe(403);
        expect(header(response, 'Content-Type')).toMatch(/^text\/html/);
        expect(response.body).toMatch(/only be opened from the service’s own pages/);
        expect(header(response, 'Location')).toBeUndefined();
        expect(setCookies(response)).toEqual([]);
      }
    });

    it('still opens from the settings page (allow-listed, even on another site), same-site pages and typed URLs: the confirmation page, never Google', async () => {
      const feedToken = h.newFeedToken();
      const variants: Record<string, string>[] = [
        { 'Sec-Fetch-Site': 'cross-site', Referer: `${RETURN_TO}?tab=google` },
        { 'Sec-Fetch-Site': 'cross-site', Referer: new URL(DEFAULT_RETURN_TO).origin },
        { 'Sec-Fetch-Site': 'same-site', Referer: 'https://other.example.test/' },
        { 'Sec-Fetch-Site': 'same-origin' },
        { 'Sec-Fetch-Site': 'none' }, // typed, bookmarked or opened from an e-mail
        {}, // browsers without Fetch Metadata
      ];
      for (const headers of variants) {
        const response = await h.confirmationPage(
          { token: feedToken, intent: h.mintIntent('connect', feedToken) },
          headers,
        );
        expect(response.statusCode).toBe(200);
        expect(response.body).toContain('<form method="post" action="start">');
        expect(header(response, 'Location')).toBeUndefined();
      }
    });
  });

  describe('a sync worker refreshing with a token a reconnect replaced', () => {
    /** A second warm container (the sync worker) with its own access-token cache, on the same tables. */
    const worker = (connections: ConnectionStore = h.services.connections) =>
      new CachingAccessTokenProvider({
        connections,
        cipher: h.services.cipher,
        oauth: h.services.oauth,
        refreshMarginMs: 300_000,
        now: h.clock.date,
      });

    it('never wipes the token the reconnect stored (the refused one is no longer the stored one)', async () => {
      const feedToken = h.newFeedToken();
      const subscriberId = await h.subscriberIdOf(feedToken);
      await h.connect(feedToken, { email: 'stale@example.com' });
      const before = (await h.services.connections.get(subscriberId)) as Connection;
      // The worker read the connection just before the reconnect, and refreshes after it.
      const staleWorker = worker(staleFirstRead(h.services.connections, before));
      await h.connect(feedToken, { email: 'stale@example.com' });
      const reconnected = await h.services.connections.get(subscriberId);
      expect(reconnected?.refreshTokenCiphertext).not.toBe(before.refreshTokenCiphertext);

      const accessToken = await staleWorker.accessTokenFor(subscriberId);
      expect(await h.services.provisioner.exists(accessToken, before.calendarId)).toBe(true);
      expect(await h.services.connections.get(subscriberId)).toEqual(reconnected);
      expect(json(await h.status(feedToken))).toMatchObject({ status: 'connected' });
    });

    it("never serves a reconnected subscriber the previous account's cached access token", async () => {
      const feedToken = h.newFeedToken();
      const subscriberId = await h.subscriberIdOf(feedToken);
      await h.connect(feedToken, { email: 'first-account@example.com' });
      const syncWorker = worker();
      const firstAccountToken = await syncWorker.accessTokenFor(subscriberId);

      await h.connect(feedToken, { email: 'second-account@example.com' });
      const connection = (await h.services.connections.get(subscriberId)) as Connection;
      const token = await syncWorker.accessTokenFor(subscriberId);
      expect(token).not.toBe(firstAccountToken);
      expect(await h.services.provisioner.exists(token, connection.calendarId)).toBe(true);
      // The caller's own fresh read of the connection gives the same answer without another refresh.
      expect(await syncWorker.accessTokenFor(subscriberId, connection)).toBe(token);
    });
  });

  describe('disconnect with a feed token the ICS service no longer accepts', () => {
    it('lets the subscriber disconnect after a link reset (the stored copy of the token proves it)', async () => {
      const feedToken = h.newFeedToken();
      const subscriberId = await h.subscriberIdOf(feedToken);
      await h.connect(feedToken);
      h.feeds.feeds.delete(feedToken);
      h.clock.advance(PAST_VALID_TOKEN_CACHE_MS);
      expect((await h.status(feedToken)).statusCode).toBe(401);

      const response = await h.disconnect(feedToken);
      expect(response.statusCode).toBe(200);
      expect(json(response)).toEqual({ disconnected: true, googleAccess: 'revoked', calendar: 'kept' });
      expect(await h.services.connections.get(subscriberId)).toBeUndefined();
    });

    it('lets the subscriber disconnect while the ICS service is down, and still refuses without a connection', async () => {
      const feedToken = h.newFeedToken();
      const subscriberId = await h.subscriberIdOf(feedToken);
      await h.connect(feedToken);
      const neverConnected = h.newFeedToken();
      h.clock.advance(PAST_VALID_TOKEN_CACHE_MS);
      h.feeds.down = true;
      try {
        const response = await h.disconnect(feedToken);
        expect(response.statusCode).toBe(200);
        expect(json(response)).toMatchObject({ disconnected: true, googleAccess: 'revoked' });
        expect(await h.services.connections.get(subscriberId)).toBeUndefined();
        const refused = await h.disconnect(neverConnected);
        expect(refused.statusCode).toBe(503);
        expect(header(refused, 'Retry-After')).toBe('60');
      } finally {
        h.feeds.down = false;
      }
      h.feeds.feeds.delete(neverConnected);
      expect((await h.disconnect(neverConnected)).statusCode).toBe(401);
    });

    it('refuses when the stored copy is of another token, and keeps the connection', async () => {
      const feedToken = h.newFeedToken();
      const subscriberId = await h.subscriberIdOf(feedToken);
      await h.connect(feedToken);
      const stored = (await h.services.connections.get(subscriberId)) as Connection;
      const { version, ...rest } = stored;
      await h.services.connections.save(
        {
          ...rest,
          feedTokenCiphertext: await h.services.cipher.encrypt(`${feedToken}-other`, {
            subscriberId,
            purpose: 'feed_token',
          }),
        },
        version,
      );
      h.feeds.feeds.delete(feedToken);
      h.clock.advance(PAST_VALID_TOKEN_CACHE_MS);
      const response = await h.disconnect(feedToken);
      expect(response.statusCode).toBe(401);
      expect(json(response).error).toBe('invalid_token');
      expect((await h.services.connections.get(subscriberId))?.refreshTokenCiphertext).toBeDefined();
    });
  });

  it('return_to keeps only its page: a query of the caller does not reach the return page', async () => {
    const feedToken = h.newFeedToken();
    const { response } = await h.connect(feedToken, {
      returnTo: `${RETURN_TO}?reason=Your+account+is+locked.+Call+555-0100&google=error`,
    });
    expect(location(response)).toBe(`${RETURN_TO}?google=connected`);
  });

  it('per-IP limits count an IPv6 client by its /64 prefix', async () => {
    const answers: number[] = [];
    for (let i = 1; i <= 21; i++) {
      const response = await h.invoke({
        method: 'GET',
        path: `${BASE}/start`,
        query: { token: `unknown-token-v6-${i}000` },
        sourceIp: `2001:db8:77:1:${i.toString(16)}::${i}`,
      });
      answers.push(response.statusCode);
    }
    expect(answers.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(answers[20]).toBe(429);
    const otherPrefix = await h.invoke({
      method: 'GET',
      path: `${BASE}/start`,
      query: { token: 'unknown-token-v6-other' },
      sourceIp: '2001:db8:77:2::1',
    });
    expect(otherPrefix.statusCode).toBe(401);
  });

  it('polling the status does not download the feed each time; only a valid verdict is kept, for 5 minutes', async () => {
    const feedToken = h.newFeedToken();
    const downloads = () => h.feeds.requests;
    const first = downloads();
    for (let i = 0; i < 3; i++) expect((await h.status(feedToken)).statusCode).toBe(200);
    expect(downloads() - first).toBe(1);
    h.clock.advance(PAST_VALID_TOKEN_CACHE_MS);
    expect((await h.status(feedToken)).statusCode).toBe(200);
    expect(downloads() - first).toBe(2);

    const unknown = 'not-a-known-token-polled';
    const beforeUnknown = downloads();
    for (let i = 0; i < 2; i++) expect((await h.status(unknown)).statusCode).toBe(401);
    expect(downloads() - beforeUnknown).toBe(2);
  });
});

/** The store as a worker saw it: its first read gives the connection as it was before a concurrent reconnect. */
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
