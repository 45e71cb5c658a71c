import { describe, expect, it } from 'vitest';
import { nextDailyQuotaReset } from '../../../lambdas/shared/domain/google-quota.ts';
import { planSync } from '../../../lambdas/shared/domain/reconcile/plan.ts';
import {
  DELETION_HASH,
  nextRefusal,
  refusalWaitMs,
} from '../../../lambdas/shared/domain/reconcile/refusals.ts';
import type { EventMapRow } from '../../../lambdas/shared/ports/sync-stores.ts';
import { exception, rowOf, series, single } from './fixtures.ts';

const HOUR = 3_600_000;
const now = new Date('2026-01-10T12:00:00Z');
const refusedRow = (row: EventMapRow, hash: string, retryAfter: Date, count = 1): EventMapRow => ({
  ...row,
  refusal: { count, hash, retryAfter: retryAfter.toISOString() },
});
const inAnHour = new Date(now.getTime() + HOUR);
const anHourAgo = new Date(now.getTime() - HOUR);

describe('the back-off of writes Google refused', () => {
  it('waits an hour, then doubles up to a week', () => {
    expect([1, 2, 3, 4].map(refusalWaitMs)).toEqual([HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR]);
    expect(refusalWaitMs(8)).toBe(128 * HOUR);
    expect(refusalWaitMs(9)).toBe(168 * HOUR);
    expect(refusalWaitMs(60)).toBe(168 * HOUR);
    expect(nextRefusal(2, 'h', now.getTime())).toEqual({
      count: 3,
      hash: 'h',
      retryAfter: new Date(now.getTime() + 4 * HOUR).toISOString(),
    });
  });

  it('leaves a refused update out of the plan until its wait is over, and names it', () => {
    const event = single('a', 'new');
    const row = refusedRow(rowOf(event, 'old'), 'new', inAnHour, 2);
    const waiting = planSync([event], [row], { now });
    expect(waiting.seriesWrites).toEqual([]);
    expect(waiting.unchanged).toBe(0);
    expect(waiting.waiting).toEqual([{ key: 'a', count: 2, retryAfter: inAnHour.toISOString() }]);

    const due = planSync([event], [refusedRow(row, 'new', anHourAgo)], { now });
    expect(due.seriesWrites.map((op) => [op.kind, op.key])).toEqual([['update', 'a']]);
    expect(due.waiting).toEqual([]);
    // Without a time the planner plans every write (callers that know no refusals).
    expect(planSync([event], [row]).seriesWrites).toHaveLength(1);
  });

  it('tries content the feed changed since the refusal at once', () => {
    const event = single('a', 'newer');
    const plan = planSync([event], [refusedRow(rowOf(event, 'old'), 'new', inAnHour)], { now });
    expect(plan.seriesWrites.map((op) => op.kind)).toEqual(['update']);
  });

  it("keeps a waiting series' exceptions and reverts waiting with it", () => {
    const master = series('s', 'new');
    const moved = exception('s', '20260112T080000Z');
    const dropped = exception('s', '20260119T080000Z');
    const rows = [refusedRow(rowOf(master, 'old'), 'new', inAnHour), rowOf(moved, 'x0'), rowOf(dropped)];
    const plan = planSync([master, moved], rows, { now });
    expect(plan.seriesWrites).toEqual([]);
    expect(plan.instanceWrites).toEqual([]);
    expect(plan.forgets).toEqual([]);
    expect(plan.waiting.map((w) => w.key)).toEqual(['s']);
  });

  it('waits with a refused exception, and with a refused deletion', () => {
    const master = series('s');
    const moved = exception('s', '20260112T080000Z', 'x2');
    const gone = single('g');
    const rows = [
      rowOf(master),
      refusedRow(rowOf(moved, 'x1'), 'x2', inAnHour),
      refusedRow(rowOf(gone), DELETION_HASH, inAnHour),
    ];
    const plan = planSync([master, moved], rows, { now });
    expect(plan.instanceWrites).toEqual([]);
    expect(plan.deletions).toEqual([]);
    expect(plan.waiting.map((w) => w.key).sort()).toEqual(['g', 's#20260112T080000Z']);
    const later = planSync([master, moved], rows, { now: new Date(inAnHour.getTime() + 1) });
    expect(later.instanceWrites.map((op) => op.key)).toEqual(['s#20260112T080000Z']);
    expect(later.deletions.map((op) => op.key)).toEqual(['g']);
  });
});

describe("Google's daily quota reset", () => {
  it('is the next midnight in Pacific Time, standard and daylight time alike', () => {
    // PST (UTC-8): midnight is 08:00 UTC.
    expect(nextDailyQuotaReset(new Date('2026-01-10T12:00:00Z')).toISOString()).toBe(
      '2026-01-11T08:00:00.000Z',
    );
    // 23:30 on the 9th in Los Angeles: in half an hour.
    expect(nextDailyQuotaReset(new Date('2026-01-10T07:30:00Z')).toISOString()).toBe(
      '2026-01-10T08:00:00.000Z',
    );
    // PDT (UTC-7): midnight is 07:00 UTC; at midnight exactly, the next one.
    expect(nextDailyQuotaReset(new Date('2026-07-01T07:00:00Z')).toISOString()).toBe(
      '2026-07-02T07:00:00.000Z',
    );
    // The day the clocks go forward (8 March 2026, 02:00): that midnight was still PST.
    expect(nextDailyQuotaReset(new Date('2026-03-08T05:00:00Z')).toISOString()).toBe(
      '2026-03-08T08:00:00.000Z',
    );
    expect(nextDailyQuotaReset(new Date('2026-03-08T12:00:00Z')).toISOString()).toBe(
      '2026-03-09T07:00:00.000Z',
    );
  });
});
