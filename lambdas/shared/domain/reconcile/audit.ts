import type { EventMapRow } from '../entities/event-map-row.ts';
import { type EventDateTime, eventKey, type GoogleEvent, recurrenceIdOfKey } from '../google-event.ts';
import { endOfEvent } from './ends.ts';
import { rowGoogleIdFor } from './event-ids.ts';
import { isException, type OwnedFields, ownedFields, showsOwnedFields } from './owned-fields.ts';
import { isPending, plainInstanceOf, revertedHash } from './plan.ts';
import { basicOf, startFromBasic } from './times.ts';

/** An event as a listing of the calendar shows it (a cancelled one may carry no more than id and status). */
export interface ListedEvent {
  id: string;
  resource: Readonly<Record<string, unknown>>;
}

export interface AuditInput {
  /** What the listing returned: the whole calendar, or what changed since the last audit. */
  listed: readonly ListedEvent[];
  rows: readonly EventMapRow[];
  /** The desired events of the feed (the mapping's output). */
  desiredEvents: readonly GoogleEvent[];
  /** UIDs of feed components that could not be read: their events are never touched. */
  unreadableUids?: Iterable<string>;
  /** The start of the horizon the feed was mapped for: events over before it are the past, left alone. */
  horizonStart: Date;
}

/** A live event carrying the service's marks that no row names: a copy the service made and lost track of. */
interface Stray {
  googleId: string;
  /** The key its marks name (for messages only: another event may hold that key's row). */
  key: string;
}

export interface AuditFindings {
  /**
   * Keys whose event in Google no longer shows what the service wrote (deleted, moved, retitled...) although
   * the row says it is up to date: to be written again. A key may name an instance of a series no row knows,
   * which the user changed: it is reverted to the series.
   */
  diverged: Set<string>;
  strays: Stray[];
}

/**
 * Compares what Google holds with what the service wrote. Only the owned fields count (showsOwnedFields), so
 * reminders, colours and other apps' properties a user added are no divergence; events without the service's
 * marks are never looked at. Rows the planner rewrites anyway (pending, or with another hash than the feed's)
 * are left to it. Pure: the listing, the rows and the feed in, the findings out.
 */
export function auditCalendar(input: AuditInput): AuditFindings {
  return new CalendarAudit(input).findings();
}

const hashOf = (event: GoogleEvent) => event.extendedProperties.private.icsHash;
const differs = (item: ListedEvent, fields: OwnedFields) => !showsOwnedFields(item.resource, fields);

/** One audit: the feed and the rows indexed, then each listed event judged by what the service knows of it. */
class CalendarAudit {
  private readonly input: AuditInput;
  private readonly diverged = new Set<string>();
  private readonly strays: Stray[] = [];
  private readonly unreadable: Set<string>;
  private readonly horizonStart: number;
  private readonly seriesByKey = new Map<string, GoogleEvent>();
  private readonly exceptionsByKey = new Map<string, GoogleEvent>();
  private readonly desiredIds = new Set<string>();
  private readonly rowById = new Map<string, EventMapRow>();
  private readonly rowByKey = new Map<string, EventMapRow>();

  constructor(input: AuditInput) {
    this.input = input;
    this.unreadable = new Set(input.unreadableUids ?? []);
    this.horizonStart = input.horizonStart.getTime();
    for (const event of input.desiredEvents) {
      if (isException(event)) this.exceptionsByKey.set(eventKey(event), event);
      else if (event.status !== 'cancelled') this.seriesByKey.set(eventKey(event), event);
      if (event.id) this.desiredIds.add(event.id);
    }
    for (const row of input.rows) {
      this.rowByKey.set(row.eventKey, row);
      if (row.googleId) this.rowById.set(row.googleId, row);
    }
  }

  findings(): AuditFindings {
    // A listing may name an event twice (it changed between pages): its last answer counts.
    const listed = new Map(this.input.listed.map((item) => [item.id, item]));
    for (const item of listed.values()) {
      const row = this.rowById.get(item.id);
      const recurringEventId = item.resource.recurringEventId;
      if (row) this.auditRowEvent(item, row);
      else if (typeof recurringEventId === 'string') this.auditUnknownInstance(item, recurringEventId);
      else if (this.isStray(item)) this.strays.push({ googleId: item.id, key: markedKey(item) });
    }
    return { diverged: this.diverged, strays: this.strays };
  }

  /** An event a row names: diverged when it no longer shows what the row says was written. */
  private auditRowEvent(item: ListedEvent, row: EventMapRow): void {
    if (isPending(row)) return;
    if (row.seriesKey === undefined) {
      const series = this.ownedSeries(row.eventKey, item.id);
      if (
        series &&
        row.hash === hashOf(series) &&
        (differs(item, ownedFields(series)) || !sameRecurrence(item.resource.recurrence, series.recurrence))
      )
        this.diverged.add(row.eventKey);
      return;
    }
    const wanted = this.wantedInstance(row.eventKey, row.seriesKey);
    if (wanted && row.hash === wanted.hash && differs(item, ownedFields(wanted.event)))
      this.diverged.add(row.eventKey);
  }

