import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  feedUrlFor,
  isWellFormedFeedToken,
  SubscriberIdentity,
} from '../../../lambdas/oauth/rules/feed-token.ts';

const SECRET = 'a-server-secret-that-is-long-enough-for-hmac';

describe('feed tokens', () => {
  it('derives the subscriber id as HMAC-SHA256(secret, token) in hex', async () => {
    const identity = new SubscriberIdentity(async () => SECRET);
    const expected = createHmac('sha256', SECRET).update('tok-abc-123456').digest('hex');
    expect(await identity.subscriberIdFor('tok-abc-123456')).toBe(expected);
    expect(await identity.subscriberIdFor('tok-abc-123457')).not.toBe(expected);
  });

  it('keys IPs apart from tokens', async () => {
    const identity = new SubscriberIdentity(async () => SECRET);
    expect(await identity.ipKey('203.0.113.1')).toMatch(/^[0-9a-f]{32}$/);
    expect(await identity.ipKey('203.0.113.1')).not.toBe(
      (await identity.subscriberIdFor('203.0.113.1')).slice(0, 32),
    );
    // IP keys hash `ip:<address>`, which no well-formed feed token can be.
    expect(isWellFormedFeedToken('ip:203.0.113.1')).toBe(false);
  });

  it('loads the secret once, and again after a failure', async () => {
    let loads = 0;
    const identity = new SubscriberIdentity(async () => {
      loads += 1;
      if (loads === 1) throw new Error('secret service down');
      return SECRET;
    });
    await expect(identity.subscriberIdFor('tok-abc-123456')).rejects.toThrow('secret service down');
    await identity.subscriberIdFor('tok-abc-123456');
    await identity.subscriberIdFor('tok-abc-123456');
    expect(loads).toBe(2);
  });

  it.each(['abcdefgh', 'A1_b2-C3.d4~', 'x'.repeat(256)])('accepts %s', (token) => {
    expect(isWellFormedFeedToken(token)).toBe(true);
  });

  it.each([
    'short',
    'x'.repeat(257),
    'has space',
    'slash/inside',
    '../../etc',
    'percent%2F',
    'ünïcode12',
    'a:b:c:d:e',
  ])('refuses %s', (token) => {
    expect(isWellFormedFeedToken(token)).toBe(false);
  });

  it('builds the feed URL with the token URL-encoded in place of {token}', () => {
    expect(feedUrlFor('https://cal.example.com/ics/{token}.ics', 'a~b.c-d_e')).toBe(
      'https://cal.example.com/ics/a~b.c-d_e.ics',
    );
  });
});
