import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { type MappedFeed, type MappingOptions, mapFeed } from '../../../lambdas/shared/domain/ics/index.ts';

export const OPTIONS: MappingOptions = {
  salt: 'unit-salt',
  horizon: { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2031-01-01T00:00:00Z') },
  defaultTimeZone: 'UTC',
};

/** A VCALENDAR around the given lines (CRLF, as feeds are written). */
export function calendar(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

/** A VEVENT with the given property lines. */
export function vevent(...lines: string[]): string[] {
  return ['BEGIN:VEVENT', ...lines, 'END:VEVENT'];
}

export function map(text: string, options: Partial<MappingOptions> = {}): MappedFeed {
  return mapFeed(text, { ...OPTIONS, ...options });
}

/** The only event of a feed (fails the test otherwise). */
export function only(feed: MappedFeed): GoogleEvent {
  if (feed.events.length !== 1) throw new Error(`expected one event, got ${feed.events.length}`);
  return feed.events[0] as GoogleEvent;
}

export const VTIMEZONE_CET_CUSTOM = [
  'BEGIN:VTIMEZONE',
  'TZID:My Office Zone',
  'BEGIN:STANDARD',
  'DTSTART:16010101T030000',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:16010101T020000',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
];
