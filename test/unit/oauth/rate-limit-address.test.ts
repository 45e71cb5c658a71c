import { describe, expect, it } from 'vitest';
import { rateLimitedAddress } from '../../../lambdas/shared/adapters/http/rate-limiter.ts';

describe('what a per-IP rate limit counts', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::', '2001:db8:1:2::/64'],
    ['2001:db8::1.2.3.4', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:192.0.2.5', '192.0.2.5'],
    ['::ffff:c000:205', '192.0.2.5'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (ip, expected) => {
    expect(rateLimitedAddress(ip)).toBe(expected);
  });

  it('puts every address of one /64 in one bucket, and other /64s in others', () => {
    const bucket = rateLimitedAddress('2001:db8:aa:bb::1');
    expect(rateLimitedAddress('2001:db8:aa:bb:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(rateLimitedAddress('2001:db8:aa:bc::1')).not.toBe(bucket);
  });
});
