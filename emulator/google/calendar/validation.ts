/** Google's checks on an Event resource before it is stored (400 answers with Google's reasons). */
import { apiErrors, CalendarApiError } from '../errors.ts';
import { type EventTime, hasOffset, instantOf, isIanaZone } from './time.ts';

const EVENT_ID = /^[a-v0-9]{5,1024}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$/i;
const RULE_LINE = /^(RRULE|EXRULE):(.+)$/i;
const DATE_LIST_LINE = /^(RDATE|EXDATE)(;[^:]*)?:(.+)$/i;
const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const RULE_PARTS = new Set([
  'FREQ',
  'UNTIL',
  'COUNT',
  'INTERVAL',
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYDAY',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
]);
const MAX_KEY_LENGTH = 44;
const MAX_VALUE_LENGTH = 1024;
const MAX_PROPERTIES = 300;
const MAX_PROPERTIES_BYTES = 32 * 1024;

export function validateEventId(id: unknown): void {
  if (typeof id !== 'string' || !EVENT_ID.test(id)) throw apiErrors.invalid('Invalid resource id value.');
}

/** Checks start, end and recurrence of a complete (inserted, replaced or merged) event. */
export function validateEventTimes(event: Record<string, unknown>, calendarZone: string): void {
  const start = event.start as EventTime | undefined | null;
  const end = event.end as EventTime | undefined | null;
  if (!start || (!start.date && !start.dateTime)) throw apiErrors.required('Missing start time.');
  if (!end || (!end.date && !end.dateTime)) throw apiErrors.required('Missing end time.');
  const recurring = Array.isArray(event.recurrence) && event.recurrence.length > 0;
  checkTime(start, 'start', recurring);
  checkTime(end, 'end', recurring);
  if (Boolean(start.date) !== Boolean(end.date)) {
    throw apiErrors.invalid('The start and end times must either both be date or both be dateTime.');
  }
  const startMs = instantOf(start, calendarZone);
  const endMs = instantOf(end, calendarZone);
  // All-day ends are exclusive, so an all-day event needs at least one day; a timed one may last zero seconds.
  if (start.date ? endMs <= startMs : endMs < startMs) throw apiErrors.timeRangeEmpty();
  if (recurring) validateRecurrence(event.recurrence as unknown[]);
}

function checkTime(time: EventTime, which: 'start' | 'end', recurring: boolean): void {
  if (time.date && time.dateTime) throw apiErrors.invalid(`Invalid ${which} time.`);
  if (time.date) {
    if (!ISO_DATE.test(time.date) || Number.isNaN(Date.parse(time.date))) {
      throw apiErrors.invalid(`Invalid ${which} time.`);
    }
    return;
  }
  const dateTime = time.dateTime as string;
  if (!RFC3339.test(dateTime) || Number.isNaN(Date.parse(dateTime.replace(/([+-]\d{2}:\d{2}|Z)$/i, 'Z')))) {
    throw apiErrors.invalid(`Invalid ${which} time.`);
  }
  if (time.timeZone && !isIanaZone(time.timeZone)) {
    throw apiErrors.invalid(`Invalid time zone definition for ${which} time.`);
  }
  if (!time.timeZone && (recurring || !hasOffset(dateTime))) {
    throw apiErrors.required(`Missing time zone definition for ${which} time.`);
  }
}

/** RRULE, EXRULE, RDATE and EXDATE lines only; DTSTART/DTEND and anything else are refused. */
export function validateRecurrence(lines: unknown[]): void {
  for (const line of lines) {
    if (typeof line !== 'string') throw apiErrors.invalid('Invalid recurrence rule.');
    const rule = RULE_LINE.exec(line);
    if (rule) {
      validateRule(rule[2] as string);
      continue;
    }
    const dates = DATE_LIST_LINE.exec(line);
    if (!dates || !/^[0-9TZ,/PHMSDW]+$/i.test(dates[3] as string))
      throw apiErrors.invalid('Invalid recurrence rule.');
  }
}

function validateRule(text: string): void {
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const [name, value] = part.split('=');
    if (
      !name ||
      value === undefined ||
      !RULE_PARTS.has(name.toUpperCase()) ||
      parts.has(name.toUpperCase())
    ) {
      throw apiErrors.invalid('Invalid recurrence rule.');
    }
    parts.set(name.toUpperCase(), value.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (!freq || !FREQUENCIES.has(freq)) throw apiErrors.invalid('Invalid recurrence rule.');
  if (parts.has('UNTIL') && parts.has('COUNT')) throw apiErrors.invalid('Invalid recurrence rule.');
  for (const numeric of ['COUNT', 'INTERVAL']) {
    const value = parts.get(numeric);
    if (value !== undefined && !/^[1-9]\d*$/.test(value)) throw apiErrors.invalid('Invalid recurrence rule.');
  }
  const until = parts.get('UNTIL');
  if (until !== undefined && !/^\d{8}(T\d{6}Z?)?$/.test(until))
    throw apiErrors.invalid('Invalid recurrence rule.');
}

/**
 * `extendedProperties` as Google stores them: keys longer than 44 characters dropped, values cut to 1024
 * characters; more than 300 properties or 32 kB in all is refused.
 */
export function normalizeExtendedProperties(
  value: unknown,
): Record<string, Record<string, string>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw apiErrors.invalid('Invalid extended properties.');
  const out: Record<string, Record<string, string>> = {};
  let count = 0;
  let bytes = 0;
  for (const group of ['private', 'shared'] as const) {
    const properties = (value as Record<string, unknown>)[group];
    if (properties === undefined || properties === null) continue;
    if (typeof properties !== 'object') throw apiErrors.invalid('Invalid extended properties.');
    const kept: Record<string, string> = {};
    for (const [key, raw] of Object.entries(properties as Record<string, unknown>)) {
      if (raw === null || raw === undefined || key.length > MAX_KEY_LENGTH) continue;
      const text = String(raw).slice(0, MAX_VALUE_LENGTH);
      kept[key] = text;
      count += 1;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
    }
    out[group] = kept;
  }
  if (count > MAX_PROPERTIES) throw apiErrors.invalid('Too many extended properties.');
  if (bytes > MAX_PROPERTIES_BYTES) throw apiErrors.invalid('The extended properties are too large.');
  return out;
}

/** `reminders` cannot both use the calendar's defaults and list overrides. */
export function validateReminders(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  const { useDefault, overrides } = value as { useDefault?: boolean; overrides?: unknown[] };
  if (useDefault && Array.isArray(overrides) && overrides.length > 0) {
    throw new CalendarApiError(
      400,
      'cannotUseDefaultRemindersAndSpecifyOverride',
      'Cannot specify both default reminders and overrides at the same time.',
    );
  }
}
