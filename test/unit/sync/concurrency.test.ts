import { describe, expect, it } from 'vitest';
import { maxConcurrentSyncs } from '../../../lambdas/sync/engine/concurrency.ts';
import { DEFAULT_PACING } from '../../../lambdas/sync/engine/pacer.ts';

describe('sync worker concurrency from the Google project quota', () => {
  it('fits the default quota: floor(10,000 / (540 + 40)) = 17 invocations', () => {
    expect(maxConcurrentSyncs(10_000)).toBe(17);
    expect(17 * (DEFAULT_PACING.unitsPerWindow + DEFAULT_PACING.burst)).toBeLessThanOrEqual(10_000);
    expect(18 * (DEFAULT_PACING.unitsPerWindow + DEFAULT_PACING.burst)).toBeGreaterThan(10_000);
  });

  it('grows with a raised quota and a slower pace', () => {
    expect(maxConcurrentSyncs(100_000)).toBe(172);
    expect(maxConcurrentSyncs(10_000, { unitsPerWindow: 240, windowMs: 60_000, burst: 10 })).toBe(40);
    // A pace stated per 30 s spends twice as much per minute.
    expect(maxConcurrentSyncs(10_000, { unitsPerWindow: 270, windowMs: 30_000, burst: 20 })).toBe(17);
  });

  it('stays within what an event source mapping accepts (2 to 1,000)', () => {
    expect(maxConcurrentSyncs(500)).toBe(2);
    expect(maxConcurrentSyncs(10_000_000)).toBe(1000);
  });
});
