import { describe, expect, it } from 'vitest';
import { eventKey, type GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { endOfEvent } from '../../../lambdas/shared/domain/reconcile/ends.ts';
import { planSync } from '../../../lambdas/shared/domain/reconcile/plan.ts';
import type { EventMapRow } from '../../../lambdas/shared/ports/sync-stores.ts';
import { exception, idOf, rowOf, series, single } from './fixtures.ts';

/** The override of `s` at 2026-01-12 08:00 UTC kept as a standalone event (its RECURRENCE-ID matches no instance). */
function standalone(uid: string, basic: string, hash = 'o1'): GoogleEvent {
  return single(`${uid}\u0000${basic}`, hash, {
    id: idOf(`${uid}\u0000${basic}`),
    summary: 'Moved',
    extendedProperties: { private: { icsUid: uid, icsHash: hash, icsRecurrenceId: basic } },
  });
}

/** The series RANGE=THISANDFUTURE split off `uid` at `basic`. */
function splitSeries(uid: string, basic: string, hash = 't1'): GoogleEvent {
  return series(`${uid}#${basic}`, hash, {
    extendedProperties: { private: { icsUid: `${uid}#${basic}`, icsHash: hash, icsSplitFrom: uid } },
  });
}

const rowFor = (event: GoogleEvent, extra: Partial<EventMapRow> = {}): EventMapRow => ({
  eventKey: eventKey(event),
  googleId: event.id as string,
  hash: event.extendedProperties.private.icsHash,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

const RID = '20260112T080000Z';

describe('event keys: one per kind', () => {
  it('keys an exception, a standalone override and a split series at the same RECURRENCE-ID apart', () => {
    const keys = [
      eventKey(series('s')),
      eventKey(exception('s', RID)),
      eventKey(standalone('s', RID)),
      eventKey(splitSeries('s', RID)),
    ];
    expect(keys).toEqual(['s', `s#${RID}`, `s#${RID}#standalone`, `s#${RID}#thisandfuture`]);
    expect(new Set(keys).size).toBe(4);
  });
});

describe('planSync when an override changes kind', () => {
  it('exception -> standalone: the standalone copy is inserted under its own key and the instance reverted', () => {
    const before = [series('s'), exception('s', RID)];
    const plan = planSync(
      [series('s'), standalone('s', RID)],
      before.map((e) => rowOf(e)),
    );
    expect(plan.seriesWrites.map((op) => [op.kind, op.key])).toEqual([['insert', `s#${RID}#standalone`]]);
    expect(plan.instanceWrites.map((op) => [op.kind, op.key])).toEqual([['revert_instance', `s#${RID}`]]);
    expect(plan.deletions).toEqual([]);
  });

  it('standalone -> exception: the standalone copy is deleted and the instance patched', () => {
    const before = [rowOf(series('s')), rowFor(standalone('s', RID))];
    const plan = planSync([series('s'), exception('s', RID)], before);
    expect(plan.deletions).toEqual([
      { kind: 'delete', key: `s#${RID}#standalone`, googleId: idOf(`s\u0000${RID}`) },
    ]);
    expect(plan.instanceWrites.map((op) => [op.kind, op.key, op.googleId])).toEqual([
      ['write_exception', `s#${RID}`, undefined],
    ]);
  });

  it('split series -> exception: the split series is deleted and the instance patched', () => {
    const before = [rowOf(series('s')), rowFor(splitSeries('s', RID))];
    const plan = planSync([series('s'), exception('s', RID)], before);
    expect(plan.deletions.map((d) => [d.key, d.googleId])).toEqual([
      [`s#${RID}#thisandfuture`, idOf(`s#${RID}`)],
    ]);
    expect(plan.instanceWrites.map((op) => op.key)).toEqual([`s#${RID}`]);
  });

  it('a row from before the keys had kinds is migrated without deleting the event it shares with the new key', () => {
    // The standalone copy was stored under the exception-like key `s#<rid>`, without a series key.
    const legacy = { ...rowFor(standalone('s', RID)), eventKey: `s#${RID}` };
    const plan = planSync([series('s'), standalone('s', RID)], [rowOf(series('s')), legacy]);
    expect(plan.seriesWrites.map((op) => [op.kind, op.key, op.googleId])).toEqual([
      ['insert', `s#${RID}#standalone`, idOf(`s\u0000${RID}`)],
    ]);
    expect(plan.deletions).toEqual([]);
    expect(plan.forgets).toEqual([{ kind: 'forget', key: `s#${RID}` }]);
  });

  it('a legacy standalone row under an exception key is deleted, and the exception written as new', () => {
    const legacy = { ...rowFor(standalone('s', RID)), eventKey: `s#${RID}` };
    const plan = planSync([series('s'), exception('s', RID)], [rowOf(series('s')), legacy]);
    expect(plan.deletions.map((d) => [d.key, d.googleId])).toEqual([[`s#${RID}`, idOf(`s\u0000${RID}`)]]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({ kind: 'write_exception', key: `s#${RID}`, isNew: true }),
    ]);
  });
});

describe('planSync and unreadable components', () => {
  it('spares the events of an unreadable UID that holds a `#`, and every kind keyed under it', () => {
    const uid = 'room#12@example.com';
    const rows = [
      rowOf(single(uid)),
      rowOf(series('other')),
      rowFor(standalone(uid, RID)),
      rowFor(splitSeries(uid, RID)),
    ];
    const plan = planSync([series('other')], rows, { unreadableUids: [uid] });
    expect(plan.deletions).toEqual([]);
    expect(plan.forgets).toEqual([]);
  });

  it('does not spare another UID that only shares the text before the `#`', () => {
    const plan = planSync([], [rowOf(single('room#12@example.com'))], { unreadableUids: ['room'] });
    expect(plan.deletions.map((d) => d.key)).toEqual(['room#12@example.com']);
  });
});

describe('planSync when the id scheme changed', () => {
  it('inserts under the new id and deletes the event under the old one first', () => {
    const row = { ...rowOf(single('a')), googleId: 'oldid00000' };
    const plan = planSync([single('a')], [row]);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'insert', key: 'a', googleId: idOf('a'), replaces: 'oldid00000' }),
    ]);
  });

  it('never deletes an old id that another event of the feed now has', () => {
    const rows = [{ ...rowOf(single('a')), googleId: idOf('b') }];
    const plan = planSync([single('a'), single('b')], rows);
    expect(plan.seriesWrites.map((op) => ('replaces' in op ? op.replaces : undefined))).toEqual([
      undefined,
      undefined,
    ]);
    expect(plan.deletions).toEqual([]);
  });
});

