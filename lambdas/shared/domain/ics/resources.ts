/**
 * Building the Event resources Google gets from source events: the fields every event carries, the identity and
 * content hash, and a series' instance exceptions (overrides matched to the instances they change, RDATE periods
 * of their own length).
 */
import { expandSeries, instanceId } from '../expansion/index.ts';
import { type GoogleEvent, isAllDay, TEXT_LIMITS } from '../google-event.ts';
import { DAY_MS } from '../time/civil.ts';
import { instantOf, zoneOf } from '../time/event-time.ts';
import { basicId, coerceLike, type When } from '../time/when.ts';
import type { WorkBudget } from '../work-budget.ts';
import { type Component, first, unescapeText } from './content-lines.ts';
import { contentHash } from './event-ids.ts';
import type { PeriodInstance } from './recurrence.ts';
import type { SourceEvent } from './source-event.ts';
import { toEventDateTime } from './when.ts';

/** An Event resource before its identity and hash (see finish). */
export type EventFields = Omit<GoogleEvent, 'extendedProperties'>;

function textOf(component: Component, name: string, limit: number): string | undefined {
  const value = first(component, name)?.value;
  if (value === undefined) return undefined;
  const text = unescapeText(value);
  return text.trim() ? fitText(text, limit) : undefined;
}

