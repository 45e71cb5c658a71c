import type { EventDateTime, GoogleEvent } from '../google-event.ts';
import { DAY_MS, formatDate } from '../time/civil.ts';
import { formatInstant, type PlacedTime, readEventDateTime } from '../time/event-time.ts';
import { basicId, basicIdAt } from '../time/when.ts';
import { overlapsWindow } from '../time/window.ts';
import type { WorkBudget } from '../work-budget.ts';
import { type PreparedSeries, prepareSeries, type WindowMs, walkSeries } from './series.ts';

/**
 * An occurrence counts when it overlaps [timeMin, timeMax), as in Google's events.list (end > timeMin, start <
 * timeMax); one that does not end after it starts counts when it starts inside (../time/window.ts).
 */
export interface TimeWindow {
  timeMin: Date;
  timeMax: Date;
}

type OccurrenceStatus = 'confirmed' | 'tentative' | 'cancelled';

export interface Occurrence {
  /** The event id for a single event; instanceId(seriesId, originalStart), a key of our own, for an instance. */
  id: string;
  /** Set on instances of a series. */
  recurringEventId?: string;
  /** Set on instances. */
  originalStartTime?: EventDateTime;
  /** Timed: `{ dateTime: RFC 3339 with the zone's offset, timeZone }`; all-day: `{ date }`. */
  start: EventDateTime;
  end: EventDateTime;
  status: OccurrenceStatus;
  /** The resource the occurrence comes from (series, single event, or the exception). */
  event: GoogleEvent;
}

export interface ExpandOptions {
  /** Also list cancelled occurrences (cancelled exceptions, cancelled events), as Google's showDeleted does. */
  includeCancelled?: boolean;
  /** At most this many occurrences per series (runaway guard). Default DEFAULT_MAX_OCCURRENCES. */
  maxOccurrences?: number;
  /** A feed's work budget: the walk spends from it and throws FeedTooCostly past it. */
  budget?: WorkBudget;
}

const DEFAULT_MAX_OCCURRENCES = 5_000;

const toWindowMs = (window: TimeWindow, budget?: WorkBudget): WindowMs => ({
  minMs: window.timeMin.getTime(),
  maxMs: window.timeMax.getTime(),
  ...(budget ? { budget } : {}),
});

/** An instant shaped like `placed`: its date, or the date-time in its zone, echoing the timeZone it named. */
function formatLike(placed: PlacedTime, utcMs: number): EventDateTime {
  if (placed.allDay) return { date: formatDate(Math.floor(utcMs / DAY_MS)) };
  const dateTime = formatInstant(utcMs, placed.zone);
  return placed.timeZone ? { dateTime, timeZone: placed.timeZone } : { dateTime };
}

/**
 * The product's own key of a series occurrence, in the historic form of Google's instance ids:
 * `<seriesId>_20240105T100000Z` (start in UTC, basic format) or `<seriesId>_20240105`. Never sent to Google:
 * Google's instance ids are opaque (series created from Q3 2026 get ids in another format), so the sync engine
 * finds instances through `events.instances` and keeps the ids Google gives.
 */
export function instanceId(seriesId: string, originalStart: EventDateTime): string {
  return `${seriesId}_${basicId(readEventDateTime(originalStart))}`;
}

const statusOf = (event: GoogleEvent): OccurrenceStatus => event.status ?? 'confirmed';

/** An occurrence with its start instant, so sorting never parses a date again. */
interface Keyed {
  occurrence: Occurrence;
  startMs: number;
}

/** The occurrence of a single event or of an exception, at its own (possibly moved) times. */
function ownOccurrence(event: GoogleEvent, window: WindowMs, seriesId?: string): Keyed | undefined {
  const start = readEventDateTime(event.start);
  const end = readEventDateTime(event.end);
  if (!overlapsWindow(start.utcMs, end.utcMs, window.minMs, window.maxMs)) return undefined;
  const occurrence: Occurrence = {
    id: event.id ?? '',
    start: formatLike(start, start.utcMs),
    end: formatLike(end, end.utcMs),
    status: statusOf(event),
    event,
  };
  const recurringEventId = seriesId ?? event.recurringEventId;
  if (recurringEventId !== undefined && event.originalStartTime) {
    occurrence.recurringEventId = recurringEventId;
    occurrence.originalStartTime = event.originalStartTime;
    occurrence.id = event.id ?? instanceId(recurringEventId, event.originalStartTime);
  }
  return { occurrence, startMs: start.utcMs };
}

/** Exceptions keyed the way instances are: the instant of the original start (all-day: its UTC midnight). */
function exceptionsByOriginalStart(exceptions: GoogleEvent[]): Set<number> {
  const starts = new Set<number>();
  for (const exception of exceptions) {
    if (exception.originalStartTime) starts.add(readEventDateTime(exception.originalStartTime).utcMs);
  }
  return starts;
}

