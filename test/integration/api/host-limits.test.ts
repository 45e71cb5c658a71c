import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DISCONNECT_PATH, STATUS_PATH, SYNC_NOW_PATH } from '../../../lambdas/oauth/rules/paths.ts';
import { hostSignatureHeaders } from '../../../lambdas/shared/adapters/http/host-signature.ts';
import { header } from '../../support/api-gateway.ts';
import { BASE, INTENT_KEY_IDS, INTENT_KEYS, json } from '../oauth/harness.ts';
import { ApiHarness } from './harness.ts';

/**
 * The host's server-to-server calls sign like change notifications and get limits of their own (per host key,
 * not per IP); per-IP counters count only failed authentications, and per-subscriber counters only proven
 * requests. Each case is an attack or a starvation the per-IP and per-subscriber limits used to allow.
 */
describe('the host is authenticated, and only failures count', () => {
  const h = new ApiHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());
  afterEach(async () => {
    h.clock.advance(61_000); // a new rate-limit window for the next test
    await h.takeQueued();
  });

  /** Signed by the host's server, as the demo host and the README's example do (OAuth keys: HOST_KEYS). */
  function signed(
    method: 'GET' | 'POST',
    path: string,
    body = '',
    key = INTENT_KEYS.current,
  ): Record<string, string> {
    return hostSignatureHeaders(INTENT_KEY_IDS.current, key, {
      method,
      path,
      body,
      timestamp: String(Math.floor(h.clock.now() / 1000)),
    });
  }

  const status = (feedToken: string, sourceIp: string, headers: Record<string, string> = {}) =>
    h.invoke({
      method: 'GET',
      path: STATUS_PATH,
      headers: { Authorization: `Bearer ${feedToken}`, ...headers },
      sourceIp,
    });
  const signedStatus = (feedToken: string, sourceIp: string) =>
    status(feedToken, sourceIp, signed('GET', STATUS_PATH));

  const syncNow = (feedToken: string, sourceIp: string, headers: Record<string, string> = {}) =>
    h.invoke({
      method: 'POST',
      path: SYNC_NOW_PATH,
      headers: { Authorization: `Bearer ${feedToken}`, ...headers },
      sourceIp,
    });
  const signedSyncNow = (feedToken: string, sourceIp: string) =>
    syncNow(feedToken, sourceIp, signed('POST', SYNC_NOW_PATH));

  it('20 "sync now" calls with a bogus token from the host’s address do not fail another subscriber’s', async () => {
    const hostIp = '203.0.113.10';
    const { feedToken, subscriberId } = await h.connected();
    for (let i = 0; i < 20; i++) {
      expect((await syncNow(`bogus-token-${i}-0000`, hostIp)).statusCode).toBe(401);
    }
    // The failures did count: an unsigned request from that address is refused before any work...
    expect((await syncNow(feedToken, hostIp)).statusCode).toBe(429);
    // ...but the host's signed call is the host's, whatever address it comes from.
    const response = await signedSyncNow(feedToken, hostIp);
    expect(response.statusCode).toBe(202);
    expect((await h.takeQueued()).map((r) => r.subscriberId)).toEqual([subscriberId]);
  });

  it('121 signed status calls from one server exhaust nothing (the old limits: 120 per IP, 30 per subscriber)', async () => {
    const hostIp = '203.0.113.11';
    const feedTokens = [h.newFeedToken(), h.newFeedToken(), h.newFeedToken()];
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) {
      statuses.push((await signedStatus(feedTokens[i % 3] as string, hostIp)).statusCode);
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // The subscriber's own unsigned budget is untouched too.
    expect((await status(feedTokens[0] as string, '203.0.113.12')).statusCode).toBe(200);
  });

  it('a leaked feed token spends nothing of the host’s budget for its subscriber', async () => {
    const { feedToken } = await h.connected();
    // Whoever holds the token uses up the unsigned budgets: 1 "sync now" and 30 status calls a minute.
    expect((await syncNow(feedToken, '198.18.1.1')).statusCode).toBe(202);
    expect((await syncNow(feedToken, '198.18.1.2')).statusCode).toBe(429);
    for (let i = 0; i < 30; i++) await status(feedToken, `198.18.2.${i}`);
    expect((await status(feedToken, '198.18.3.1')).statusCode).toBe(429);
    // The host's signed calls for that subscriber still go through.
    expect((await signedSyncNow(feedToken, '203.0.113.13')).statusCode).toBe(202);
    expect((await signedStatus(feedToken, '203.0.113.13')).statusCode).toBe(200);
  });

  it('10 starts without an intent do not block the real connect', async () => {
    const feedToken = h.newFeedToken();
    for (let i = 0; i < 10; i++) {
      const refused = await h.postStart({ token: feedToken, return_to: 'https://app.example.test/settings' });
      expect(refused.statusCode).toBe(403);
    }
    const { response } = await h.connect(feedToken);
    expect(response.statusCode).toBe(302);
    expect(response.headers?.Location).toMatch(/google=connected/);
  });

  it('after 120 unsigned notifications from an address, a correctly signed one from it is accepted', async () => {
    const hostIp = '203.0.113.14';
    const body = JSON.stringify({ feeds: [] });
    const unsigned = () =>
      h.invokeNotify({ headers: { 'Content-Type': 'application/json' }, body, sourceIp: hostIp });
    for (let i = 0; i < 120; i++) expect((await unsigned()).statusCode).toBe(401);
    expect((await unsigned()).statusCode).toBe(429);
    expect((await h.notify(body, { sourceIp: hostIp })).statusCode).toBe(202);
  });

  it('signed host calls from one address go beyond the old per-IP limits', async () => {
    const hostIp = '203.0.113.15';
    const answers: number[] = [];
    for (let i = 0; i < 25; i++) {
      // Not connected: 409, never 429.
      answers.push((await signedSyncNow(h.newFeedToken(), hostIp)).statusCode);
    }
    expect(new Set(answers)).toEqual(new Set([409]));
    const disconnects: number[] = [];
    for (let i = 0; i < 25; i++) {
      const feedToken = h.newFeedToken();
      const body = JSON.stringify({ intent: h.mintIntent('disconnect', feedToken) });
      const response = await h.invoke({
        method: 'POST',
        path: DISCONNECT_PATH,
        headers: {
          Authorization: `Bearer ${feedToken}`,
          'Content-Type': 'application/json',
          ...signed('POST', DISCONNECT_PATH, body),
        },
        body,
        sourceIp: hostIp,
      });
      disconnects.push(response.statusCode);
    }
    expect(new Set(disconnects)).toEqual(new Set([200]));
    const notifications: number[] = [];
    for (let i = 0; i < 130; i++) {
      notifications.push((await h.notify(JSON.stringify({ feeds: [] }), { sourceIp: hostIp })).statusCode);
    }
    expect(new Set(notifications)).toEqual(new Set([202]));
  });

  it('a bad signature is refused with a 4xx and counts against the IP; a replayed one too', async () => {
    const ip = '198.18.9.9';
    const feedToken = h.newFeedToken();
    const forged = await status(feedToken, ip, signed('GET', STATUS_PATH, '', randomBytes(32)));
    expect(forged.statusCode).toBe(401);
    expect(json(forged).error).toBe('bad_signature');
    // Signed for another route: the signature covers the path.
    const elsewhere = await status(feedToken, ip, signed('GET', `${BASE}/disconnect`));
    expect(json(elsewhere).error).toBe('bad_signature');
    const once = signed('GET', STATUS_PATH);
    expect((await status(feedToken, ip, once)).statusCode).toBe(200);
    const replayed = await status(feedToken, ip, once);
    expect(replayed.statusCode).toBe(409);
    expect(json(replayed).error).toBe('replayed_nonce');
    // 3 failures so far; status allows 120 a minute per IP (RATE_LIMIT_STATUS_PER_IP).
    for (let i = 0; i < 117; i++) {
      const bad = await status(feedToken, ip, signed('GET', STATUS_PATH, '', randomBytes(32)));
      expect(bad.statusCode).toBe(401);
    }
    // The 121st bad signature, and any unsigned request from the address, are refused.
    const limited = await status(feedToken, ip, signed('GET', STATUS_PATH, '', randomBytes(32)));
    expect(limited.statusCode).toBe(429);
    expect(Number(header(limited, 'Retry-After'))).toBeGreaterThan(0);
    expect((await status(feedToken, ip)).statusCode).toBe(429);
    // The host's own signature still counts for the host.
    expect((await signedStatus(feedToken, ip)).statusCode).toBe(200);
  });
});

