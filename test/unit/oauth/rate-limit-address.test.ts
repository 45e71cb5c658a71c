import { describe, expect, it } from 'vitest';
import { ipv6Allocation, rateLimitedAddress } from '../../../lambdas/shared/adapters/http/rate-limiter.ts';

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

describe('what the secondary IPv6 limit counts: the /48', () => {
  it.each([
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1::/48'],
    ['2001:DB8:1:ffff::9', '2001:db8:1::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    ['203.0.113.7', undefined],
    ['::ffff:192.0.2.5', undefined],
    ['unknown', undefined],
  ])('%s counts as %s', (ip, expected) => {
    expect(ipv6Allocation(ip)).toBe(expected);
  });

  it('puts every /64 of one /48 in one bucket', () => {
    expect(ipv6Allocation('2001:db8:aa:1::1')).toBe(ipv6Allocation('2001:db8:aa:ffff::1'));
    expect(ipv6Allocation('2001:db8:ab:1::1')).not.toBe(ipv6Allocation('2001:db8:aa:1::1'));
  });
});
