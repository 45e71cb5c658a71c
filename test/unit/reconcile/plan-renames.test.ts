import { describe, expect, it } from 'vitest';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import {
  baseEventIdOf,
  eventSignature,
  freshEventId,
  generationOfEventId,
  isIdOfEvent,
  rowGoogleIdFor,
} from '../../../lambdas/shared/domain/reconcile/event-ids.ts';
import { PENDING, planSync } from '../../../lambdas/shared/domain/reconcile/plan.ts';
import type { EventMapRow } from '../../../lambdas/shared/ports/sync-stores.ts';
import { exception, idOf, rowOf, series, single } from './fixtures.ts';

/** A row as the engine writes it now: with the signature of the event's start, end and summary. */
const signed = (event: GoogleEvent, extra: Partial<EventMapRow> = {}): EventMapRow => ({
  ...rowOf(event),
  signature: eventSignature(event),
  ...extra,
});

/** The same event under another UID (a generator minting UIDs per download). */
const renamed = (event: GoogleEvent, uid: string): GoogleEvent => ({
  ...event,
  id: idOf(uid),
  extendedProperties: { private: { ...event.extendedProperties.private, icsUid: uid } },
});

const HEX_ID = 'a'.repeat(64);

describe('fresh event ids', () => {
  it('are generations of the base id in base32hex, recognised as the same event', () => {
    const ids = [1, 2, 31, 32, 1_000_000].map((generation) => freshEventId(HEX_ID, generation));
    for (const [index, id] of ids.entries()) {
      expect(id).toMatch(/^[0-9a-v]{5,1024}$/);
      expect(generationOfEventId(id, HEX_ID)).toBe([1, 2, 31, 32, 1_000_000][index]);
      expect(baseEventIdOf(id)).toBe(HEX_ID);
      expect(isIdOfEvent(id, HEX_ID)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(generationOfEventId(HEX_ID, HEX_ID)).toBe(0);
    expect(isIdOfEvent('b'.repeat(64), HEX_ID)).toBe(false);
    expect(isIdOfEvent(`${HEX_ID}vx`, HEX_ID)).toBe(false);
    expect(baseEventIdOf(HEX_ID)).toBe(HEX_ID);
    expect(() => freshEventId(HEX_ID, 0)).toThrow(RangeError);
  });

  it("take the row's id for an event only when it is the event's (base or generation) or the row's own", () => {
    const event = single('a');
    const fresh = freshEventId(idOf('a'), 2);
    expect(rowGoogleIdFor(rowOf(event), event)).toBe(idOf('a'));
    expect(rowGoogleIdFor({ ...rowOf(event), googleId: fresh }, event)).toBe(fresh);
    expect(rowGoogleIdFor({ ...rowOf(event), googleId: 'other0id' }, event)).toBeUndefined();
    expect(rowGoogleIdFor({ ...rowOf(event), googleId: 'other0id', ownGoogleId: true }, event)).toBe(
      'other0id',
    );
  });
});

describe('planSync: a row whose Google id is its own', () => {
  it('writes a series under its fresh id (no id scheme change), its exceptions and reverts found there', () => {
    const fresh = freshEventId(idOf('s'), 1);
    const before = [series('s'), exception('s', '20260112T080000Z'), exception('s', '20260119T080000Z')];
    const rows = before.map((event) => rowOf(event));
    rows[0] = { ...signed(before[0] as GoogleEvent), googleId: fresh, ownGoogleId: true };
    const unchanged = planSync(before, rows);
    expect(unchanged).toMatchObject({ seriesWrites: [], instanceWrites: [], deletions: [], unchanged: 3 });

    // The series changes and one exception is dropped: an update of the fresh id, not a replacement.
    const desired = [series('s', 'h2'), exception('s', '20260112T080000Z')];
    const plan = planSync(desired, rows);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'update', key: 's', googleId: fresh }),
    ]);
    expect(plan.seriesWrites[0]).not.toHaveProperty('replaces');
    expect(plan.instanceWrites.map((op) => [op.kind, op.seriesGoogleId])).toEqual([
      ['write_exception', fresh],
      ['revert_instance', fresh],
    ]);
    expect(plan.deletions).toEqual([]);
  });

  it('still replaces the event of a row whose id is another event`s (an id scheme change)', () => {
    const rows = [{ ...rowOf(single('a')), googleId: 'oldscheme0id' }];
    const plan = planSync([single('a')], rows);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'insert', googleId: idOf('a'), replaces: 'oldscheme0id' }),
    ]);
  });

  it("gives a key a fresh id when its computed id is another key's own (a renamed UID that came back)", () => {
    // b was moved onto a's Google event; a returns beside b.
    const rows = [signed(renamed(single('a'), 'b'), { googleId: idOf('a'), ownGoogleId: true })];
    const plan = planSync([renamed(single('a'), 'b'), single('a', 'h9', { summary: 'Other' })], rows);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'insert', key: 'a', googleId: freshEventId(idOf('a'), 1) }),
    ]);
    expect(plan.deletions).toEqual([]);
  });
});

