import { describe, expect, it } from 'vitest';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import {
  type AuditInput,
  auditCalendar,
  type ListedEvent,
} from '../../../lambdas/shared/domain/reconcile/audit.ts';
import { ownedFields } from '../../../lambdas/shared/domain/reconcile/owned-fields.ts';
import { PENDING, planSync } from '../../../lambdas/shared/domain/reconcile/plan.ts';
import { exception, idOf, rowOf, series, single } from './fixtures.ts';

const HORIZON_START = new Date('2026-01-01T00:00:00Z');

/** An event as a listing shows it once written: its owned fields, with whatever Google or the user added. */
function listed(event: GoogleEvent, id: string, extra: Record<string, unknown> = {}): ListedEvent {
  const resource: Record<string, unknown> = { ...ownedFields(event), id, etag: '"1"', ...extra };
  if (event.recurringEventId) {
    resource.recurringEventId = event.recurringEventId;
    resource.originalStartTime = event.originalStartTime;
  }
  return { id, resource };
}

/** A cancelled item as a listing shows it: no more than its identity. */
const cancelled = (id: string, extra: Record<string, unknown> = {}): ListedEvent => ({
  id,
  resource: { id, status: 'cancelled', ...extra },
});

const audit = (input: Partial<AuditInput> & Pick<AuditInput, 'listed'>) =>
  auditCalendar({ rows: [], desiredEvents: [], horizonStart: HORIZON_START, ...input });