/** Shortens text to `limit` UTF-16 units, ending in an ellipsis, without splitting a surrogate pair. */
function fitText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = limit - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}\u2026`;
}

const STATUS: Record<string, NonNullable<GoogleEvent['status']>> = {
  CONFIRMED: 'confirmed',
  TENTATIVE: 'tentative',
  CANCELLED: 'cancelled',
};
const TRANSP: Record<string, GoogleEvent['transparency']> = { OPAQUE: 'opaque', TRANSPARENT: 'transparent' };
/**
 * CLASS:PUBLIC (Outlook writes it on every event) keeps the calendar's default visibility: Google's
 * `public` would show the details to people the subscriber shares the calendar with as free/busy only.
 */
const CLASS: Record<string, GoogleEvent['visibility']> = {
  PRIVATE: 'private',
  CONFIDENTIAL: 'confidential',
};

const upper = (component: Component, name: string) =>
  first(component, name)?.value.trim().toUpperCase() ?? '';

export function statusOf(component: Component): NonNullable<GoogleEvent['status']> {
  return STATUS[upper(component, 'STATUS')] ?? 'confirmed';
}

/** The fields every event carries, in a fixed key order (the content hash depends on it). */
export function baseResource(source: SourceEvent, start: When, end: When): EventFields {
  const c = source.component;
  const resource: EventFields = {
    status: statusOf(c),
    start: toEventDateTime(start),
    end: toEventDateTime(end),
  };
  const summary = textOf(c, 'SUMMARY', TEXT_LIMITS.summary);
  const description = textOf(c, 'DESCRIPTION', TEXT_LIMITS.description);
  const location = textOf(c, 'LOCATION', TEXT_LIMITS.location);
  if (summary !== undefined) resource.summary = summary;
  if (description !== undefined) resource.description = description;
  if (location !== undefined) resource.location = location;
  resource.transparency = TRANSP[upper(c, 'TRANSP')] ?? 'opaque';
  resource.visibility = CLASS[upper(c, 'CLASS')] ?? 'default';
  return resource;
}

/** The resource with its source properties (UID, RECURRENCE-ID, split origin) and the hash of it all. */
export function finish(
  resource: EventFields,
  icsUid: string,
  icsRecurrenceId?: string,
  icsSplitFrom?: string,
): GoogleEvent {
  const privateProps: GoogleEvent['extendedProperties']['private'] = { icsUid, icsHash: '' };
  if (icsRecurrenceId) privateProps.icsRecurrenceId = icsRecurrenceId;
  if (icsSplitFrom !== undefined) privateProps.icsSplitFrom = icsSplitFrom;
  const event: GoogleEvent = { ...resource, extendedProperties: { private: privateProps } };
  privateProps.icsHash = contentHash(event);
  return event;
}

/** A series as the mapping builds it: its resource, its overrides and what its recurrence deletes or adds. */
export interface SeriesPlan {
  source: SourceEvent;
  event: GoogleEvent;
  periodInstances: PeriodInstance[];
  /** Instants (all-day: dates' UTC midnights) the series' EXDATEs delete. */
  exdates: Set<number>;
  exceptions: SourceEvent[];
}

export interface SeriesExceptions {
  /** Instance exceptions, ordered by original start. */
  exceptions: GoogleEvent[];
  /** Overrides that name no instance of the series (they stand alone). */
  orphans: SourceEvent[];
  /** Overrides of occurrences the (newer) series deletes. */
  deleted: SourceEvent[];
}

/**
 * A series' exceptions as Google instance exceptions. The original start must be an instance of the
 * series: a RECURRENCE-ID that misses (other time, other zone) is matched to the instance on the same
 * day, else the override stands alone. RDATE periods longer or shorter than the series become exceptions
 * too.
 */
export function seriesExceptions(plan: SeriesPlan, budget?: WorkBudget): SeriesExceptions {
  const series = plan.event;
  const seriesId = series.id as string;
  const start = plan.source.start;
  const overrides = new Map<string, GoogleEvent>();
  const orphans: SourceEvent[] = [];
  const deleted: SourceEvent[] = [];

  // The instances around every RECURRENCE-ID, found with one expansion of the series, by instance id.
  const rids = plan.exceptions.map((e) => (e.recurrenceId as When).utcMs);
  const instances = new Map<string, When>();
  if (rids.length > 0) {
    const timeMin = new Date(Math.min(...rids) - 2 * DAY_MS);
    const timeMax = new Date(Math.max(...rids) + 2 * DAY_MS);
    for (const occurrence of expandSeries(
      series,
      [],
      { timeMin, timeMax },
      {
        maxOccurrences: 20_000,
        ...(budget ? { budget } : {}),
      },
    )) {
      const original = occurrence.originalStartTime ?? occurrence.start;
      const utcMs = instantOf(original);
      instances.set(
        instanceId(seriesId, original),
        isAllDay(original) ? { allDay: true, utcMs } : { allDay: false, utcMs, zone: zoneOf(start) },
      );
    }
  }

  const addException = (originalStart: When, resource: EventFields, uid: string) => {
    const originalStartTime = toEventDateTime(originalStart);
    const icsRecurrenceId = basicId(originalStart);
    overrides.set(
      icsRecurrenceId,
      finish({ ...resource, recurringEventId: seriesId, originalStartTime }, uid, icsRecurrenceId),
    );
  };

  for (const period of plan.periodInstances) {
    const { id: _id, recurrence: _recurrence, ...rest } = series;
    const { extendedProperties: _ext, ...resource } = rest;
    addException(
      period.start,
      { ...resource, start: toEventDateTime(period.start), end: toEventDateTime(period.end) },
      plan.source.uid,
    );
  }

  for (const exception of plan.exceptions.sort(
    (a, b) => (a.recurrenceId as When).utcMs - (b.recurrenceId as When).utcMs,
  )) {
    const rid = coerceLike(exception.recurrenceId as When, start);
    if (plan.exdates.has(rid.utcMs) && plan.source.sequence > exception.sequence) {
      // Edited, then deleted: the newer series excludes the occurrence the older override changed.
      deleted.push(exception);
      continue;
    }
    let original: When | undefined = rid;
    if (!instances.has(instanceId(seriesId, toEventDateTime(rid)))) {
      original = sameDayInstance(rid, instances, seriesId);
    }
    if (!original) {
      orphans.push(exception);
      continue;
    }
    addException(original, baseResource(exception, exception.start, exception.end), exception.uid);
  }
  const exceptions = [...overrides.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);
  return { exceptions, orphans, deleted };
}

/** The calendar day (YYYYMMDD) of a point: a date's own, a time's in its zone. */
const dayOf = (when: When): string => basicId(coerceLike(when, { allDay: true, utcMs: 0 })).slice(0, 8);

/** The series instance on the same calendar day as a RECURRENCE-ID that names no instance exactly. */
function sameDayInstance(rid: When, instances: Map<string, When>, seriesId: string): When | undefined {
  const day = dayOf(rid);
  for (const [id, candidate] of instances) {
    if (dayOf(candidate) === day && id.startsWith(seriesId)) return candidate;
  }
  return undefined;
}
