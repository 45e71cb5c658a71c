import { describe, expect, it } from 'vitest';
import { describeReport, problemText, warningText } from '../../../lambdas/sync/engine/describe-report.ts';
import type { SyncReport } from '../../../lambdas/sync/engine/sync-report.ts';

const counts = {
  outcome: 'partial' as const,
  startedAt: '2026-03-01T00:00:00.000Z',
  finishedAt: '2026-03-01T00:00:01.000Z',
  created: 1,
  updated: 2,
  deleted: 3,
  unchanged: 4,
  heldDeletions: 0,
  googleCalls: 7,
};
const base: SyncReport = { ...counts, problems: [], warnings: [] };

describe('describeReport', () => {
  it('puts problems and warnings in words, keeping the counts', () => {
    const result = describeReport({
      ...base,
      quotaUnits: 7,
      problems: [
        { kind: 'stopped', reason: 'access_refused' },
        {
          kind: 'operation_failed',
          operation: 'insert',
          key: 'a@x',
          googleMessage: 'Google Calendar 500: down',
        },
        { kind: 'time_budget_reached', deferred: 10 },
      ],
      warnings: [
        { kind: 'feed_warning', reason: '1 unreadable content line(s) skipped' },
        { kind: 'feed_warning', uid: 'b@x', reason: 'event skipped: no DTSTART' },
        { kind: 'no_such_occurrence', key: 'c@x#20260301' },
      ],
    });
    expect(result).toEqual({
      ...counts,
      quotaUnits: 7,
      errors: [
        'Google refused access to the calendar (the access token or its permissions)',
        'insert "a@x": Google Calendar 500: down',
        'time budget reached: 10 changes left for the next sync',
      ],
      warnings: [
        '1 unreadable content line(s) skipped',
        'b@x: event skipped: no DTSTART',
        'exception "c@x#20260301" matches no occurrence of its series in Google',
      ],
    });
    expect(result).not.toHaveProperty('problems');
  });

  it('leaves warnings out when there are none, and a stop told by its own problem unsaid', () => {
    const result = describeReport({
      ...base,
      problems: [
        { kind: 'stopped', reason: 'unexpected_error' },
        { kind: 'operation_crashed', operation: 'update', key: 'k', errorName: 'TypeError' },
      ],
    });
    expect(result.errors).toEqual(['update "k": TypeError']);
    expect(result).not.toHaveProperty('warnings');
  });

  it('keeps 20 reasons of each kind, each at most 500 characters, and quotes at most 80 of a key', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      kind: 'event_skipped' as const,
      key: `k${i}`,
      reason: 'r',
    }));
    const long = { kind: 'feed_warning' as const, reason: 'x'.repeat(2_000) };
    const result = describeReport({ ...base, warnings: [long, ...many] });
    expect(result.warnings).toHaveLength(21);
    expect(result.warnings?.[20]).toBe('... and 6 more');
    expect(result.warnings?.[0]).toHaveLength(499);
    expect(result.warnings?.[0]?.endsWith('…')).toBe(true);
    expect(warningText({ kind: 'no_such_occurrence', key: 'u'.repeat(200) })).toBe(
      `exception "${'u'.repeat(80)}..." matches no occurrence of its series in Google`,
    );
  });

  it('says why deletions are held, for a shrunken feed and an empty one', () => {
    const held = {
      kind: 'deletions_held' as const,
      deletions: 30,
      eventsInCalendar: 40,
      confirmAfterMinutes: 60,
    };
    expect(problemText({ ...held, feedEmpty: false })).toBe(
      '30 of 40 events left the feed: deletions held until a sync at least 60 minutes later sees the same',
    );
    expect(problemText({ ...held, feedEmpty: true })).toBe(
      'the feed has no events any more: the 30 deletions are held until a sync at least 60 minutes later sees the same',
    );
  });
});
