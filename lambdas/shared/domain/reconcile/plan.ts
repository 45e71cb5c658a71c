import type { EventMapRow } from '../../ports/sync-stores.ts';
import { expandSeries } from '../expansion/index.ts';
import {
  type EventDateTime,
  eventKey,
  type GoogleEvent,
  recurrenceIdOfKey,
  SPLIT_KEY_SUFFIX,
  STANDALONE_KEY_SUFFIX,
} from '../google-event.ts';
import { DAY_MS } from '../time/civil.ts';
import { instantOf } from '../time/event-time.ts';
import { endOfEvent } from './ends.ts';
import { isException } from './owned-fields.ts';
import { seriesDuration, shiftBy, startFromBasic, timeKey } from './times.ts';

/** A series or single event the calendar lacks: insert it under its deterministic id. */
export interface InsertEvent {
  kind: 'insert';
  key: string;
  googleId: string;
  event: GoogleEvent;
  /** When the event is over (ISO 8601; see endOfEvent), kept in its row; absent for a series without end. */
  endsAt?: string;
  /**
   * The Google id the row held when it differs from the event's id (the id scheme changed): that event is
   * deleted first, so the calendar never shows both.
   */
  replaces?: string;
  /**
   * The row is an intent left by a run that stopped around this insert (see PENDING): the event may be in Google
   * already, and the row already counts it.
   */
  resumes?: true;
}

/** A series or single event whose content changed: write its owned fields. */
export interface UpdateEvent {
  kind: 'update';
  key: string;
  googleId: string;
  event: GoogleEvent;
  endsAt?: string;
}

/**
 * An exception (new or changed): write it over the instance Google made for it. Instance ids are Google's and
 * opaque, so the instance is found through Google by its series and original start (`event.recurringEventId`,
 * `event.originalStartTime`) unless the row already holds the id Google gave it.
 */
export interface WriteException {
  kind: 'write_exception';
  key: string;
  /** The instance's id as Google gave it, from the row; absent when it is still to be looked up. */
  googleId?: string;
  seriesKey: string;
  event: GoogleEvent;
  /** No row yet: this exception is new to the calendar. */
  isNew: boolean;
}

/**
 * An instance the service once overrode that the feed no longer overrides: give it the series' content back,
 * or cancel it when the series (rewritten since) no longer has an occurrence there. Google keeps an override
 * for good, so its row stays too (with `hash`), to be reverted again whenever the series is rewritten.
 */
export interface RevertInstance {
  kind: 'revert_instance';
  key: string;
  /** The instance's id from the row; absent when Google never showed one (looked up like a new exception). */
  googleId?: string;
  seriesKey: string;
  /** The instance as the series alone would have it (cancelled if it is no occurrence of the series). */
  event: GoogleEvent;
  /** The row's hash once reverted: tied to the series' hash, so a series change reverts it again. */
  hash: string;
}

/** A series or single event the feed no longer has. */
export interface DeleteEvent {
  kind: 'delete';
  key: string;
  googleId: string;
}

/**
 * A row that goes without a Google call: an exception whose series is deleted (deleting the series removes the
 * instance) or forgotten; an event that is over and left the feed's horizon (past events stay in Google); a row
 * whose Google id another key now writes (a key scheme change).
 */
export interface ForgetRow {
  kind: 'forget';
  key: string;
  /** Set on exceptions: the row goes once its series is deleted (right away when the series is not). */
  seriesKey?: string;
}

export type Operation = InsertEvent | UpdateEvent | WriteException | RevertInstance | DeleteEvent | ForgetRow;
export type Write = InsertEvent | UpdateEvent | WriteException | RevertInstance;

export interface PlanOptions {
  /** UIDs of feed components that could not be read: their events are left as they are, never deleted. */
  unreadableUids?: Iterable<string>;
  /**
   * The start of the horizon the feed was mapped for. An event whose row says it was over by then left the
   * mapped set for being past, not because the feed dropped it: its row is forgotten, the event stays in Google.
   */
  horizonStart?: Date;
}