  /** An instance no row knows: the user changed (or deleted) one occurrence of a series. */
  private auditUnknownInstance(item: ListedEvent, recurringEventId: string): void {
    const seriesKey = this.rowById.get(recurringEventId)?.eventKey;
    const original = originalStartOf(item.resource);
    if (!this.ownedSeries(seriesKey, recurringEventId) || !original) return;
    // Exceptions are keyed by their series' UID (a split series' UID is `<UID>#<RID>`, its key another).
    const seriesUid =
      (seriesKey && this.seriesByKey.get(seriesKey)?.extendedProperties.private.icsUid) ?? seriesKey;
    const key = `${seriesUid}#${basicOf(original)}`;
    const known = this.rowByKey.get(key);
    const wanted = this.wantedInstance(key, seriesKey as string);
    // Without a row, an exception of the feed is written by the plan anyway.
    if (!wanted || (this.exceptionsByKey.has(key) && !known)) return;
    if (known && known.hash !== wanted.hash) return;
    if (differs(item, ownedFields(wanted.event))) this.diverged.add(key);
  }

  /** A series the service wrote and the feed still has, with its row up to date (else the plan rewrites it). */
  private ownedSeries(key: string | undefined, googleId: string): GoogleEvent | undefined {
    const row = key === undefined ? undefined : this.rowByKey.get(key);
    const series = key === undefined ? undefined : this.seriesByKey.get(key);
    // The row's id, which may be a fresh one or a renamed UID's (rowGoogleIdFor), not the computed one.
    if (!row || !series || isPending(row) || rowGoogleIdFor(row, series) !== googleId) return undefined;
    return series;
  }

  /** What an instance should show: the feed's exception, or else the series' plain occurrence. */
  private wantedInstance(key: string, seriesKey: string): { event: GoogleEvent; hash: string } | undefined {
    const exception = this.exceptionsByKey.get(key);
    if (exception) return { event: exception, hash: hashOf(exception) };
    const series = this.seriesByKey.get(seriesKey);
    const rid = recurrenceIdOfKey(key);
    const start = series && startFromBasic(rid, series.start);
    if (!series || !start) return undefined;
    return { event: plainInstanceOf(series, start, rid), hash: revertedHash(series) };
  }

  private isStray(item: ListedEvent): boolean {
    const { resource } = item;
    if (
      resource.status === 'cancelled' ||
      this.desiredIds.has(item.id) ||
      this.input.desiredEvents.length === 0
    )
      return false;
    const marks = privateOf(resource);
    if (marks.icsUid === undefined && marks.icsHash === undefined) return false;
    if ([marks.icsUid, marks.icsSplitFrom].some((uid) => uid !== undefined && this.unreadable.has(uid)))
      return false;
    // An event over before the horizon's start had its row forgotten on purpose: the past stays.
    return !isOver(resource, this.horizonStart);
  }
}

/**
 * Whether Google's recurrence lines say what the service wrote ("delete this and following" in the Calendar UI
 * adds an UNTIL; a changed rule). Compared as sets of lines, case and spaces aside.
 */
function sameRecurrence(listed: unknown, wanted: readonly string[] | undefined): boolean {
  const normal = (lines: readonly unknown[]) =>
    lines
      .filter((line): line is string => typeof line === 'string')
      .map((line) => line.trim().toUpperCase())
      .sort()
      .join('\n');
  return normal(Array.isArray(listed) ? listed : []) === normal(wanted ?? []);
}

function privateOf(resource: Readonly<Record<string, unknown>>): Record<string, string> {
  const properties = resource.extendedProperties as { private?: Record<string, string> } | undefined;
  return properties?.private ?? {};
}

function markedKey(item: ListedEvent): string {
  const marks = privateOf(item.resource);
  if (marks.icsUid === undefined) return item.id;
  return eventKey({ extendedProperties: { private: marks } } as unknown as GoogleEvent);
}

function originalStartOf(resource: Readonly<Record<string, unknown>>): EventDateTime | undefined {
  return eventTimeOf(resource.originalStartTime);
}

function eventTimeOf(value: unknown): EventDateTime | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const time = value as { date?: unknown; dateTime?: unknown; timeZone?: unknown };
  if (typeof time.date === 'string') return { date: time.date };
  if (typeof time.dateTime !== 'string') return undefined;
  return typeof time.timeZone === 'string'
    ? { dateTime: time.dateTime, timeZone: time.timeZone }
    : { dateTime: time.dateTime };
}

/**
 * Whether an event is over before `horizonStart` (as a row's `endsAt` would say). A series without end is
 * never over; one whose end cannot be read counts as over, so it is left alone.
 */
function isOver(resource: Readonly<Record<string, unknown>>, horizonStart: number): boolean {
  const start = eventTimeOf(resource.start);
  const end = eventTimeOf(resource.end);
  if (!start || !end) return true;
  const recurrence = Array.isArray(resource.recurrence)
    ? resource.recurrence.filter((line): line is string => typeof line === 'string')
    : [];
  const openEnded = recurrence.some((line) => /^RRULE[:;]/i.test(line) && !/[:;](COUNT|UNTIL)=/i.test(line));
  if (openEnded) return false;
  try {
    const over = endOfEvent({
      start,
      end,
      recurrence,
      extendedProperties: { private: {} },
    } as unknown as GoogleEvent);
    return over === undefined || over.getTime() <= horizonStart;
  } catch {
    return true;
  }
}