describe('with CONNECT_INTENTS=token_only (a host that cannot sign yet)', () => {
  const h = new ApiHarness();
  beforeAll(async () => {
    await h.open({ env: { CONNECT_INTENTS: 'token_only', RATE_LIMIT_STATUS_PER_IP: '3' } });
  });
  afterAll(async () => h.close());

  it('unsigned feed-token calls work, only their failures count per IP, and signature headers are ignored', async () => {
    const ip = '198.18.20.1';
    const feedToken = h.newFeedToken();
    const statusFrom = (token: string, headers: Record<string, string> = {}) =>
      h.invoke({
        method: 'GET',
        path: STATUS_PATH,
        headers: { Authorization: `Bearer ${token}`, ...headers },
        sourceIp: ip,
      });
    // Successes do not use up the IP's 3.
    for (let i = 0; i < 5; i++) expect((await statusFrom(feedToken)).statusCode).toBe(200);
    // No host keys here: a signature is neither checked nor honoured.
    const ignored = hostSignatureHeaders('anything', randomBytes(32), {
      method: 'GET',
      path: STATUS_PATH,
      body: '',
    });
    expect((await statusFrom(feedToken, ignored)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await statusFrom(`unknown-token-${i}-0000`)).statusCode).toBe(401);
    expect((await statusFrom(feedToken)).statusCode).toBe(429);
  });
});
