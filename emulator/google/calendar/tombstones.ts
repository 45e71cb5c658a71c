/**
 * Deleted events are tombstones, and tombstones do not last. The Events resource says of `status: cancelled`:
 * "Deleted events will eventually disappear, so do not rely on them being available indefinitely". Once
 * purged an event is gone from `get` (404) and from every listing, yet its id stays taken: inserting it again
 * still answers 409 (GAMADV-X #82; google-api-ruby-client #284 and #1811). So insert -> 409 -> get can answer 404.
 *
 * A cancelled exception of a live series is part of that series (the instance stays deleted) and is never
 * purged on its own; it goes with its series.
 */
import type { StoredCalendar, StoredEvent } from './store.ts';

/** Purges the tombstones deleted at least `purgeAfterMs` ago (emulator clock). Cheap when none is due. */
export function purgeDueTombstones(calendar: StoredCalendar, nowMs: number, purgeAfterMs: number): number {
  if (nowMs < calendar.nextPurgeDueMs) return 0;
  return purge(calendar, (event) => event.updatedMs + purgeAfterMs <= nowMs, purgeAfterMs);
}

/** Purges every tombstone of the calendar now, whatever its age (`purgeTombstones` on the control surface). */
export function purgeAllTombstones(calendar: StoredCalendar, purgeAfterMs: number): number {
  return purge(calendar, () => true, purgeAfterMs);
}

function purge(
  calendar: StoredCalendar,
  isDue: (event: StoredEvent) => boolean,
  purgeAfterMs: number,
): number {
  const doomed = new Set<string>();
  for (const event of calendar.events.values()) {
    if (isPurgeable(calendar, event) && isDue(event)) doomed.add(event.resource.id);
  }
  // A purged series takes its exceptions with it.
  for (const event of calendar.events.values()) {
    const seriesId = event.resource.recurringEventId as string | undefined;
    if (seriesId !== undefined && doomed.has(seriesId)) doomed.add(event.resource.id);
  }
  for (const id of doomed) {
    const event = calendar.events.get(id) as StoredEvent;
    const isException = event.resource.recurringEventId !== undefined;
    calendar.purged.set(id, isException ? undefined : (event.resource.iCalUID as string | undefined));
    calendar.purgedThroughSeq = Math.max(calendar.purgedThroughSeq, event.changeSeq);
    calendar.events.delete(id);
  }
  let next = Number.POSITIVE_INFINITY;
  for (const event of calendar.events.values()) {
    if (isPurgeable(calendar, event)) next = Math.min(next, event.updatedMs + purgeAfterMs);
  }
  calendar.nextPurgeDueMs = next;
  return doomed.size;
}

/** A cancelled event, unless it is a deleted instance of a series that still lives. */
function isPurgeable(calendar: StoredCalendar, event: StoredEvent): boolean {
  if (event.resource.status !== 'cancelled') return false;
  const seriesId = event.resource.recurringEventId as string | undefined;
  const series = seriesId === undefined ? undefined : calendar.events.get(seriesId);
  return !series || series.resource.status === 'cancelled';
}

/** Whether an iCalUID is still held by a purged event (it stays taken, as its id does). */
export function iCalUidPurged(calendar: StoredCalendar, iCalUID: string): boolean {
  for (const held of calendar.purged.values()) if (held === iCalUID) return true;
  return false;
}
