import { describe, expect, it } from 'vitest';
import { recentlySynced, spreadDelaySeconds } from '../../../lambdas/shared/domain/sync-schedule.ts';

describe('spreading scheduled syncs over the interval', () => {
  const ids = Array.from({ length: 9_000 }, (_, i) => `subscriber-${i}`);

  it('gives each subscriber the same slot on every tick, inside the interval', () => {
    for (const id of ids.slice(0, 100)) {
      const delay = spreadDelaySeconds(id, 900);
      expect(delay).toBe(spreadDelaySeconds(id, 900));
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(900);
    }
  });

  it('spreads subscribers evenly: every minute of 15 gets its share', () => {
    const minutes = ids.map((id) => Math.floor(spreadDelaySeconds(id, 900) / 60));
    const perMinute = Array.from({ length: 15 }, (_, minute) => minutes.filter((m) => m === minute).length);
    for (const count of perMinute) expect(Math.abs(count - 600)).toBeLessThan(100);
  });

  it('spreads over at most 15 minutes (the longest SQS delay), and over shorter intervals whole', () => {
    expect(Math.max(...ids.map((id) => spreadDelaySeconds(id, 3_600)))).toBeLessThan(900);
    expect(Math.max(...ids.map((id) => spreadDelaySeconds(id, 300)))).toBeLessThan(300);
    expect(spreadDelaySeconds('x', 0)).toBe(0);
  });
});

describe('telling a repeated tick from the next one', () => {
  const now = new Date('2026-05-04T10:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it('skips a subscriber synced within the interval, less the tolerance', () => {
    expect(recentlySynced(ago(5_000), now, 900)).toBe(true);
    expect(recentlySynced(ago(12 * 60_000), now, 900)).toBe(true);
  });

  it('runs the regular next tick even when it comes a little early', () => {
    expect(recentlySynced(ago(14 * 60_000), now, 900)).toBe(false);
    expect(recentlySynced(ago(15 * 60_000), now, 900)).toBe(false);
    // A 4-minute interval tolerates a quarter of it.
    expect(recentlySynced(ago(3 * 60_000 + 1_000), now, 240)).toBe(false);
    expect(recentlySynced(ago(2 * 60_000), now, 240)).toBe(true);
  });

  it('runs a subscriber never synced or with an unreadable time', () => {
    expect(recentlySynced(undefined, now, 900)).toBe(false);
    expect(recentlySynced('not a time', now, 900)).toBe(false);
  });
});
