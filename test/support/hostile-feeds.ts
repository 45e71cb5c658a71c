/**
 * Feeds shaped to make the mapping work as hard as possible for their size (the shapes an outside review
 * used against the sync worker): a custom VTIMEZONE with thousands of observances, recurrence rules that never
 * match starting in year 0001, many custom zones, many components, deep nesting. Deterministic: the same
 * arguments give the same text. Each pads itself to about `bytes`.
 */
import { DEFAULT_FEED_LIMITS } from '../../lambdas/shared/domain/work-budget.ts';

const HEADER = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//hostile//EN'];
const FOOTER = ['END:VCALENDAR', ''];

const pad2 = (n: number) => String(n).padStart(2, '0');
const pad4 = (n: number) => String(n).padStart(4, '0');
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** Lines repeated from `unit(i)` until the text reaches about `bytes`. */
function fill(bytes: number, unit: (i: number) => string[]): string[] {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    for (const line of unit(i)) {
      lines.push(line);
      size += line.length + 2;
    }
  }
  return lines;
}

const wrap = (lines: string[]): string => [...HEADER, ...lines, ...FOOTER].join('\r\n');

function event(uid: string, ...lines: string[]): string[] {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', ...lines, 'SUMMARY:x', 'END:VEVENT'];
}

/**
 * One VTIMEZONE with `observances` yearly observances (each its own start year, month and weekday, so no
 * IANA zone matches), padded with X- lines to about `bytes`, and 20 events in it.
 */
export function manyObservancesFeed(observances: number, bytes: number): string {
  const perObservance = Math.max(0, Math.floor(bytes / observances) - 150);
  const padding = perObservance > 0 ? [`X-PAD:${'p'.repeat(perObservance)}`] : [];
  const zone = ['BEGIN:VTIMEZONE', 'TZID:Hostile Zone'];
  for (let i = 0; i < observances; i++) {
    const kind = i % 2 === 0 ? 'STANDARD' : 'DAYLIGHT';
    zone.push(
      `BEGIN:${kind}`,
      `DTSTART:${pad4(1601 + i)}0101T020000`,
      `TZOFFSETFROM:+0${i % 2 === 0 ? 2 : 1}00`,
      `TZOFFSETTO:+0${i % 2 === 0 ? 1 : 2}${pad2(i % 60)}`,
      `RRULE:FREQ=YEARLY;BYMONTH=${(i % 12) + 1};BYDAY=${(i % 4) + 1}${WEEKDAYS[i % 7]}`,
      ...padding,
      `END:${kind}`,
    );
  }
  zone.push('END:VTIMEZONE');
  const events = Array.from({ length: 20 }, (_, i) =>
    event(`obs-${i}`, `DTSTART;TZID=Hostile Zone:202606${pad2(i + 1)}T100000`, 'RRULE:FREQ=WEEKLY'),
  ).flat();
  return wrap([...zone, ...events]);
}

/** Rules no day satisfies (30 February, day 366 of January, week 60...), each with and without COUNT. */
const NEVER_MATCHING = [
  'FREQ=DAILY;COUNT=10;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=WEEKLY;COUNT=5;BYMONTH=4;BYMONTHDAY=31;BYDAY=MO,TU,WE,TH,FR,SA,SU',
  'FREQ=MONTHLY;COUNT=3;BYMONTHDAY=31;BYMONTH=2,4,6,9,11',
  'FREQ=YEARLY;COUNT=2;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=DAILY;COUNT=10;BYYEARDAY=366;BYMONTH=1',
];

/**
 * About `bytes` of events starting in `year` (0001 by default) whose rules never match (200 of them make 34 KB
 * or so).
 */
