import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { header } from '../../support/api-gateway.ts';
import { json } from '../oauth/harness.ts';
import { ApiHarness } from './harness.ts';

/** POST /api/google-sync: "sync now" with the feed token, against dynalite, fauxqs and the Google emulator. */
describe('sync now', () => {
  const h = new ApiHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());
  afterEach(async () => {
    h.clock.advance(61_000); // a new rate-limit window for the next test
    await h.takeQueued();
  });

  it('the connect enqueues the first sync through the same path, and stores the feed lookup key', async () => {
    const feedToken = h.newFeedToken();
    await h.connect(feedToken);
    const subscriberId = await h.subscriberIdOf(feedToken);
    expect(await h.takeQueued()).toEqual([
      expect.objectContaining({ subscriberId, reason: 'connected', delaySeconds: 0 }),
    ]);
    const connection = await h.services.connections.get(subscriberId);
    expect(connection?.feedLookupKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 202 and enqueues exactly one immediate sync', async () => {
    const { feedToken, subscriberId } = await h.connected();
    const response = await h.syncNow(feedToken);
    expect(response.statusCode).toBe(202);
    expect(json(response)).toEqual({ queued: true });
    const queued = await h.takeQueued();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ subscriberId, reason: 'manual', delaySeconds: 0 });
    expect(Date.parse(queued[0]?.requestedAt as string)).toBe(h.clock.now());
  });

  it('401 for a missing, malformed or unknown token, and nothing is enqueued', async () => {
    const missing = await h.syncNow(undefined);
    expect(missing.statusCode).toBe(401);
    expect(json(missing).error).toBe('missing_token');
    expect(header(missing, 'WWW-Authenticate')).toBe('Bearer');
    for (const token of ['short', 'has spaces in it', 'bad/characters!', 'x'.repeat(300)]) {
      const response = await h.syncNow(token);
      expect(response.statusCode, token).toBe(401);
      expect(json(response).error).toBe('invalid_token');
    }
    const unknown = await h.syncNow('well-formed-but-unknown-token');
    expect(unknown.statusCode).toBe(401);
    expect(json(unknown)).toMatchObject({ error: 'invalid_token', message: expect.any(String) });
    expect(await h.takeQueued()).toEqual([]);
  });

  it('a subscriber that is not connected, or waits for a reconnect: 409 with a reason', async () => {
    const stranger = h.newFeedToken();
    const notConnected = await h.syncNow(stranger);
    expect(notConnected.statusCode).toBe(409);
    expect(json(notConnected)).toMatchObject({
      error: 'not_connected',
      message: expect.stringMatching(/Connect/),
    });

    const { feedToken, subscriberId } = await h.connected('reauth@example.com');
    const connection = await h.services.connections.get(subscriberId);
    await h.services.connections.markNeedsReauth(
      subscriberId,
      connection?.refreshTokenCiphertext as string,
      h.clock.date(),
    );
    const needsReauth = await h.syncNow(feedToken);
    expect(needsReauth.statusCode).toBe(409);
    expect(json(needsReauth).error).toBe('needs_reauth');
    expect(await h.takeQueued()).toEqual([]);
  });

  it('once a minute per subscriber: then 429 with Retry-After, from any IP', async () => {
    const { feedToken, subscriberId } = await h.connected();
    expect((await h.syncNow(feedToken, '203.0.113.1')).statusCode).toBe(202);
    const limited = await h.syncNow(feedToken, '203.0.113.2');
    expect(limited.statusCode).toBe(429);
    expect(json(limited).error).toBe('rate_limited');
    const retryAfter = Number(header(limited, 'Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await h.takeQueued()).map((r) => r.subscriberId)).toEqual([subscriberId]);
    h.clock.advance(retryAfter * 1000);
    expect((await h.syncNow(feedToken)).statusCode).toBe(202);
  });

  it('per IP: the 21st request of a window from one address is refused before any work', async () => {
    const ip = '198.18.0.7';
    for (let i = 0; i < 20; i++) expect((await h.syncNow('bad token', ip)).statusCode).toBe(401);
    const limited = await h.syncNow('bad token', ip);
    expect(limited.statusCode).toBe(429);
    expect(header(limited, 'Retry-After')).toMatch(/^\d+$/);
  });
});
