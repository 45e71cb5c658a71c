/** Series, instances and exceptions, computed with the project's expansion module (the same one the sync uses). */

import {
  ExpansionError,
  expandEvents,
  expandSeries,
  hasOccurrenceIn,
  type Occurrence,
} from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { apiErrors } from '../errors.ts';
import type { Json } from './store.ts';

const INSTANCE_SUFFIX = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/;
const FAR_PAST = new Date(Date.UTC(1900, 0, 1));
const FAR_FUTURE = new Date(Date.UTC(2200, 0, 1));

export interface Window {
  timeMin?: Date;
  timeMax?: Date;
}

const asGoogleEvent = (resource: Json): GoogleEvent => resource as unknown as GoogleEvent;
const toWindow = (window: Window) => ({
  timeMin: window.timeMin ?? FAR_PAST,
  timeMax: window.timeMax ?? FAR_FUTURE,
});

export const isSeries = (resource: Json): boolean =>
  Array.isArray(resource.recurrence) && (resource.recurrence as unknown[]).length > 0;

/** Splits `<seriesId>_<basic start>` into its parts and the instant of the original start. */
export function parseInstanceId(id: string): { seriesId: string; originalStartMs: number } | undefined {
  const underscore = id.lastIndexOf('_');
  if (underscore <= 0) return undefined;
  const match = INSTANCE_SUFFIX.exec(id.slice(underscore + 1));
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const originalStartMs = Date.UTC(
    +(y as string),
    +(mo as string) - 1,
    +(d as string),
    +(h ?? 0),
    +(mi ?? 0),
    +(s ?? 0),
  );
  return { seriesId: id.slice(0, underscore), originalStartMs };
}

/** Runs an expansion, turning unreadable stored data into a 400 rather than a crash. */
function expanding<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ExpansionError) throw apiErrors.invalid(error.message);
    throw error;
  }
}

/** The unmodified instance of `series` whose original start is `originalStartMs`, if the series has one. */
export function seriesInstanceAt(
  series: Json,
  instanceId: string,
  originalStartMs: number,
): Json | undefined {
  const window = { timeMin: new Date(originalStartMs - 1), timeMax: new Date(originalStartMs + 1) };
  const occurrences = expanding(() =>
    expandSeries(asGoogleEvent(series), [], window, { includeCancelled: true, maxOccurrences: 10 }),
  );
  const occurrence = occurrences.find((candidate) => candidate.id === instanceId);
  return occurrence ? instanceResource(series, occurrence) : undefined;
}

/** A series' occurrences in the window with its exceptions applied (events.instances). */
export function occurrencesOfSeries(
  series: Json,
  exceptions: Json[],
  window: Window,
  showDeleted: boolean,
): Json[] {
  const occurrences = expanding(() =>
    expandSeries(asGoogleEvent(series), exceptions.map(asGoogleEvent), toWindow(window), {
      includeCancelled: showDeleted,
    }),
  );
  return occurrences.map((occurrence) => resourceOf(series, occurrence));
}

/** Every occurrence of the calendar's events in the window (events.list with singleEvents=true). */
export function occurrencesOfCalendar(events: Json[], window: Window, showDeleted: boolean): Json[] {
  const occurrences = expanding(() =>
    expandEvents(events.map(asGoogleEvent), toWindow(window), { includeCancelled: showDeleted }),
  );
  return occurrences.map((occurrence) => resourceOf(occurrence.event as unknown as Json, occurrence));
}

/** Whether a series has an instance overlapping the window (events.list without singleEvents). */
export function seriesOverlaps(series: Json, window: Window): boolean {
  return expanding(() => hasOccurrenceIn(asGoogleEvent(series), toWindow(window)));
}

/** An occurrence as a resource: the stored event itself, or a generated instance of a series. */
function resourceOf(source: Json, occurrence: Occurrence): Json {
  const event = occurrence.event as unknown as Json;
  if (event.id === occurrence.id && !isSeries(event)) {
    // An exception of a cancelled series is shown cancelled, whatever it says itself.
    return event.status === occurrence.status ? event : { ...event, status: occurrence.status };
  }
  return instanceResource(source, occurrence);
}

function instanceResource(series: Json, occurrence: Occurrence): Json {
  const { recurrence: _recurrence, ...fields } = series;
  return {
    ...fields,
    id: occurrence.id,
    status: occurrence.status,
    recurringEventId: series.id,
    originalStartTime: occurrence.originalStartTime,
    start: occurrence.start,
    end: occurrence.end,
  };
}
