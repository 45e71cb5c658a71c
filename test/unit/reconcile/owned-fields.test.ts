import { describe, expect, it } from 'vitest';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import {
  EVENT_FIELDS,
  type FieldRole,
  type OwnedFields,
  showsOwnedFields,
  withOwnedFields,
} from '../../../lambdas/shared/domain/reconcile/owned-fields.ts';

/** An event as Google answers it, with what a user set in Google's UI. */
const asGoogleHasIt = {
  kind: 'calendar#event',
  etag: '"3181161784712000"',
  id: 'ev0001',
  summary: 'Old',
  description: 'Old notes',
  location: 'Room 1',
  start: { dateTime: '2026-03-02T09:00:00+01:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-03-02T10:00:00+01:00', timeZone: 'Europe/Berlin' },
  recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
  colorId: '5',
  reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 3 }] },
  extendedProperties: {
    private: { icsUid: 'u1', icsHash: 'h1', icsRecurrenceId: '20260302T080000Z', theirs: 'kept' },
    shared: { team: 'kept too' },
  },
  status: 'confirmed',
};

const fields: OwnedFields = {
  summary: 'New',
  start: { date: '2026-03-03' },
  end: { date: '2026-03-04' },
  status: 'tentative',
  extendedProperties: { private: { icsUid: 'u1', icsHash: 'h2' } },
};

describe('withOwnedFields (the body of an update that stands in for a patch)', () => {
  it('writes the owned fields, removes the owned ones the feed dropped and keeps everything else', () => {
    const body = withOwnedFields(asGoogleHasIt, fields);
    expect(body).toMatchObject({
      id: 'ev0001',
      summary: 'New',
      status: 'tentative',
      colorId: '5',
      reminders: asGoogleHasIt.reminders,
      start: { date: '2026-03-03' },
      end: { date: '2026-03-04' },
    });
    for (const dropped of ['description', 'location', 'recurrence', 'transparency', 'visibility']) {
      expect(body).not.toHaveProperty(dropped);
    }
    // A start replaced whole: nothing of the timed kind is left to make Google refuse an all-day event.
    expect(body.start).toEqual({ date: '2026-03-03' });
  });

  it("keeps other people's private and shared properties, and drops the service's keys the feed no longer sets", () => {
    const body = withOwnedFields(asGoogleHasIt, fields);
    expect(body.extendedProperties).toEqual({
      private: { icsUid: 'u1', icsHash: 'h2', theirs: 'kept' },
      shared: { team: 'kept too' },
    });
  });

  it('never gives an instance recurrence lines, and leaves the resource it read untouched', () => {
    const instance = { ...asGoogleHasIt, recurringEventId: 'ev0001', recurrence: undefined };
    const before = structuredClone(asGoogleHasIt);
    const body = withOwnedFields(instance, { ...fields, recurrence: ['RRULE:FREQ=DAILY'] });
    expect(body).not.toHaveProperty('recurrence');
    expect(body.recurringEventId).toBe('ev0001');
    expect(asGoogleHasIt).toEqual(before);
  });
});

describe('EVENT_FIELDS (every field of the event, classified)', () => {
  it('makes a field added to the event a compile error until it is classified', () => {
    // Checked by the typecheck: the table must name every field of the event type, so one more is an error.
    // @ts-expect-error colorId stands for a field added to GoogleEvent and not yet in the table.
    const unclassified: Record<keyof (GoogleEvent & { colorId?: string }), FieldRole> = EVENT_FIELDS;
    expect(Object.keys(unclassified)).not.toContain('colorId');
  });

  it("derives the update and the comparison from the table: every owned field counts, Google's own do not", () => {
    const owned = Object.entries(EVENT_FIELDS).filter(([, rule]) => rule.role === 'owned');
    expect(owned.map(([name]) => name).sort()).toEqual(
      [
        'description',
        'end',
        'extendedProperties',
        'location',
        'recurrence',
        'start',
        'status',
        'summary',
        'transparency',
        'visibility',
      ].sort(),
    );
    const shown = { ...withOwnedFields(asGoogleHasIt, fields), id: 'another', recurringEventId: 'x' };
    expect(showsOwnedFields(shown, fields)).toBe(true);
    for (const [name, changed] of [
      ['summary', 'Changed'],
      ['description', 'Added'],
      ['transparency', 'transparent'],
      ['visibility', 'private'],
      ['status', 'confirmed'],
      ['end', { date: '2026-03-05' }],
    ] as const) {
      expect(showsOwnedFields({ ...shown, [name]: changed }, fields), name).toBe(false);
    }
    // Unset and the value Google shows for unset are the same.
    expect(
      showsOwnedFields({ ...shown, transparency: 'opaque', visibility: 'default', location: '' }, fields),
    ).toBe(true);
  });
});
