import { describe, expect, it } from 'vitest';
import { continuationDelaySeconds } from '../../../lambdas/sync/worker/use-cases/run-sync-request.ts';

describe('continuationDelaySeconds', () => {
  it('doubles with each further continuation of one sync, up to SQS’s 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 9, 10, 11, 48].map((n) => continuationDelaySeconds(2, n))).toEqual([
      2, 4, 8, 16, 32, 512, 900, 900, 900,
    ]);
  });

  it('stays at no delay when none is configured', () => {
    expect(continuationDelaySeconds(0, 20)).toBe(0);
  });
});
