import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import type { EventMapRow } from '../../../lambdas/shared/ports/sync-stores.ts';

/** Hex is inside Google's id alphabet (a-v, 0-9). */
export const idOf = (uid: string) => `ev${Buffer.from(uid).toString('hex')}`;

export function single(uid: string, hash = 'h1', extra: Partial<GoogleEvent> = {}): GoogleEvent {
  return {
    id: idOf(uid),
    summary: `Event ${uid}`,
    start: { dateTime: '2026-01-05T09:00:00Z', timeZone: 'UTC' },
    end: { dateTime: '2026-01-05T10:00:00Z', timeZone: 'UTC' },
    extendedProperties: { private: { icsUid: uid, icsHash: hash } },
    ...extra,
  };
}

/** Weekly on Mondays 09:00 Berlin (08:00 UTC in winter), 90 minutes. */
export function series(uid: string, hash = 'h1', extra: Partial<GoogleEvent> = {}): GoogleEvent {
  return single(uid, hash, {
    start: { dateTime: '2026-01-05T09:00:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2026-01-05T10:30:00', timeZone: 'Europe/Berlin' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
    ...extra,
  });
}

/** The exception of `uid`'s series for the occurrence at `basic` (UTC basic format). */
export function exception(
  uid: string,
  basic: string,
  hash = 'x1',
  extra: Partial<GoogleEvent> = {},
): GoogleEvent {
  const original = `${basic.slice(0, 4)}-${basic.slice(4, 6)}-${basic.slice(6, 8)}T${basic.slice(9, 11)}:${basic.slice(11, 13)}:00Z`;
  return {
    summary: `Moved ${uid}`,
    start: { dateTime: original, timeZone: 'Europe/Berlin' },
    end: {
      dateTime: original.replace(/T(\d\d)/, (_, h) => `T${String(Number(h) + 1).padStart(2, '0')}`),
      timeZone: 'Europe/Berlin',
    },
    recurringEventId: idOf(uid),
    originalStartTime: { dateTime: original, timeZone: 'Europe/Berlin' },
    extendedProperties: { private: { icsUid: uid, icsHash: hash, icsRecurrenceId: basic } },
    ...extra,
  };
}

export function rowOf(event: GoogleEvent, hash = event.extendedProperties.private.icsHash): EventMapRow {
  const { icsUid, icsRecurrenceId } = event.extendedProperties.private;
  if (icsRecurrenceId) {
    return {
      eventKey: `${icsUid}#${icsRecurrenceId}`,
      googleId: `${event.recurringEventId}_${icsRecurrenceId}`,
      hash,
      updatedAt: '2026-01-01T00:00:00.000Z',
      seriesKey: icsUid,
    };
  }
  return { eventKey: icsUid, googleId: event.id as string, hash, updatedAt: '2026-01-01T00:00:00.000Z' };
}
