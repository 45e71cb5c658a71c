import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPV6_48_FACTOR } from '../../../lambdas/shared/adapters/http/rate-limiter.ts';
import { BASE, OAuthHarness } from './harness.ts';

const HSTS = 'max-age=63072000; includeSubDomains';
const PER_IP = 2;

describe('HSTS on every answer, and the IPv6 /48 limit', () => {
  const h = new OAuthHarness();
  beforeAll(() => h.open({ env: { RATE_LIMIT_STATUS_PER_IP: String(PER_IP) } }));
  afterAll(() => h.close());

  const statusFrom = (sourceIp: string) =>
    h.invoke({
      method: 'GET',
      path: `${BASE}/status`,
      headers: { Authorization: 'Bearer not-a-known-token-1234' },
      sourceIp,
    });

  it('pages, JSON answers, redirects and refusals all carry Strict-Transport-Security', async () => {
    const feedToken = h.newFeedToken();
    const { response } = await h.connect(feedToken, { email: 'hsts@example.com' });
    const answers = [
      response, // the callback's redirect
      await h.status(feedToken), // JSON
      await h.status('not-a-known-token-5678'), // a JSON refusal
      await h.confirmationPage({ token: feedToken }), // the confirmation page
      await h.invoke({ method: 'GET', path: `${BASE}/callback`, query: {} }), // an HTML refusal
    ];
    for (const answer of answers) expect(answer.headers?.['Strict-Transport-Security']).toBe(HSTS);
  });

  it('one IPv6 /48 cannot rotate through /64s past a few times the per-IP limit', async () => {
    const limit = PER_IP * IPV6_48_FACTOR;
    const answers = [];
    // A fresh /64 for each request: each /64 alone stays under its limit.
    for (let n = 1; n <= limit + 1; n++) answers.push((await statusFrom(`2001:db8:48:${n}::1`)).statusCode);
    expect(answers.slice(0, limit).every((status) => status !== 429)).toBe(true);
    expect(answers[limit]).toBe(429);
    // Another allocation is not affected.
    expect((await statusFrom('2001:db8:49:1::1')).statusCode).not.toBe(429);
    // Nor is IPv4.
    expect((await statusFrom('192.0.2.44')).statusCode).not.toBe(429);
  });
});
