import { describe, expect, it } from 'vitest';
import { PENDING, planSync } from '../../../lambdas/shared/domain/reconcile/plan.ts';
import { exception, idOf, rowOf, series, single } from './fixtures.ts';

describe('planSync', () => {
  it('inserts every event into an empty calendar, exceptions as instance writes to look up in Google', () => {
    const desired = [single('a'), series('s'), exception('s', '20260112T080000Z')];
    const plan = planSync(desired, []);
    expect(plan.seriesWrites.map((op) => [op.kind, op.key, op.googleId])).toEqual([
      ['insert', 'a', idOf('a')],
      ['insert', 's', idOf('s')],
    ]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({
        kind: 'write_exception',
        key: 's#20260112T080000Z',
        seriesKey: 's',
        isNew: true,
      }),
    ]);
    // Instance ids are Google's and opaque: none is computed, the apply step looks the instance up.
    expect(plan.instanceWrites[0]?.googleId).toBeUndefined();
    expect(plan.deletions).toEqual([]);
    expect(plan.unchanged).toBe(0);
  });

  it('costs nothing when every hash matches', () => {
    const desired = [single('a'), series('s'), exception('s', '20260112T080000Z')];
    const plan = planSync(
      desired,
      desired.map((e) => rowOf(e)),
    );
    expect(plan).toMatchObject({
      seriesWrites: [],
      instanceWrites: [],
      deletions: [],
      forgets: [],
      unchanged: 3,
    });
    expect(plan.eventsInCalendar).toBe(2);
  });

  it('never deletes or reverts events whose component the mapping could not read', () => {
    const before = [single('a'), series('s'), exception('s', '20260112T080000Z'), single('b')];
    const desired = [single('a')];
    const plan = planSync(
      desired,
      before.map((e) => rowOf(e)),
      { unreadableUids: ['s', 'b'] },
    );
    expect(plan).toMatchObject({ deletions: [], forgets: [], instanceWrites: [], seriesWrites: [] });
    // Without the unreadable list the same plan deletes both: the option is what protects them.
    const unprotected = planSync(
      desired,
      before.map((e) => rowOf(e)),
    );
    expect(unprotected.deletions.map((d) => d.key).sort()).toEqual(['b', 's']);
  });

  it('updates changed events only', () => {
    const before = [single('a'), single('b'), single('c')];
    const desired = [single('a'), single('b', 'h2'), single('c')];
    const plan = planSync(
      desired,
      before.map((e) => rowOf(e)),
    );
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'update', key: 'b', googleId: idOf('b') }),
    ]);
    expect(plan.unchanged).toBe(2);
  });

  it('deletes events that left the feed, and treats a cancelled series or single event as gone', () => {
    const before = [single('a'), single('b'), single('c')];
    const desired = [single('a'), single('c', 'h1', { status: 'cancelled' })];
    const plan = planSync(
      desired,
      before.map((e) => rowOf(e)),
    );
    expect(plan.deletions.map((d) => [d.key, d.googleId])).toEqual([
      ['b', idOf('b')],
      ['c', idOf('c')],
    ]);
    expect(plan.seriesWrites).toEqual([]);
  });

  it('does not insert a cancelled event the calendar never had', () => {
    expect(planSync([single('a', 'h1', { status: 'cancelled' })], []).seriesWrites).toEqual([]);
  });

  it('writes an exception that changed over the instance id its row holds, and a cancelled one like any other', () => {
    const ex = exception('s', '20260112T080000Z');
    const desired = [series('s'), exception('s', '20260112T080000Z', 'x2', { status: 'cancelled' })];
    const plan = planSync(desired, [rowOf(series('s')), rowOf(ex)]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({
        kind: 'write_exception',
        isNew: false,
        googleId: rowOf(ex).googleId,
        event: expect.objectContaining({ status: 'cancelled' }),
      }),
    ]);
    expect(plan.unchanged).toBe(1);
  });

  it('keeps no instance id across a series written under a new id, nor one Google never gave', () => {
    const exA = exception('s', '20260112T080000Z');
    const exB = exception('s', '20260119T080000Z');
    // The series row names another Google id (an id scheme change), so its instances are other events now.
    const movedSeries = { ...rowOf(series('s')), googleId: 'evold000' };
    const plan = planSync([series('s'), exA, exB], [movedSeries, rowOf(exA), rowOf(exB)]);
    expect(plan.seriesWrites).toEqual([expect.objectContaining({ kind: 'insert', replaces: 'evold000' })]);
    expect(plan.instanceWrites.map((op) => op.googleId)).toEqual([undefined, undefined]);

    // A row kept with an empty id (the series had no such instance) is looked up again when it is written.
    const unplaced = { ...rowOf(exA), googleId: '', hash: 'older' };
    const again = planSync([series('s'), exA], [rowOf(series('s')), unplaced]);
    expect(again.instanceWrites).toEqual([expect.objectContaining({ key: unplaced.eventKey, isNew: false })]);
    expect(again.instanceWrites[0]?.googleId).toBeUndefined();
  });

  it('writes every exception of a rewritten series again, changed or not', () => {
    const exA = exception('s', '20260112T080000Z');
    const exB = exception('s', '20260119T080000Z');
    const plan = planSync([series('s', 'h2'), exA, exB], [rowOf(series('s')), rowOf(exA), rowOf(exB)]);
    expect(plan.seriesWrites.map((op) => op.kind)).toEqual(['update']);
    expect(plan.instanceWrites.map((op) => op.key).sort()).toEqual([
      's#20260112T080000Z',
      's#20260119T080000Z',
    ]);
    expect(plan.unchanged).toBe(0);
  });

  it('reverts an exception the feed dropped to the series occurrence it overrode', () => {
    const ex = exception('s', '20260112T080000Z');
    const plan = planSync([series('s')], [rowOf(series('s')), rowOf(ex)]);
    expect(plan.instanceWrites).toHaveLength(1);
    const revert = plan.instanceWrites[0];
    expect(revert).toMatchObject({
      kind: 'revert_instance',
      googleId: `${idOf('s')}_20260112T080000Z`,
      seriesKey: 's',
    });
    expect(revert?.event).toMatchObject({
      summary: 'Event s',
      status: 'confirmed',
      start: { dateTime: '2026-01-12T08:00:00Z', timeZone: 'Europe/Berlin' },
      // The series lasts 90 minutes.
      end: { dateTime: '2026-01-12T09:30:00Z', timeZone: 'Europe/Berlin' },
      recurringEventId: idOf('s'),
    });
    expect(revert?.event.recurrence).toBeUndefined();
    expect(revert?.event.extendedProperties.private).toMatchObject({ icsUid: 's', icsHash: 'h1' });
    expect(revert).toMatchObject({ hash: 'reverted:h1' });
    expect(plan.deletions).toEqual([]);
  });

  it('leaves a reverted instance alone until its series changes, then reverts it again', () => {
    const reverted = { ...rowOf(exception('s', '20260112T080000Z')), hash: 'reverted:h1' };
    expect(planSync([series('s')], [rowOf(series('s')), reverted]).instanceWrites).toEqual([]);
    const plan = planSync([series('s', 'h2')], [rowOf(series('s')), reverted]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({ kind: 'revert_instance', hash: 'reverted:h2' }),
    ]);
  });

  it('cancels an overridden instance that is no occurrence of the rewritten series', () => {
    const ex = exception('s', '20260112T080000Z');
    // The series moved to 10:00 Berlin: 08:00 UTC is no occurrence any more.
    const moved = series('s', 'h2', {
      start: { dateTime: '2026-01-05T10:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-01-05T11:30:00', timeZone: 'Europe/Berlin' },
    });
    const plan = planSync([moved], [rowOf(series('s')), rowOf(ex)]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({
        kind: 'revert_instance',
        event: expect.objectContaining({ status: 'cancelled' }),
      }),
    ]);
  });

  it('reverts an all-day exception with the series length in days', () => {
    const allDay = series('d', 'h1', { start: { date: '2026-01-05' }, end: { date: '2026-01-07' } });
    const row = {
      ...rowOf(exception('d', '20260112T000000Z')),
      eventKey: 'd#20260112',
      googleId: `${idOf('d')}_20260112`,
    };
    const plan = planSync([allDay], [rowOf(allDay), row]);
    expect(plan.instanceWrites[0]?.event).toMatchObject({
      start: { date: '2026-01-12' },
      end: { date: '2026-01-14' },
    });
  });

  it('drops the rows of exceptions with their deleted series instead of calling Google for them', () => {
    const ex = exception('s', '20260112T080000Z');
    const plan = planSync([], [rowOf(series('s')), rowOf(ex)]);
    expect(plan.deletions.map((d) => d.key)).toEqual(['s']);
    expect(plan.forgets).toEqual([{ kind: 'forget', key: 's#20260112T080000Z', seriesKey: 's' }]);
    expect(plan.instanceWrites).toEqual([]);
    expect(plan.eventsInCalendar).toBe(1);
  });

  it('skips an exception whose series is not in the feed, and reports it', () => {
    const plan = planSync([exception('lost', '20260112T080000Z')], []);
    expect(plan.instanceWrites).toEqual([]);
    expect(plan.skipped).toEqual([
      { key: 'lost#20260112T080000Z', reason: expect.stringContaining('series') },
    ]);
  });

  it('writes a series under its new id when the id scheme changed', () => {
    const row = { ...rowOf(single('a')), googleId: 'oldid00000' };
    const plan = planSync([single('a')], [row]);
    expect(plan.seriesWrites).toEqual([expect.objectContaining({ kind: 'insert', googleId: idOf('a') })]);
  });

  it('keeps the last of two events with the same key', () => {
    const plan = planSync([single('a', 'h1'), single('a', 'h2')], [rowOf(single('a', 'h1'))]);
    expect(plan.seriesWrites).toEqual([expect.objectContaining({ kind: 'update', key: 'a' })]);
    expect(plan.seriesWrites[0]?.event.extendedProperties.private.icsHash).toBe('h2');
  });
});

