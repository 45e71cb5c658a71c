import { describe, expect, it } from 'vitest';
import {
  type BreakerInput,
  DEFAULT_BREAKER_POLICY,
  decideBreaker,
} from '../../../lambdas/shared/domain/reconcile/breaker.ts';

const keys = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T01:00:00Z');
const soon = new Date('2026-01-01T00:01:00Z');

function decide(
  deletionKeys: string[],
  eventsInCalendar: number,
  previouslyHeld: BreakerInput['previouslyHeld'],
  at: Date,
  policy = DEFAULT_BREAKER_POLICY,
  feedEmpty = false,
) {
  return decideBreaker({ deletionKeys, eventsInCalendar, previouslyHeld, now: at, feedEmpty }, policy);
}

describe('decideBreaker', () => {
  it('lets through deletions of at most 20 events, whatever their share', () => {
    expect(decide(keys(20), 20, undefined, now)).toEqual({ hold: false, held: undefined });
  });

  it('lets through deletions of at most half of the events, however many', () => {
    expect(decide(keys(500), 1000, undefined, now).hold).toBe(false);
  });

  it('holds more than half and more than 20 on first sight', () => {
    const decision = decide(keys(21), 41, undefined, now);
    expect(decision.hold).toBe(true);
    expect(decision.held).toMatchObject({ count: 1, firstSeenAt: now.toISOString() });
  });

  it('applies them when a sync an hour later sees the very same deletions, in any order', () => {
    const first = decide(keys(30), 40, undefined, now);
    const second = decide(keys(30).reverse(), 40, first.held, later);
    expect(second).toEqual({ hold: false, held: undefined });
  });

  it('keeps holding a second sighting that comes less than the confirmation delay after the first', () => {
    const first = decide(keys(30), 40, undefined, now);
    const second = decide(keys(30), 40, first.held, soon);
    expect(second.hold).toBe(true);
    expect(second.held).toMatchObject({ count: 2, firstSeenAt: now.toISOString() });
    expect(decide(keys(30), 40, second.held, later)).toEqual({ hold: false, held: undefined });
  });

  it('holds every deletion of a feed that yields no event, however few, until confirmed an hour later', () => {
    const first = decide(keys(3), 3, undefined, now, DEFAULT_BREAKER_POLICY, true);
    expect(first.hold).toBe(true);
    expect(decide(keys(3), 3, first.held, soon, DEFAULT_BREAKER_POLICY, true).hold).toBe(true);
    expect(decide(keys(3), 3, first.held, later, DEFAULT_BREAKER_POLICY, true).hold).toBe(false);
    // An empty feed over an empty map deletes nothing: nothing to hold.
    expect(decide([], 0, undefined, now, DEFAULT_BREAKER_POLICY, true)).toEqual({
      hold: false,
      held: undefined,
    });
  });

  it('starts over when the feed shrank differently', () => {
    const first = decide(keys(30), 40, undefined, now);
    const second = decide(keys(30, 'other'), 40, first.held, later);
    expect(second.hold).toBe(true);
    expect(second.held).toMatchObject({ count: 1, firstSeenAt: later.toISOString() });
    expect(second.held?.keysHash).not.toBe(first.held?.keysHash);
  });

  it('follows a configured policy', () => {
    const strict = { ...DEFAULT_BREAKER_POLICY, minDeletions: 2, maxShare: 0.1, sightings: 3 };
    const first = decide(keys(3), 10, undefined, now, strict);
    const second = decide(keys(3), 10, first.held, later, strict);
    expect([first.hold, second.hold, second.held?.count]).toEqual([true, true, 2]);
    expect(decide(keys(3), 10, second.held, later, strict).hold).toBe(false);
    const quick = { ...DEFAULT_BREAKER_POLICY, minConfirmDelayMs: 0 };
    expect(decide(keys(30), 40, decide(keys(30), 40, undefined, now, quick).held, now, quick).hold).toBe(
      false,
    );
  });

  it('clears what it held once deletions no longer trip it', () => {
    const first = decide(keys(30), 40, undefined, now);
    expect(decide(keys(2), 40, first.held, later)).toEqual({ hold: false, held: undefined });
  });
});