export interface Plan {
  /** Series and single events to insert or update; independent of one another. */
  seriesWrites: (InsertEvent | UpdateEvent)[];
  /** Instance patches and reverts; each must wait for its series' write, if that series has one. */
  instanceWrites: (WriteException | RevertInstance)[];
  /** Series and single events to delete (what the mass-delete breaker weighs). */
  deletions: DeleteEvent[];
  /** Rows that go without a call (see ForgetRow). */
  forgets: ForgetRow[];
  /** Desired events already in the calendar with the same content: no call. */
  unchanged: number;
  /** Series and single events in the calendar according to the map, before this plan. */
  eventsInCalendar: number;
  /** Desired events the plan cannot place, with the reason (e.g. an exception whose series is not in the feed). */
  skipped: { key: string; reason: string }[];
  /**
   * Rows of series that are not rewritten but whose end moved (an exception added, moved or dropped): stored
   * again without a Google call, so a series with an exception still ahead is never taken for one that is over.
   */
  rowRefreshes: EventMapRow[];
}

/**
 * The hash of an intent row: written before the Google call that creates an event (or an exception) and replaced
 * by the real row once the call succeeded. A run that stops in between (killed, the map store failing, every
 * answer lost) leaves the intent, so the event, which may be in Google already, is never left without a row.
 */
export const PENDING = 'pending';
export const isPending = (row: EventMapRow | undefined): boolean => row?.hash === PENDING;

/**
 * Compares the desired events of a feed with the event map and returns what to write. Content is compared
 * through the hash the mapping puts in `extendedProperties.private.icsHash`, so an unchanged event costs nothing.
 *
 * A series or single event with status `cancelled` is treated as absent (Google shows a cancelled event as
 * deleted), and takes its exceptions with it. When a series is inserted or updated, its exceptions are patched
 * again even if they did not change: rewriting a series may reset its instances in Google.
 */
