import { hash } from 'node:crypto';
import type { EventMapRow } from '../entities/event-map-row.ts';
import type { GoogleEvent } from '../google-event.ts';

/**
 * Fresh Google ids. A series or single event lives under the id the mapping computes from its key (its base id,
 * hex: see eventIdFor) unless that id can no longer hold it: Google purged the deleted event's tombstone while
 * keeping its id taken (insert 409, get 404), or refuses updating the event the user deleted in the Calendar UI
 * (403). It is then written under a generation of its base id: `<base id>v<generation in base32hex>`. Hex ids
 * never hold a `v`, and every character is of Google's base32hex alphabet (a-v, 0-9); the id stays far within
 * Google's 1,024 characters.
 */
const GENERATION_MARK = 'v';
const GENERATION = /^[0-9a-v]+$/;

/** The id of the `generation`-th fresh copy (1, 2...) of the event whose base id is `baseId`. */
export function freshEventId(baseId: string, generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new RangeError('generation must be >= 1');
  return `${baseId}${GENERATION_MARK}${generation.toString(32)}`;
}

/** Which generation of `baseId` the id is: 0 for the base id itself, undefined for an id of another event. */
export function generationOfEventId(googleId: string, baseId: string): number | undefined {
  if (googleId === baseId) return 0;
  const prefix = `${baseId}${GENERATION_MARK}`;
  if (!googleId.startsWith(prefix)) return undefined;
  const suffix = googleId.slice(prefix.length);
  if (!GENERATION.test(suffix)) return undefined;
  const generation = Number.parseInt(suffix, 32);
  return Number.isSafeInteger(generation) && generation >= 1 ? generation : undefined;
}

/**
 * The base id a Google id is a fresh generation of, or the id itself when it is none. Base ids are hex, so the
 * first `v` marks the generation (whose own digits may hold a `v`).
 */
export function baseEventIdOf(googleId: string): string {
  const at = googleId.indexOf(GENERATION_MARK);
  if (at <= 0) return googleId;
  const base = googleId.slice(0, at);
  return generationOfEventId(googleId, base) !== undefined ? base : googleId;
}

/** Whether the Google id is the event's base id or a generation of it. */
export const isIdOfEvent = (googleId: string, baseId: string): boolean =>
  generationOfEventId(googleId, baseId) !== undefined;

/**
 * The Google id a series or single event lives under according to its row, or undefined when the row's id is
 * not this event's (an id scheme change: the old event is replaced). The row's id holds when it is the event's
 * base id or a generation of it (a fresh id), or when the row says the id is its own (`ownGoogleId`: a fresh id,
 * or the Google event of a renamed UID the event was moved onto).
 */
export function rowGoogleIdFor(row: EventMapRow, event: GoogleEvent): string | undefined {
  if (!row.googleId || !event.id) return undefined;
  if (row.ownGoogleId || isIdOfEvent(row.googleId, event.id)) return row.googleId;
  return undefined;
}

/**
 * What identifies an event to a subscriber when its UID does not: its start, end and summary. Some generators
 * mint a new UID on every download; an event under a new key with the signature of a row whose key left the
 * feed is that row's event renamed. A short hash, kept in the row.
 */
export function eventSignature(event: Pick<GoogleEvent, 'start' | 'end' | 'summary'>): string {
  const text = JSON.stringify([event.start, event.end, event.summary ?? '']);
  return hash('sha256', text, 'hex').slice(0, 24);
}
