import { describe, expect, it } from 'vitest';
import { ValidTokenCache } from '../../../lambdas/shared/adapters/feed/valid-token-cache.ts';

describe('feed tokens seen valid in this container', () => {
  const clock = (start = 0) => {
    let now = start;
    return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
  };

  it('trusts a valid verdict for its time only', () => {
    const time = clock();
    const cache = new ValidTokenCache({ ttlMs: 300_000, now: time.now });
    expect(cache.isValid('sub-1')).toBe(false);
    cache.rememberValid('sub-1');
    time.advance(299_999);
    expect(cache.isValid('sub-1')).toBe(true);
    expect(cache.isValid('sub-2')).toBe(false);
    time.advance(1);
    expect(cache.isValid('sub-1')).toBe(false);
  });

  it('keeps nothing when turned off, and a bounded number of subscribers otherwise', () => {
    const time = clock();
    const off = new ValidTokenCache({ ttlMs: 0, now: time.now });
    off.rememberValid('sub-1');
    expect(off.isValid('sub-1')).toBe(false);
    const small = new ValidTokenCache({ ttlMs: 1_000, now: time.now, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) small.rememberValid(id);
    expect(['a', 'b', 'c'].map((id) => small.isValid(id))).toEqual([false, true, true]);
  });
});