export function planSync(
  desiredEvents: readonly GoogleEvent[],
  rows: readonly EventMapRow[],
  options: PlanOptions = {},
): Plan {
  const skipped: Plan['skipped'] = [];
  const isUnreadable = unreadableMatcher(options.unreadableUids ?? []);
  const horizonStart = options.horizonStart?.getTime();
  // endsAt is the first horizon start that no longer overlaps the event (endOfEvent, ../time/window.ts).
  const isOver = (row: EventMapRow) =>
    horizonStart !== undefined && row.endsAt !== undefined && Date.parse(row.endsAt) <= horizonStart;
  const rowByKey = new Map(rows.map((row) => [row.eventKey, row]));

  // The last event of a key wins, as the mapping's duplicate-UID rule would have it.
  const seriesByKey = new Map<string, GoogleEvent>();
  const exceptionsByKey = new Map<string, GoogleEvent>();
  for (const event of desiredEvents) {
    if (isException(event)) exceptionsByKey.set(eventKey(event), event);
    else if (event.status !== 'cancelled') seriesByKey.set(eventKey(event), event);
  }
  const seriesKeyById = new Map<string, string>();
  for (const [key, event] of seriesByKey) if (event.id) seriesKeyById.set(event.id, key);
  const exceptionsBySeriesId = new Map<string, GoogleEvent[]>();
  for (const event of exceptionsByKey.values()) {
    const list = exceptionsBySeriesId.get(event.recurringEventId as string) ?? [];
    list.push(event);
    exceptionsBySeriesId.set(event.recurringEventId as string, list);
  }
  const endsAtOf = (event: GoogleEvent) => {
    const end = endOfEvent(event, exceptionsBySeriesId.get(event.id as string));
    return end ? { endsAt: end.toISOString() } : {};
  };

  const seriesWrites: Plan['seriesWrites'] = [];
  const rewrittenSeries = new Set<string>();
  /** Series written under another Google id than their row's (an id scheme change). */
  const replacedSeries = new Set<string>();
  let unchanged = 0;
  for (const [key, event] of seriesByKey) {
    if (!event.id) {
      skipped.push({ key, reason: 'event without an id' });
      continue;
    }
    const row = legacyRow(rowByKey.get(key), false);
    if (row && isPending(row) && row.googleId === event.id) {
      // Maybe inserted, maybe not: an insert is right either way (409 means it is there, and it is overwritten).
      seriesWrites.push({
        kind: 'insert',
        key,
        googleId: event.id,
        event,
        ...endsAtOf(event),
        resumes: true,
      });
      rewrittenSeries.add(key);
    } else if (!row || row.googleId !== event.id) {
      // A different id than the map's can only come from a changed id scheme: the old event goes first, unless
      // another key of the feed writes that id now.
      const replaces = row && !seriesKeyById.has(row.googleId) ? { replaces: row.googleId } : {};
      seriesWrites.push({ kind: 'insert', key, googleId: event.id, event, ...endsAtOf(event), ...replaces });
      rewrittenSeries.add(key);
      if (row) replacedSeries.add(key);
    } else if (row.hash !== event.extendedProperties.private.icsHash) {
      seriesWrites.push({ kind: 'update', key, googleId: row.googleId, event, ...endsAtOf(event) });
      rewrittenSeries.add(key);
    } else {
      unchanged++;
    }
  }

  const instanceWrites: Plan['instanceWrites'] = [];
  const placedExceptions = new Set<string>();
  for (const [key, event] of exceptionsByKey) {
    const seriesKey = event.recurringEventId ? seriesKeyById.get(event.recurringEventId) : undefined;
    if (!seriesKey || !event.originalStartTime) {
      skipped.push({ key, reason: 'exception whose series is not in the feed' });
      continue;
    }
    placedExceptions.add(key);
    // A row of another kind under this key (written before each kind had its own key) is not this one's.
    const row = legacyRow(rowByKey.get(key), true);
    const changed = !row || row.hash !== event.extendedProperties.private.icsHash;
    if (changed || rewrittenSeries.has(seriesKey)) {
      // Under a series that now has another Google id, the row's instance id is the old series' one.
      const googleId = replacedSeries.has(seriesKey) ? undefined : knownInstanceId(row);
      instanceWrites.push({
        kind: 'write_exception',
        key,
        seriesKey,
        event,
        isNew: !row || isPending(row),
        ...(googleId ? { googleId } : {}),
      });
    } else {
      unchanged++;
    }
  }

  const deletions: DeleteEvent[] = [];
  const forgets: ForgetRow[] = [];
  let eventsInCalendar = 0;
  for (const row of rows) {
    if (row.seriesKey === undefined) {
      eventsInCalendar++;
      if (seriesByKey.has(row.eventKey) || isUnreadable(row)) continue;
      // Its Google event is another key's now (a key scheme change), or it is over and merely left the horizon.
      if (seriesKeyById.has(row.googleId) || isOver(row)) forgets.push({ kind: 'forget', key: row.eventKey });
      else deletions.push({ kind: 'delete', key: row.eventKey, googleId: row.googleId });
      continue;
    }
    if (placedExceptions.has(row.eventKey) || isUnreadable(row)) continue;
    const series = seriesByKey.get(row.seriesKey);
    const originalStart = series && originalStartOf(row, series);
    if (!series || !originalStart) {
      forgets.push({ kind: 'forget', key: row.eventKey, seriesKey: row.seriesKey });
      continue;
    }
    const hash = revertedHash(series);
    if (row.hash === hash && !rewrittenSeries.has(row.seriesKey)) continue;
    const googleId = replacedSeries.has(row.seriesKey) ? undefined : knownInstanceId(row);
    instanceWrites.push({
      kind: 'revert_instance',
      key: row.eventKey,
      ...(googleId ? { googleId } : {}),
      seriesKey: row.seriesKey,
      event: plainInstanceOf(series, originalStart, recurrenceIdOfKey(row.eventKey)),
      hash,
    });
  }

  // A series not rewritten whose exceptions change may end later or earlier than its row says.
  const rowRefreshes: EventMapRow[] = [];
  const touchedSeries = new Set(instanceWrites.map((op) => op.seriesKey));
  for (const key of touchedSeries) {
    const row = rowByKey.get(key);
    const event = seriesByKey.get(key);
    if (!row || !event || rewrittenSeries.has(key)) continue;
    const { endsAt } = endsAtOf(event);
    if (endsAt === row.endsAt) continue;
    const { endsAt: _old, ...rest } = row;
    rowRefreshes.push(endsAt === undefined ? rest : { ...rest, endsAt });
  }

  return {
    seriesWrites,
    instanceWrites,
    deletions,
    forgets,
    unchanged,
    eventsInCalendar,
    skipped,
    rowRefreshes,
  };
}

/** The instance id a row holds; empty when Google had no such instance when the exception was written. */
const knownInstanceId = (row: EventMapRow | undefined): string | undefined => row?.googleId || undefined;

