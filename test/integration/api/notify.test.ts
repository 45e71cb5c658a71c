import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_NOW_PATH } from '../../../lambdas/oauth/router.ts';
import { hostSignatureHeaders } from '../../../lambdas/shared/adapters/http/host-signature.ts';
import { json } from '../oauth/harness.ts';
import { ApiHarness, HOST_KEYS, sha256Hex } from './harness.ts';

/** POST /api/google-sync/notify: signed change notifications from the ICS service. */
describe('change notifications', () => {
  const h = new ApiHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());
  afterEach(async () => {
    h.clock.advance(61_000); // past the deduplication window
    await h.takeQueued();
  });

  it('each named connected subscriber gets exactly one immediate sync; unknown feeds are ignored silently', async () => {
    const ada = await h.connected('ada@example.com');
    const bob = await h.connected('bob@example.com');
    const waiting = await h.connected('waiting@example.com');
    const connection = await h.services.connections.get(waiting.subscriberId);
    await h.services.connections.markNeedsReauth(
      waiting.subscriberId,
      connection?.refreshTokenCiphertext as string,
      h.clock.date(),
    );
    const body = JSON.stringify({
      feeds: [
        sha256Hex(ada.feedToken),
        sha256Hex(bob.feedToken).toUpperCase(), // the same digest in upper case counts once
        sha256Hex(bob.feedToken),
        sha256Hex(waiting.feedToken),
        sha256Hex('a-feed-this-service-never-saw'),
      ],
    });
    const response = await h.notify(body);
    expect(response.statusCode).toBe(202);
    // Counts only: nothing says which feeds matched.
    expect(json(response)).toEqual({ accepted: true, received: 5, distinct: 4 });
    const queued = await h.takeQueued();
    expect(queued.map((r) => r.subscriberId).sort()).toEqual([ada.subscriberId, bob.subscriberId].sort());
    for (const request of queued) expect(request).toMatchObject({ reason: 'notified', delaySeconds: 0 });
  });

  it('notified again within the window: one sync at its end, then nothing more', async () => {
    const ada = await h.connected();
    expect((await h.notifyFeeds([ada.feedToken])).statusCode).toBe(202);
    expect((await h.takeQueued()).map((r) => r.delaySeconds)).toEqual([0]);
    h.clock.advance(1_000);
    expect((await h.notifyFeeds([ada.feedToken])).statusCode).toBe(202);
    const trailing = await h.takeQueued();
    expect(trailing).toHaveLength(1);
    expect(trailing[0]).toMatchObject({ subscriberId: ada.subscriberId, reason: 'notified' });
    expect(trailing[0]?.delaySeconds).toBeGreaterThanOrEqual(1);
    expect(trailing[0]?.delaySeconds).toBeLessThanOrEqual(60);
    for (let i = 0; i < 3; i++) expect((await h.notifyFeeds([ada.feedToken])).statusCode).toBe(202);
    expect(await h.takeQueued()).toEqual([]);
    h.clock.advance(60_000);
    expect((await h.notifyFeeds([ada.feedToken])).statusCode).toBe(202);
    expect((await h.takeQueued()).map((r) => r.delaySeconds)).toEqual([0]);
  });

  it('key rotation: both keys of the ring are accepted, any other is not', async () => {
    const ada = await h.connected();
    const body = JSON.stringify({ feeds: [sha256Hex(ada.feedToken)] });
    expect((await h.notify(body, { keyId: 'current', key: HOST_KEYS.current })).statusCode).toBe(202);
    h.clock.advance(61_000);
    expect((await h.notify(body, { keyId: 'previous', key: HOST_KEYS.previous })).statusCode).toBe(202);
    expect((await h.takeQueued()).map((r) => r.subscriberId)).toEqual([ada.subscriberId, ada.subscriberId]);
    // The right id with another key, and a key under the other id, are refused.
    const wrongKey = await h.notify(body, { keyId: 'current', key: randomBytes(32) });
    expect(json(wrongKey)).toMatchObject({ error: 'bad_signature' });
    const swapped = await h.notify(body, { keyId: 'previous', key: HOST_KEYS.current });
    expect(json(swapped)).toMatchObject({ error: 'bad_signature' });
  });

  describe('refused with a reason, and nothing is enqueued', () => {
    let feedToken = '';
    let body = '';
    beforeAll(async () => {
      feedToken = (await h.connected()).feedToken;
      body = JSON.stringify({ feeds: [sha256Hex(feedToken)] });
    });
    afterEach(async () => {
      expect(await h.takeQueued()).toEqual([]);
    });

    const expectRefusal = (response: Awaited<ReturnType<typeof h.notify>>, status: number, error: string) => {
      expect(response.statusCode).toBe(status);
      expect(json(response)).toMatchObject({ error, message: expect.any(String) });
      expect(response.body).not.toMatch(/\n\s+at /);
    };

    it('an unknown key id: 401', async () => {
      expectRefusal(await h.notify(body, { keyId: 'retired', key: HOST_KEYS.current }), 401, 'unknown_key');
    });

    it('a signature that does not match (tampered body, other path, other method): 401', async () => {
      const tampered = JSON.stringify({ feeds: [sha256Hex(`${feedToken}x`)] });
      expectRefusal(await h.notify(tampered, { signedBody: body }), 401, 'bad_signature');
      const forOtherPath = hostSignatureHeaders('current', HOST_KEYS.current, {
        timestamp: String(Math.floor(h.clock.now() / 1000)),
        method: 'POST',
        path: SYNC_NOW_PATH,
        body,
      });
      expectRefusal(await h.notify(body, { headers: forOtherPath }), 401, 'bad_signature');
      const forGet = hostSignatureHeaders('current', HOST_KEYS.current, {
        timestamp: String(Math.floor(h.clock.now() / 1000)),
        method: 'GET',
        path: '/api/google-sync/notify',
        body,
      });
      expectRefusal(await h.notify(body, { headers: forGet }), 401, 'bad_signature');
    });

    it('a timestamp more than 5 minutes away, either way: 401', async () => {
      const now = Math.floor(h.clock.now() / 1000);
      expectRefusal(await h.notify(body, { timestamp: now - 301 }), 401, 'timestamp_out_of_range');
      expectRefusal(await h.notify(body, { timestamp: now + 301 }), 401, 'timestamp_out_of_range');
    });

    it('a replayed request (same nonce): 409, even signed again with the other key', async () => {
      const nonce = randomBytes(18).toString('base64url');
      expect((await h.notify(body, { nonce })).statusCode).toBe(202);
      expect(await h.takeQueued()).toHaveLength(1);
      h.clock.advance(61_000);
      expectRefusal(await h.notify(body, { nonce }), 409, 'replayed_nonce');
      expectRefusal(
        await h.notify(body, { nonce, keyId: 'previous', key: HOST_KEYS.previous }),
        409,
        'replayed_nonce',
      );
    });

    it('missing or malformed signature headers: 401', async () => {
      expectRefusal(
        await h.invokeNotify({ headers: { 'Content-Type': 'application/json' }, body }),
        401,
        'signature_missing',
      );
      expectRefusal(
        await h.notify(body, { headers: { 'X-Signature': 'not base64url!' } }),
        401,
        'signature_malformed',
      );
      expectRefusal(await h.notify(body, { nonce: 'short' }), 401, 'signature_malformed');
      expectRefusal(
        await h.notify(body, { headers: { 'X-Signature-Timestamp': '2026-01-01T00:00:00Z' } }),
        401,
        'signature_malformed',
      );
    });

    it('an oversized body or too many entries: 413', async () => {
      const huge = JSON.stringify({ feeds: [sha256Hex(feedToken)], padding: 'x'.repeat(90_000) });
      expectRefusal(await h.notify(huge), 413, 'too_large');
      const many = JSON.stringify({ feeds: Array.from({ length: 1001 }, (_, i) => sha256Hex(`feed-${i}`)) });
      expectRefusal(await h.notify(many), 413, 'too_large');
    });

    it('garbage JSON, a wrong shape or another media type: 4xx', async () => {
      expectRefusal(await h.notify('{"feeds": ['), 400, 'invalid_json');
      // Signed, but `feeds` twice: refused rather than "the last one wins".
      expectRefusal(await h.notify(`{"feeds":[],"feeds":["${sha256Hex(feedToken)}"]}`), 400, 'invalid_json');
      expectRefusal(await h.notify(JSON.stringify({ feeds: ['not-a-digest'] })), 400, 'invalid_request');
      expectRefusal(await h.notify(JSON.stringify({ feeds: [], extra: 1 })), 400, 'invalid_request');
      expectRefusal(await h.notify(JSON.stringify([sha256Hex(feedToken)])), 400, 'invalid_request');
      expectRefusal(await h.notify(body, { contentType: 'text/plain' }), 415, 'unsupported_media_type');
    });
  });

  it('answers 202 with zero counts for an empty list', async () => {
    const response = await h.notify(JSON.stringify({ feeds: [] }));
    expect(response.statusCode).toBe(202);
    expect(json(response)).toEqual({ accepted: true, received: 0, distinct: 0 });
  });
});