describe('auditCalendar', () => {
  const a = single('a');
  const b = single('b');
  const s = series('s');
  const moved = exception('s', '20260112T080000Z');
  const desired = [a, b, s, moved];
  const rows = desired.map((event) => rowOf(event));
  const movedRow = rows[3] as NonNullable<(typeof rows)[number]>;

  it('finds nothing in a calendar that shows what the service wrote, whatever the user added on top', () => {
    const findings = audit({
      rows,
      desiredEvents: desired,
      listed: [
        listed(a, idOf('a'), { colorId: '5', reminders: { useDefault: false, overrides: [] } }),
        listed(b, idOf('b'), {
          extendedProperties: { private: { ...b.extendedProperties.private, otherApp: 'x' } },
        }),
        listed(s, idOf('s')),
        listed(moved, movedRow.googleId),
      ],
    });
    expect(findings).toEqual({ diverged: new Set(), strays: [] });
  });

  it('finds events the user deleted, moved or retitled, and an exception set back', () => {
    const findings = audit({
      rows,
      desiredEvents: desired,
      listed: [
        cancelled(idOf('a')),
        listed(b, idOf('b'), { summary: 'Renamed by the user' }),
        listed(s, idOf('s'), {
          start: { dateTime: '2026-01-05T11:00:00', timeZone: 'Europe/Berlin' },
          end: { dateTime: '2026-01-05T12:30:00', timeZone: 'Europe/Berlin' },
        }),
        listed(moved, movedRow.googleId, { summary: 'Something else' }),
      ],
    });
    expect([...findings.diverged].sort()).toEqual(['a', 'b', 's', 's#20260112T080000Z']);
  });

  it('leaves to the planner the rows it rewrites anyway: pending ones and those with another hash', () => {
    const findings = audit({
      rows: [{ ...rowOf(a), hash: PENDING }, rowOf(b, 'old')],
      desiredEvents: [a, b],
      listed: [cancelled(idOf('a')), cancelled(idOf('b'))],
    });
    expect(findings.diverged.size).toBe(0);
  });

  it('compares a reverted instance with the series as it would show there', () => {
    const plain = series('s');
    const revertRow = { ...movedRow, hash: `reverted:${plain.extendedProperties.private.icsHash}` };
    const asSeries = {
      ...exception('s', '20260112T080000Z'),
      summary: plain.summary,
      start: { dateTime: '2026-01-12T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-01-12T10:30:00', timeZone: 'Europe/Berlin' },
    } as GoogleEvent;
    const same = audit({
      rows: [rowOf(plain), revertRow],
      desiredEvents: [plain],
      listed: [listed(asSeries, revertRow.googleId)],
    });
    expect(same.diverged.size).toBe(0);
    const moved = audit({
      rows: [rowOf(plain), revertRow],
      desiredEvents: [plain],
      listed: [listed({ ...asSeries, summary: 'Moved by the user' }, revertRow.googleId)],
    });
    expect([...moved.diverged]).toEqual([revertRow.eventKey]);
  });

  it('finds an instance no row knows that the user moved or deleted, of a series the service owns only', () => {
    const plain = series('s');
    const instance = (basic: string, extra: Record<string, unknown>): ListedEvent => ({
      id: `opaque-${basic}`,
      resource: {
        id: `opaque-${basic}`,
        recurringEventId: idOf('s'),
        originalStartTime: {
          dateTime: `${basic.slice(0, 4)}-${basic.slice(4, 6)}-${basic.slice(6, 8)}T08:00:00Z`,
        },
        ...extra,
      },
    });
    const findings = audit({
      rows: [rowOf(plain)],
      desiredEvents: [plain],
      listed: [
        instance('20260119T080000Z', {
          ...ownedFields(plain),
          recurrence: undefined,
          summary: 'Moved by the user',
          start: { dateTime: '2026-01-19T15:00:00Z' },
          end: { dateTime: '2026-01-19T16:30:00Z' },
        }),
        instance('20260126T080000Z', { status: 'cancelled' }),
        // Shows as the series would: nothing to put back.
        instance('20260202T080000Z', {
          ...ownedFields(plain),
          recurrence: undefined,
          start: { dateTime: '2026-02-02T08:00:00Z' },
          end: { dateTime: '2026-02-02T09:30:00Z' },
        }),
        // A series the service does not own.
        { id: 'other-1', resource: { id: 'other-1', recurringEventId: 'theirs', status: 'cancelled' } },
      ],
    });
    expect([...findings.diverged].sort()).toEqual(['s#20260119T080000Z', 's#20260126T080000Z']);
  });

  describe('strays', () => {
    const lost = single('lost', 'h9', {
      id: 'lostcopy01',
      start: { dateTime: '2026-02-01T09:00:00Z' },
      end: { dateTime: '2026-02-01T10:00:00Z' },
    });

    it('are live events with the service marks that no row names', () => {
      const findings = audit({ rows, desiredEvents: desired, listed: [listed(lost, 'lostcopy01')] });
      expect(findings.strays).toEqual([{ googleId: 'lostcopy01', key: 'lost' }]);
    });

    it('are never cancelled, hand-made, past, unreadable, about to be written, or found with an empty feed', () => {
      const handMade: ListedEvent = {
        id: 'byhand0001',
        resource: { id: 'byhand0001', summary: 'Mine', start: lost.start, end: lost.end },
      };
      const past = single('past', 'h9', {
        start: { dateTime: '2025-12-01T09:00:00Z' },
        end: { dateTime: '2025-12-01T10:00:00Z' },
      });
      const pastSeries = series('oldseries', 'h9', {
        start: { dateTime: '2025-10-06T09:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2025-10-06T10:00:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      });
      const unreadable = single('broken', 'h9', { start: lost.start, end: lost.end });
      const newOne = single('new');
      const findings = audit({
        rows,
        desiredEvents: [...desired, newOne],
        unreadableUids: ['broken'],
        listed: [
          cancelled('lostcopy01'),
          handMade,
          listed(past, 'pastcopy01'),
          listed(pastSeries, 'pastseries'),
          listed(unreadable, 'brokencopy'),
          // Its row is not written yet (a lost intent, say): the plan inserts it under this id.
          listed(newOne, idOf('new')),
        ],
      });
      expect(findings.strays).toEqual([]);
      expect(audit({ rows, desiredEvents: [], listed: [listed(lost, 'lostcopy01')] }).strays).toEqual([]);
    });

    it('include a series without end that began before the horizon', () => {
      const endless = series('endless', 'h9', {
        start: { dateTime: '2025-01-06T09:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2025-01-06T10:00:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY'],
      });
      const findings = audit({ rows, desiredEvents: desired, listed: [listed(endless, 'endless001')] });
      expect(findings.strays.map((stray) => stray.googleId)).toEqual(['endless001']);
    });
  });
});

describe('planSync with what an audit found', () => {
  const a = single('a');
  const s = series('s');
  const moved = exception('s', '20260112T080000Z');
  const rows = [a, s, moved].map((event) => rowOf(event));

  it('rewrites diverged keys although their hashes match', () => {
    const plan = planSync([a, s, moved], rows, { diverged: new Set(['a', 's#20260112T080000Z']) });
    expect(plan.seriesWrites.map((op) => [op.kind, op.key])).toEqual([['update', 'a']]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({
        kind: 'write_exception',
        key: 's#20260112T080000Z',
        googleId: rows[2]?.googleId,
      }),
    ]);
    expect(plan.unchanged).toBe(1);
  });

  it('reverts a diverged reverted row, and an instance no row knows', () => {
    const revertRow = { ...(rows[2] as NonNullable<(typeof rows)[number]>), hash: 'reverted:h1' };
    const plan = planSync(
      [a, s],
      [rows[0], rows[1], revertRow].filter((row) => row !== undefined),
      {
        diverged: new Set([revertRow.eventKey, 's#20260119T080000Z']),
      },
    );
    expect(plan.instanceWrites.map((op) => [op.kind, op.key, op.googleId, op.event.summary])).toEqual([
      ['revert_instance', revertRow.eventKey, revertRow.googleId, s.summary],
      ['revert_instance', 's#20260119T080000Z', undefined, s.summary],
    ]);
    expect(plan.instanceWrites[1]?.event.originalStartTime).toEqual({
      dateTime: '2026-01-19T08:00:00Z',
      timeZone: 'Europe/Berlin',
    });
  });

  it('deletes strays apart from the deletions the breaker weighs, never an id a row or the feed names', () => {
    const plan = planSync([a, s], rows, {
      strays: [
        { googleId: 'lostcopy01', key: 'lost' },
        { googleId: idOf('a'), key: 'a' },
        { googleId: (rows[2] as NonNullable<(typeof rows)[number]>).googleId },
      ],
    });
    expect(plan.strays).toEqual([
      { kind: 'remove_stray', key: 'lost (copy lostcopy01)', googleId: 'lostcopy01' },
    ]);
    expect(plan.deletions).toEqual([]);
  });
});