function seriesInstance(
  series: GoogleEvent,
  prepared: PreparedSeries,
  utcMs: number,
  durationMs: number,
): Keyed {
  const seriesId = series.id ?? '';
  return {
    occurrence: {
      id: `${seriesId}_${basicIdAt(prepared.allDay, utcMs)}`,
      recurringEventId: seriesId,
      originalStartTime: formatLike(prepared.start, utcMs),
      start: formatLike(prepared.start, utcMs),
      end: formatLike(prepared.end, utcMs + durationMs),
      status: statusOf(series),
      event: series,
    },
    startMs: utcMs,
  };
}

/** Sorted by start instant, then id. */
function sortByStart(keyed: Keyed[]): Occurrence[] {
  keyed.sort((a, b) => {
    const diff = a.startMs - b.startMs;
    if (diff !== 0) return diff;
    return a.occurrence.id < b.occurrence.id ? -1 : a.occurrence.id > b.occurrence.id ? 1 : 0;
  });
  return keyed.map(({ occurrence }) => occurrence);
}

/**
 * The occurrences of a series in the window, as Google shows them: each instance of the recurrence set, an
 * exception replacing the instance with the same originalStartTime (shown at its own times, so a moved one
 * counts where it moved to), cancelled exceptions removing theirs. Sorted by start.
 * Throws ExpansionError when the series' times or recurrence lines cannot be read.
 */
export function expandSeries(
  series: GoogleEvent,
  exceptions: GoogleEvent[],
  window: TimeWindow,
  options: ExpandOptions = {},
): Occurrence[] {
  return sortByStart(expandSeriesKeyed(series, exceptions, toWindowMs(window, options.budget), options));
}

function expandSeriesKeyed(
  series: GoogleEvent,
  exceptions: GoogleEvent[],
  window: WindowMs,
  options: ExpandOptions,
): Keyed[] {
  const includeCancelled = options.includeCancelled ?? false;
  const seriesCancelled = statusOf(series) === 'cancelled';
  if (seriesCancelled && !includeCancelled) return [];
  const maxOccurrences = options.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES;
  const prepared = prepareSeries(series);
  const replaced = exceptionsByOriginalStart(exceptions);
  const seen = new Set<number>();
  const keyed: Keyed[] = [];
  walkSeries(prepared, window, (utcMs, durationMs) => {
    if (seen.has(utcMs)) return true;
    seen.add(utcMs);
    if (!replaced.has(utcMs)) {
      keyed.push(seriesInstance(series, prepared, utcMs, durationMs));
      // Each occurrence is formatted (its own objects and strings): it costs more than a day examined.
      options.budget?.spend(10, 'expanding a recurrence');
    }
    return keyed.length < maxOccurrences;
  });
  for (const exception of exceptions) {
    const own = ownOccurrence(exception, window, series.id ?? '');
    if (!own) continue;
    if (seriesCancelled) own.occurrence.status = 'cancelled';
    if (own.occurrence.status === 'cancelled' && !includeCancelled) continue;
    keyed.push(own);
  }
  return keyed;
}

/**
 * Every occurrence of a calendar's events in the window (events.list with singleEvents=true): exceptions are
 * grouped with their series by recurringEventId; an exception whose series is absent is shown as it is.
 */
export function expandEvents(
  events: GoogleEvent[],
  window: TimeWindow,
  options: ExpandOptions = {},
): Occurrence[] {
  const windowMs = toWindowMs(window, options.budget);
  const includeCancelled = options.includeCancelled ?? false;
  const seriesById = new Map<string, GoogleEvent>();
  for (const event of events) {
    if (event.recurrence && event.recurrence.length > 0 && event.id !== undefined)
      seriesById.set(event.id, event);
  }
  const exceptionsBySeries = new Map<string, GoogleEvent[]>();
  const keyed: Keyed[] = [];
  for (const event of events) {
    if (event.recurringEventId !== undefined && seriesById.has(event.recurringEventId)) {
      const list = exceptionsBySeries.get(event.recurringEventId) ?? [];
      list.push(event);
      exceptionsBySeries.set(event.recurringEventId, list);
    } else if (!(event.id !== undefined && seriesById.get(event.id) === event)) {
      const own = ownOccurrence(event, windowMs);
      if (own && (includeCancelled || own.occurrence.status !== 'cancelled')) keyed.push(own);
    }
  }
  for (const [id, series] of seriesById) {
    keyed.push(...expandSeriesKeyed(series, exceptionsBySeries.get(id) ?? [], windowMs, options));
  }
  return sortByStart(keyed);
}

/**
 * Whether the series (exceptions aside, status ignored: this is about time only) has an instance overlapping
 * the window. Stops at the first hit and skips whole periods before the window when the rule has no COUNT.
 */
export function hasOccurrenceIn(series: GoogleEvent, window: TimeWindow, budget?: WorkBudget): boolean {
  const prepared = prepareSeries(series);
  let found = false;
  walkSeries(prepared, toWindowMs(window, budget), () => {
    found = true;
    return false;
  });
  return found;
}
