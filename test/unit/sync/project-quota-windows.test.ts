import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROJECT_QUOTA_WINDOWS,
  type ProjectQuotaPolicy,
  quotaWindowsOf,
  windowAt,
  windowStart,
} from '../../../lambdas/shared/domain/project-quota-windows.ts';

const policy = (quotaPerMinute: number, windows: Partial<ProjectQuotaPolicy> = {}): ProjectQuotaPolicy => ({
  ...DEFAULT_PROJECT_QUOTA_WINDOWS,
  ...windows,
  quotaPerMinute,
});

/** A small deterministic generator: the same "random" calls on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * The most units Google counts in any sliding minute when every window's share is spent at random instants and
 * each call reaches Google up to `lateWindows` windows after it started (the emulator's sliding window: a call at
 * `t` counts while `t > now - minute`).
 */
function worstMinute(p: ProjectQuotaPolicy, windowsRun: number, random: () => number): number {
  const { windowMs, unitsPerWindow } = quotaWindowsOf(p);
  const arrivals: number[] = [];
  for (let window = 0; window < windowsRun; window++) {
    for (let unit = 0; unit < unitsPerWindow; unit++) {
      const started = windowStart(window, { windowMs }) + random() * windowMs;
      // Just under the lateness the policy allows (a call late by a whole window more is outside it).
      arrivals.push(started + random() * p.lateWindows * windowMs * 0.999);
    }
  }
  arrivals.sort((a, b) => a - b);
  let worst = 0;
  let first = 0;
  for (let last = 0; last < arrivals.length; last++) {
    while ((arrivals[first] as number) <= (arrivals[last] as number) - p.minuteMs) first++;
    worst = Math.max(worst, last - first + 1);
  }
  return worst;
}

describe('the project quota windows', () => {
  it("cut Google's minute into 2-second windows, each with a 32nd of the quota", () => {
    expect(quotaWindowsOf(policy(10_000))).toEqual({
      windowMs: 2_000,
      unitsPerWindow: 312,
      reservationUnits: 39,
    });
    // 30 of the 32 shares fit in a minute: what a backlog can use at most.
    expect((30 * quotaWindowsOf(policy(10_000)).unitsPerWindow) / 10_000).toBeGreaterThan(0.93);
  });

  it('keep every sliding minute within the quota, calls arriving up to a window late included', () => {
    for (const [quota, seed] of [
      [10_000, 1],
      [1_200, 2],
      [97, 3],
    ] as const) {
      const p = policy(quota);
      expect(worstMinute(p, 120, seeded(seed))).toBeLessThanOrEqual(quota);
    }
    // Two late windows allowed: smaller shares, still within the quota.
    const lenient = policy(5_000, { lateWindows: 2 });
    expect(quotaWindowsOf(lenient).unitsPerWindow).toBe(151);
    expect(worstMinute(lenient, 120, seeded(4))).toBeLessThanOrEqual(5_000);
  });

  it('count every window that can reach one minute at Google (one fewer would let it go over)', () => {
    const p = policy(10_000);
    const { windowMs, unitsPerWindow } = quotaWindowsOf(p);
    // One call per window 0..31: window 0's at its last instant, reaching Google almost a window late; windows
    // 1..30 half a second in; window 31's at its first instant. All 32 arrive within less than a minute.
    const calls = Array.from({ length: 32 }, (_, window) => {
      if (window === 0) return { started: windowMs - 1, arrived: 2 * windowMs - 2 };
      const started = window === 31 ? window * windowMs : window * windowMs + 500;
      return { started, arrived: started };
    });
    expect(new Set(calls.map((call) => windowAt(call.started, { windowMs }))).size).toBe(32);
    for (const call of calls) expect(call.arrived - call.started).toBeLessThan(windowMs);
    const arrivals = calls.map((call) => call.arrived);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(p.minuteMs);
    // So 32 shares must fit the quota: they do, and shares of a 31st would not.
    expect(32 * unitsPerWindow).toBeLessThanOrEqual(10_000);
    expect(32 * Math.floor(10_000 / 31)).toBeGreaterThan(10_000);
  });

  it('reserve a few units at a time: at least a patch (3 units), at most 50', () => {
    expect(quotaWindowsOf(policy(97)).reservationUnits).toBe(3);
    expect(quotaWindowsOf(policy(1_200)).reservationUnits).toBe(4);
    expect(quotaWindowsOf(policy(1_000_000)).reservationUnits).toBe(50);
  });

  it('number windows from the epoch, so every writer agrees on them', () => {
    const windows = quotaWindowsOf(policy(10_000));
    expect(windowAt(Date.parse('2026-03-01T12:00:00.000Z'), windows)).toBe(
      Date.parse('2026-03-01T12:00:00.000Z') / 2_000,
    );
    expect(windowAt(Date.parse('2026-03-01T12:00:01.999Z'), windows)).toBe(
      windowAt(Date.parse('2026-03-01T12:00:00.000Z'), windows),
    );
    const window = windowAt(Date.parse('2026-03-01T12:00:02.000Z'), windows);
    expect(windowStart(window, windows)).toBe(Date.parse('2026-03-01T12:00:02.000Z'));
  });
});
