import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../lambdas/sync/engine/pacer.ts';
import { backoffDelay } from '../../../lambdas/sync/engine/retry.ts';
import { ManualClock } from '../../support/clock.ts';

/** Time from 0, so that the pacer's instants read as offsets. */
const clockFromZero = () => new ManualClock(0);

/** The most calls inside any sliding window. */
function busiestWindow(times: number[], windowMs: number): number {
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

describe('Pacer', () => {
  it('starts without a burst: one call per interval from the first', async () => {
    const clock = clockFromZero();
    const pacer = new Pacer({ unitsPerWindow: 600, windowMs: 60_000, burst: 5 }, clock);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pacer.take();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 100, 200, 300]);
  });

  it('budgets quota units: a call costing three units takes three intervals, and units never pass the window', async () => {
    const clock = clockFromZero();
    const policy = { unitsPerWindow: 540, windowMs: 60_000, burst: 40 };
    const pacer = new Pacer(policy, clock);
    const costs = [1, 3, 1];
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.take(costs[i]);
      times.push(clock.now());
    }
    const interval = 60_000 / 540;
    expect(times.map((t) => Math.round(t))).toEqual([0, Math.round(3 * interval), Math.round(4 * interval)]);

    // A long mixed run: each unit a separate time stamp, never more than the bucket allows in any minute.
    clock.set(1_000_000);
    const units: number[] = [];
    for (let i = 0; i < 3_000; i++) {
      const cost = i % 4 === 0 ? 3 : 1;
      await pacer.take(cost);
      for (let u = 0; u < cost; u++) units.push(clock.now());
    }
    expect(busiestWindow(units, policy.windowMs)).toBeLessThanOrEqual(policy.unitsPerWindow + policy.burst);
  });

  it('builds up its burst while idle, then one call per interval', async () => {
    const clock = clockFromZero();
    const pacer = new Pacer({ unitsPerWindow: 600, windowMs: 60_000, burst: 5 }, clock);
    clock.set(10_000);
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      await pacer.take();
      times.push(clock.now() - 10_000);
    }
    expect(times).toEqual([0, 0, 0, 0, 0, 100, 200, 300]);
  });

  it('never lets more than rate plus burst calls into any window', async () => {
    const clock = clockFromZero();
    const policy = { unitsPerWindow: 540, windowMs: 60_000, burst: 40 };
    const pacer = new Pacer(policy, clock);
    const times: number[] = [];
    for (let i = 0; i < 3000; i++) {
      await pacer.take();
      times.push(clock.now());
    }
    expect(busiestWindow(times, policy.windowMs)).toBeLessThanOrEqual(policy.unitsPerWindow + policy.burst);
    expect(busiestWindow(times, policy.windowMs)).toBeGreaterThanOrEqual(policy.unitsPerWindow);
  });

  it('keeps two short runs back to back (one pacer each) under the rate in any window', async () => {
    const clock = clockFromZero();
    const policy = { unitsPerWindow: 540, windowMs: 60_000, burst: 40 };
    const times: number[] = [];
    for (const calls of [300, 300]) {
      const pacer = new Pacer(policy, clock);
      for (let i = 0; i < calls; i++) {
        await pacer.take();
        times.push(clock.now());
      }
    }
    // A full burst at the start of each run would put 540 + 2 x 40 calls into one window; now at most the
    // rate, plus the one call each run may make at once.
    expect(busiestWindow(times, policy.windowMs)).toBeLessThanOrEqual(policy.unitsPerWindow + 2);
  });

  it('serves concurrent callers in order without exceeding the rate', async () => {
    const clock = clockFromZero();
    const pacer = new Pacer({ unitsPerWindow: 60, windowMs: 60_000, burst: 1 }, clock);
    const sleeps: number[] = [];
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms) => {
      sleeps.push(ms);
      await sleep(0);
    };
    await Promise.all(Array.from({ length: 4 }, () => pacer.take()));
    expect(sleeps).toEqual([1000, 2000, 3000]);
  });

  it('holds everyone back after a rate-limit answer', async () => {
    const clock = clockFromZero();
    const pacer = new Pacer({ unitsPerWindow: 600, windowMs: 60_000, burst: 10 }, clock);
    await pacer.take();
    pacer.holdFor(5_000);
    await pacer.take();
    expect(clock.now()).toBe(5_000);
  });
});

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
  it('draws between 0 and a doubling cap', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 0.999_999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });
  it("never waits less than the server's Retry-After", () => {
    expect(backoffDelay(policy, 1, () => 0.5, 7_000)).toBe(7_000);
    expect(backoffDelay(policy, 4, () => 0.999_999, 10)).toBe(799);
  });
});
