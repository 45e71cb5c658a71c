/**
 * The warm container's access-token cache is bounded: a worker sees a random share of all subscribers, so an
 * unbounded cache would grow with every subscriber it ever synced. Real connections (the connect flow against
 * the Google emulator), the real OAuth client, only its refreshes counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachingAccessTokenProvider } from '../../../lambdas/shared/adapters/google/access-token-provider.ts';
import type { OAuthClient } from '../../../lambdas/shared/ports/oauth-client.ts';
import { OAuthHarness } from './harness.ts';

describe('the access-token cache', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());

  /** The harness's OAuth client, its refreshes counted. */
  function countingOAuth(): { oauth: OAuthClient; refreshes: string[] } {
    const real = h.services.oauth;
    const refreshes: string[] = [];
    const oauth: OAuthClient = {
      authorizationUrl: (request) => real.authorizationUrl(request),
      exchangeCode: (exchange) => real.exchangeCode(exchange),
      refresh: (refreshToken) => {
        refreshes.push(refreshToken);
        return real.refresh(refreshToken);
      },
      revoke: (token) => real.revoke(token),
    };
    return { oauth, refreshes };
  }

  it('keeps at most its capacity of tokens: the least recently used is refreshed again', async () => {
    const subscribers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const feedToken = h.newFeedToken();
      await h.connect(feedToken, { email: `cache-${i}@example.com` });
      subscribers.push(await h.subscriberIdOf(feedToken));
    }
    const [first, second, third] = subscribers as [string, string, string];
    const { oauth, refreshes } = countingOAuth();
    const provider = new CachingAccessTokenProvider({
      connections: h.services.connections,
      cipher: h.services.cipher,
      oauth,
      refreshMarginMs: 300_000,
      now: h.clock.date,
      cacheCapacity: 2,
    });
    await provider.accessTokenFor(first);
    await provider.accessTokenFor(second);
    await provider.accessTokenFor(second);
    expect(refreshes).toHaveLength(2);
    // A third subscriber pushes out the least recently used: the first.
    await provider.accessTokenFor(third);
    await provider.accessTokenFor(second);
    await provider.accessTokenFor(third);
    expect(refreshes).toHaveLength(3);
    await provider.accessTokenFor(first);
    expect(refreshes).toHaveLength(4);
  });
});