describe('planSync with intent rows and moving ends', () => {
  it('inserts again over an intent row (the event may or may not be in Google), counted once', () => {
    const pending = { ...rowOf(series('s')), hash: PENDING };
    const exceptionIntent = { ...rowOf(exception('s', '20260112T080000Z')), googleId: '', hash: PENDING };
    const plan = planSync([series('s'), exception('s', '20260112T080000Z')], [pending, exceptionIntent]);
    expect(plan.seriesWrites).toEqual([expect.objectContaining({ kind: 'insert', key: 's', resumes: true })]);
    expect(plan.seriesWrites[0]).not.toHaveProperty('replaces');
    expect(plan.instanceWrites).toEqual([expect.objectContaining({ kind: 'write_exception', isNew: true })]);
    expect(plan.instanceWrites[0]?.googleId).toBeUndefined();
    expect(plan.eventsInCalendar).toBe(1);
  });

  it('deletes what an intent row stands for once the feed dropped it, and reverts an exception intent', () => {
    const pending = { ...rowOf(single('gone')), hash: PENDING };
    const exceptionIntent = { ...rowOf(exception('s', '20260112T080000Z')), googleId: '', hash: PENDING };
    const plan = planSync([series('s')], [rowOf(series('s')), pending, exceptionIntent]);
    expect(plan.deletions.map((d) => d.key)).toEqual(['gone']);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({ kind: 'revert_instance', key: 's#20260112T080000Z' }),
    ]);
  });

  it('stores a series row again, without a call, when only its exceptions move its end', () => {
    const short = series('s', 'h1', { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'] });
    const row = { ...rowOf(short), endsAt: '2026-01-12T09:30:00.000Z' };
    const later = exception('s', '20260112T080000Z', 'x1', {
      start: { dateTime: '2026-04-20T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-04-20T10:00:00', timeZone: 'Europe/Berlin' },
    });
    const plan = planSync([short, later], [row]);
    expect(plan.seriesWrites).toEqual([]);
    expect(plan.rowRefreshes).toEqual([{ ...row, endsAt: '2026-04-20T08:00:00.000Z' }]);
    // Nothing moved: nothing stored.
    const settled = planSync([short], [row]);
    expect(settled.rowRefreshes).toEqual([]);
  });

  it('cancels every override of a series that became a single event', () => {
    const ex = exception('s', '20260105T080000Z');
    const plan = planSync([single('s')], [rowOf(series('s')), rowOf(ex)]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({
        kind: 'revert_instance',
        event: expect.objectContaining({ status: 'cancelled' }),
      }),
    ]);
  });
});