export function neverMatchingRulesFeed(bytes: number, year = 1): string {
  return wrap(
    fill(bytes, (i) =>
      event(
        `never-${i}@hostile`,
        `DTSTART:${pad4(year)}0101T${pad2(i % 24)}0000Z`,
        `DTEND:${pad4(year)}0101T235900Z`,
        `RRULE:${NEVER_MATCHING[i % NEVER_MATCHING.length]}`,
      ),
    ),
  );
}

/**
 * About `bytes` of distinct custom VTIMEZONEs (offsets no IANA zone has, each written for another era), each
 * used by one event; with `zones`, that many, padded to `bytes`.
 */
export function manyZonesFeed(bytes: number, zones?: number): string {
  if (zones === undefined) return wrap(fill(bytes, (i) => zoneUnit(i, [])));
  const padding = [`X-PAD:${'p'.repeat(Math.max(0, Math.floor(bytes / zones) - 700))}`];
  return wrap(Array.from({ length: zones }, (_, i) => zoneUnit(i, padding)).flat());
}

function zoneUnit(i: number, padding: string[]): string[] {
  return [
    'BEGIN:VTIMEZONE',
    `TZID:Zone ${i}`,
    'BEGIN:STANDARD',
    `DTSTART:${pad4(1970 + (i % 200))}0101T030000`,
    `TZOFFSETFROM:+${pad2(3 + (i % 7))}${pad2(7 + (i % 50))}`,
    `TZOFFSETTO:+${pad2(2 + (i % 7))}${pad2(7 + (i % 50))}`,
    `RRULE:FREQ=YEARLY;BYMONTH=${(i % 12) + 1};BYDAY=-1SU`,
    'END:STANDARD',
    'BEGIN:DAYLIGHT',
    `DTSTART:${pad4(1970 + (i % 200))}0101T020000`,
    `TZOFFSETFROM:+${pad2(2 + (i % 7))}${pad2(7 + (i % 50))}`,
    `TZOFFSETTO:+${pad2(3 + (i % 7))}${pad2(7 + (i % 50))}`,
    `RRULE:FREQ=YEARLY;BYMONTH=${((i + 5) % 12) + 1};BYDAY=1SU`,
    'END:DAYLIGHT',
    ...padding,
    'END:VTIMEZONE',
    ...event(`zone-${i}`, `DTSTART;TZID=Zone ${i}:20260610T100000`),
  ];
}

/** About `bytes` of the smallest components there are: empty VEVENTs and VALARMs. */
export function manyComponentsFeed(bytes: number): string {
  return wrap(fill(bytes, () => ['BEGIN:VEVENT', 'BEGIN:VALARM', 'END:VALARM', 'END:VEVENT']));
}

/** Components nested as deep as `bytes` allows, then ENDs of components never opened. */
export function deepNestingFeed(bytes: number): string {
  const half = Math.floor(bytes / 2);
  return wrap([...fill(half, () => ['BEGIN:X-DEEP']), ...fill(half, () => ['END:X-NOPE'])]);
}

/** VTIMEZONEs that are opened and never closed, about `bytes` of them. */
export function unclosedZonesFeed(bytes: number): string {
  return wrap(fill(bytes, (i) => ['BEGIN:VTIMEZONE', `TZID:Open ${i}`]));
}

/** Every shape at about `bytes`, by name (for the bench and the tests). */
export function hostileFeeds(bytes: number): Record<string, string> {
  return {
    observances_3000: manyObservancesFeed(3000, bytes),
    observances_at_cap: manyObservancesFeed(DEFAULT_FEED_LIMITS.observances, bytes),
    never_matching_rules: neverMatchingRulesFeed(bytes),
    never_matching_rules_1900: neverMatchingRulesFeed(bytes, 1900),
    many_zones: manyZonesFeed(bytes),
    zones_at_cap: manyZonesFeed(bytes, DEFAULT_FEED_LIMITS.zones),
    many_components: manyComponentsFeed(bytes),
    deep_nesting: deepNestingFeed(bytes),
    unclosed_zones: unclosedZonesFeed(bytes),
  };
}
