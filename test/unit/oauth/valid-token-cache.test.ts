import { describe, expect, it } from 'vitest';
import { ValidTokenCache } from '../../../lambdas/shared/adapters/feed/valid-token-cache.ts';
import { ManualClock } from '../../support/clock.ts';

describe('feed tokens seen valid in this container', () => {
  it('trusts a valid verdict for its time only', () => {
    const time = new ManualClock();
    const cache = new ValidTokenCache({ ttlMs: 300_000, now: time.date });
    expect(cache.isValid('sub-1')).toBe(false);
    cache.rememberValid('sub-1');
    time.advance(299_999);
    expect(cache.isValid('sub-1')).toBe(true);
    expect(cache.isValid('sub-2')).toBe(false);
    time.advance(1);
    expect(cache.isValid('sub-1')).toBe(false);
  });

  it('keeps nothing when turned off, and a bounded number of subscribers otherwise', () => {
    const time = new ManualClock();
    const off = new ValidTokenCache({ ttlMs: 0, now: time.date });
    off.rememberValid('sub-1');
    expect(off.isValid('sub-1')).toBe(false);
    const small = new ValidTokenCache({ ttlMs: 1_000, now: time.date, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) small.rememberValid(id);
    expect(['a', 'b', 'c'].map((id) => small.isValid(id))).toEqual([false, true, true]);
  });
});