describe('planSync and the horizon', () => {
  const horizonStart = new Date('2026-02-01T00:00:00Z');

  it('forgets an event that is over and left the horizon: its row goes, the event stays in Google', () => {
    const past = rowFor(single('past'), { endsAt: '2026-01-05T10:00:00.000Z' });
    const ex = rowOf(exception('past', RID));
    const plan = planSync([], [past, { ...ex, seriesKey: 'past' }], { horizonStart });
    expect(plan.deletions).toEqual([]);
    expect(plan.forgets.map((f) => f.key).sort()).toEqual(['past', `past#${RID}`]);
  });

  it('still deletes an event the feed dropped that is not over, and rows that do not know their end', () => {
    const future = rowFor(single('future'), { endsAt: '2026-03-05T10:00:00.000Z' });
    const unknown = rowFor(single('old-row'));
    const plan = planSync([], [future, unknown], { horizonStart });
    expect(plan.deletions.map((d) => d.key)).toEqual(['future', 'old-row']);
    expect(plan.forgets).toEqual([]);
  });

  it('stores when each written event ends: singles, finite series, never an open-ended series', () => {
    const open = series('open', 'h1', { recurrence: ['RRULE:FREQ=WEEKLY'] });
    const plan = planSync([single('a'), series('s'), exception('s', RID), open], []);
    expect(Object.fromEntries(plan.seriesWrites.map((op) => [op.key, op.endsAt]))).toEqual({
      a: '2026-01-05T10:00:00.000Z',
      // Ten Mondays from 2026-01-05, 09:00-10:30 Berlin: the last ends 2026-03-09 09:30 UTC.
      s: '2026-03-09T09:30:00.000Z',
      open: undefined,
    });
  });
});

describe('endOfEvent', () => {
  it('is the end of a single event, all-day ends at UTC midnight', () => {
    expect(endOfEvent(single('a'))?.toISOString()).toBe('2026-01-05T10:00:00.000Z');
    const day = single('d', 'h1', { start: { date: '2026-01-05' }, end: { date: '2026-01-06' } });
    expect(endOfEvent(day)?.toISOString()).toBe('2026-01-06T00:00:00.000Z');
  });

  it('is the end of the last occurrence of a series, or of an exception moved past it', () => {
    const untilSeries = series('u', 'h1', { recurrence: ['RRULE:FREQ=WEEKLY;UNTIL=20260120T000000Z'] });
    expect(endOfEvent(untilSeries)?.toISOString()).toBe('2026-01-19T09:30:00.000Z');
    const late = exception('u', '20260119T080000Z', 'x1', {
      start: { dateTime: '2026-02-02T08:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-02-02T09:00:00Z', timeZone: 'Europe/Berlin' },
    });
    expect(endOfEvent(untilSeries, [late])?.toISOString()).toBe('2026-02-02T09:00:00.000Z');
  });

  it('is unknown for a series without end, or one whose recurrence cannot be read', () => {
    expect(endOfEvent(series('o', 'h1', { recurrence: ['RRULE:FREQ=DAILY'] }))).toBeUndefined();
    expect(endOfEvent(series('b', 'h1', { recurrence: ['RRULE:FREQ=NEVER;COUNT=2'] }))).toBeUndefined();
  });
});
