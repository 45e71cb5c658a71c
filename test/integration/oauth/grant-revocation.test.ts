import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStore } from '../../../lambdas/shared/ports/connection-store.ts';
import { CookieJar } from '../../support/api-gateway.ts';
import { json, location, OAuthHarness, RETURN_TO } from './harness.ts';

/**
 * Google documents revocation per token; if it revokes the whole grant instead, revoking the previous refresh
 * token on a reconnect kills the new one too. The callback notices (a refresh of the new token fails) and asks
 * for consent once more, this time leaving the dead previous token alone.
 */
describe('reconnect when Google revokes per grant', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open({ emulator: { tokens: { revocation: 'grant' } } });
  });
  afterAll(async () => h.close());

  it('asks for consent a second time and ends connected with a live token', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'grant@example.com' });
    const calendarId = (await h.services.connections.get(subscriberId))?.calendarId;

    const { response, jar } = await h.begin(feedToken);
    const first = await h.callback(await h.consent(location(response), { email: 'grant@example.com' }), jar);
    expect(new URL(location(first)).origin).toBe(new URL(h.google.baseUrl).origin);
    jar.store(first);
    // Until the second consent comes back, the dead token is not shown as connected (nor synced with).
    const waiting = await h.services.connections.get(subscriberId);
    expect(waiting).toMatchObject({ status: 'needs_reauth', scheduled: false, calendarId });
    expect(waiting?.refreshTokenCiphertext).toBeUndefined();
    expect(json(await h.status(feedToken))).toMatchObject({ status: 'needs_reauth', needsReauth: true });

    const second = await h.callback(await h.consent(location(first), { email: 'grant@example.com' }), jar);
    expect(location(second)).toBe(`${RETURN_TO}?google=connected`);
    const connection = await h.services.connections.get(subscriberId);
    expect(connection).toMatchObject({ calendarId, status: 'connected', scheduled: true });
    expect(connection?.needsReauthSince).toBeUndefined();
    const refreshToken = await h.services.cipher.decrypt(connection?.refreshTokenCiphertext as string, {
      subscriberId,
      purpose: 'google_refresh_token',
    });
    expect((await h.services.oauth.refresh(refreshToken)).accessToken).toBeTruthy();
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
  };
}