describe('planSync: UID renames', () => {
  it('moves each renamed event onto the Google event of the row it replaces: no insert, no deletion', () => {
    const before = [single('a'), single('b', 'h1', { summary: 'B' }), series('s', 'h1', { summary: 'S' })];
    const rows = before.map((event) => signed(event));
    const desired = [renamed(before[0] as GoogleEvent, 'a2'), renamed(before[1] as GoogleEvent, 'b2')];
    desired.push(renamed(before[2] as GoogleEvent, 's2'));
    const plan = planSync(desired, rows);
    expect(
      plan.seriesWrites.map((op) => [op.kind, op.key, op.googleId, 'movedFrom' in op && op.movedFrom]),
    ).toEqual([
      ['update', 'a2', idOf('a'), 'a'],
      ['update', 'b2', idOf('b'), 'b'],
      ['update', 's2', idOf('s'), 's'],
    ]);
    expect(plan.deletions).toEqual([]);
    expect(plan.forgets).toEqual([]);
  });

  it('pairs one to one, and only events with the same start, end and summary', () => {
    const twin = single('a');
    const rows = [signed(twin)];
    const desired = [
      renamed(twin, 'x'),
      renamed(twin, 'y'),
      renamed(single('a', 'h1', { summary: 'Else' }), 'z'),
    ];
    const plan = planSync(desired, rows);
    expect(plan.seriesWrites.map((op) => [op.kind, op.key])).toEqual([
      ['update', 'x'],
      ['insert', 'y'],
      ['insert', 'z'],
    ]);
    expect(plan.deletions).toEqual([]);
  });

  it('holds the insert behind the deletion when the old series has exception rows', () => {
    const old = series('s');
    const rows = [signed(old), rowOf(exception('s', '20260112T080000Z'))];
    const plan = planSync([renamed(old, 's2')], rows);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'insert', key: 's2', afterDeletionOf: 's' }),
    ]);
    expect(plan.deletions.map((op) => op.key)).toEqual(['s']);
  });

  it('keeps a flip between the kinds of one UID a deletion and a write, never a move', () => {
    const old = single('s');
    const standalone = single('s', 'h1', {
      id: idOf('s-standalone'),
      extendedProperties: { private: { icsUid: 's', icsHash: 'h1', icsRecurrenceId: '20260105T090000Z' } },
    });
    const plan = planSync([standalone], [signed(old)]);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({
        kind: 'insert',
        key: 's#20260105T090000Z#standalone',
        googleId: idOf('s-standalone'),
      }),
    ]);
    expect(plan.deletions.map((op) => op.key)).toEqual(['s']);
  });

  it('leaves rows written before signatures were kept unpaired', () => {
    const old = single('a');
    const plan = planSync([renamed(old, 'a2')], [rowOf(old)]);
    expect(plan.seriesWrites).toEqual([expect.objectContaining({ kind: 'insert', key: 'a2' })]);
    expect(plan.seriesWrites[0]).not.toHaveProperty('afterDeletionOf');
    expect(plan.deletions.map((op) => op.key)).toEqual(['a']);
  });

  it('forgets, never deletes, the old row a stopped move left beside the new one', () => {
    const old = single('a');
    const rows = [
      signed(old),
      { ...signed(renamed(old, 'a2')), googleId: idOf('a'), ownGoogleId: true as const, hash: PENDING },
    ];
    const plan = planSync([renamed(old, 'a2')], rows);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'insert', key: 'a2', googleId: idOf('a'), resumes: true }),
    ]);
    expect(plan.deletions).toEqual([]);
    expect(plan.forgets).toEqual([{ kind: 'forget', key: 'a' }]);
  });
});

describe('planSync: intent rows of every kind of write', () => {
  const pending = (row: EventMapRow): EventMapRow => ({ ...row, hash: PENDING });

  it('writes a pending series again even when the feed holds the content the row had before', () => {
    // An update whose answer was lost: the feed went back to h1, the row claims nothing.
    const plan = planSync([single('a', 'h1')], [pending(signed(single('a', 'h1')))]);
    expect(plan.seriesWrites).toEqual([
      expect.objectContaining({ kind: 'insert', key: 'a', googleId: idOf('a'), resumes: true }),
    ]);
  });

  it('deletes a pending row whose key left the feed, and writes a pending exception again over its id', () => {
    const s = series('s');
    const x = exception('s', '20260112T080000Z');
    const rows = [signed(s), pending(rowOf(x)), pending(signed(single('gone')))];
    const plan = planSync([s, x], rows);
    expect(plan.deletions.map((op) => op.key)).toEqual(['gone']);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({
        kind: 'write_exception',
        key: 's#20260112T080000Z',
        googleId: rowOf(x).googleId,
      }),
    ]);
  });

  it('reverts a pending exception row whose exception the feed dropped', () => {
    const s = series('s');
    const x = exception('s', '20260112T080000Z');
    const plan = planSync([s], [signed(s), pending(rowOf(x))]);
    expect(plan.instanceWrites).toEqual([
      expect.objectContaining({
        kind: 'revert_instance',
        key: 's#20260112T080000Z',
        seriesGoogleId: idOf('s'),
      }),
    ]);
  });
});
