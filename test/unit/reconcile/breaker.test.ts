import { describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER_POLICY, decideBreaker } from '../../../lambdas/shared/domain/reconcile/breaker.ts';

const keys = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T01:00:00Z');

describe('decideBreaker', () => {
  it('lets through deletions of at most 20 events, whatever their share', () => {
    expect(decideBreaker(keys(20), 20, undefined, now)).toEqual({ hold: false, held: undefined });
  });

  it('lets through deletions of at most half of the events, however many', () => {
    expect(decideBreaker(keys(500), 1000, undefined, now).hold).toBe(false);
  });

  it('holds more than half and more than 20 on first sight', () => {
    const decision = decideBreaker(keys(21), 41, undefined, now);
    expect(decision.hold).toBe(true);
    expect(decision.held).toMatchObject({ count: 1, firstSeenAt: now.toISOString() });
  });

  it('applies them when the next sync sees the very same deletions, in any order', () => {
    const first = decideBreaker(keys(30), 40, undefined, now);
    const second = decideBreaker(keys(30).reverse(), 40, first.held, later);
    expect(second).toEqual({ hold: false, held: undefined });
  });

  it('starts over when the feed shrank differently', () => {
    const first = decideBreaker(keys(30), 40, undefined, now);
    const second = decideBreaker(keys(30, 'other'), 40, first.held, later);
    expect(second.hold).toBe(true);
    expect(second.held).toMatchObject({ count: 1, firstSeenAt: later.toISOString() });
    expect(second.held?.keysHash).not.toBe(first.held?.keysHash);
  });

  it('follows a configured policy', () => {
    const strict = { ...DEFAULT_BREAKER_POLICY, minDeletions: 2, maxShare: 0.1, sightings: 3 };
    const first = decideBreaker(keys(3), 10, undefined, now, strict);
    const second = decideBreaker(keys(3), 10, first.held, later, strict);
    expect([first.hold, second.hold, second.held?.count]).toEqual([true, true, 2]);
    expect(decideBreaker(keys(3), 10, second.held, later, strict).hold).toBe(false);
  });

  it('clears what it held once deletions no longer trip it', () => {
    const first = decideBreaker(keys(30), 40, undefined, now);
    expect(decideBreaker(keys(2), 40, first.held, later)).toEqual({ hold: false, held: undefined });
  });
});