const revertedHash = (series: GoogleEvent) => `reverted:${series.extendedProperties.private.icsHash}`;

/** An exception's key ends with `#<original start in basic format>` (see eventKey). */
function originalStartOf(row: EventMapRow, series: GoogleEvent): EventDateTime | undefined {
  return startFromBasic(recurrenceIdOfKey(row.eventKey), series.start);
}

/** The row under a key if it is of the wanted kind (exception or not), else none. */
function legacyRow(row: EventMapRow | undefined, exception: boolean): EventMapRow | undefined {
  return row && (row.seriesKey !== undefined) === exception ? row : undefined;
}

/** A RECURRENCE-ID in basic format, as the last part of exception, standalone and split keys. */
const BASIC_RID = /^\d{8}(?:T\d{6}Z)?$/;

/** `key` without its last `#<RECURRENCE-ID>`, or undefined when it does not end in one. */
function withoutRecurrenceId(key: string): string | undefined {
  const at = key.lastIndexOf('#');
  return at > 0 && BASIC_RID.test(key.slice(at + 1)) ? key.slice(0, at) : undefined;
}

/**
 * The UIDs of the feed component a row may come from, read off the key's structure (see eventKey): the row's
 * own ICS UID, and for a split series (UID `<UID>#<RECURRENCE-ID>`) and what hangs off it, the UID it was split
 * from. Only a UID that itself ends in `#<RECURRENCE-ID>` can be taken for a split one: such a row is then
 * spared, never deleted.
 */
function sourceUids(row: EventMapRow): string[] {
  let uid: string | undefined = row.eventKey;
  if (uid.endsWith(STANDALONE_KEY_SUFFIX))
    uid = withoutRecurrenceId(uid.slice(0, -STANDALONE_KEY_SUFFIX.length));
  else if (uid.endsWith(SPLIT_KEY_SUFFIX)) uid = uid.slice(0, -SPLIT_KEY_SUFFIX.length);
  else if (row.seriesKey !== undefined) uid = withoutRecurrenceId(uid);
  const uids: string[] = [];
  for (; uid !== undefined; uid = withoutRecurrenceId(uid)) uids.push(uid);
  return uids;
}

/** Whether a row belongs to a component the mapping could not read (matched on whole UIDs). */
function unreadableMatcher(uids: Iterable<string>): (row: EventMapRow) => boolean {
  const unreadable = new Set(uids);
  return (row) => unreadable.size > 0 && sourceUids(row).some((uid) => unreadable.has(uid));
}

/** Whether the series has an occurrence that starts at `originalStart`. */
function isOccurrence(series: GoogleEvent, originalStart: EventDateTime): boolean {
  // A series turned single event has no instances: every override it had must go.
  if (!series.id || !series.recurrence?.length) return false;
  const wanted = timeKey(originalStart);
  try {
    const at = instantOf(originalStart);
    const window = { timeMin: new Date(at - DAY_MS), timeMax: new Date(at + 2 * DAY_MS) };
    return expandSeries(series, [], window, { includeCancelled: true }).some(
      (o) => o.originalStartTime !== undefined && timeKey(o.originalStartTime) === wanted,
    );
  } catch {
    // A series the expansion cannot read: Google would not have it either; restoring does no harm.
    return true;
  }
}

/**
 * The instance of `series` at `originalStart` as Google shows it when nothing overrides it; cancelled when the
 * series has no occurrence there (any other content would show a ghost occurrence). With a `recurrenceId`, the
 * instance is marked as one the service once overrode.
 */
export function plainInstanceOf(
  series: GoogleEvent,
  originalStart: EventDateTime,
  recurrenceId?: string,
): GoogleEvent {
  const { recurrence: _recurrence, id, ...content } = series;
  const properties = { ...series.extendedProperties.private };
  if (recurrenceId !== undefined) properties.icsRecurrenceId = recurrenceId;
  return {
    ...content,
    status: isOccurrence(series, originalStart) ? (series.status ?? 'confirmed') : 'cancelled',
    start: originalStart,
    end: shiftBy(originalStart, seriesDuration(series)),
    recurringEventId: id,
    originalStartTime: originalStart,
    extendedProperties: { private: properties },
  };
}
