/**
 * Series in a zone Google has no name for: a feed's own VTIMEZONE that matches no IANA zone, and a fixed offset
 * no real zone keeps (Etc/GMT+12). RFC 5545's recurrence examples (3.8.5.3) are written in such zones, starting
 * before the horizon's first DST change, and every occurrence Google would show must be at the feed's instant,
 * over two years of DST changes.
 *
 * Expected: an independent oracle. rrule-temporal expands each feed rule in wall time, and a converter written
 * here from the fixture's own observances (not the product's VTIMEZONE reader) turns wall times into instants.
 * Actual: mapFeed's Event resources expanded as Google would, by the Google emulator's expansion (itself on
 * rrule-temporal, never the product's expansion).
 */
import { RRuleTemporal } from 'rrule-temporal';
import { describe, expect, it } from 'vitest';
import { occurrencesOfCalendar } from '../../emulator/google/calendar/recurrence.ts';
import { validateEvent, validateEventId } from '../../emulator/google/calendar/validation.ts';
import { type MappedFeed, mapFeed } from '../../lambdas/shared/domain/ics/index.ts';

const HORIZON = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };
const HOUR = 3_600_000;
const DURATION = HOUR;

/** A zone as the fixture defines it: standard and daylight offsets, and the yearly onsets of daylight time. */
interface FixtureZone {
  tzid: string;
  vtimezone: string;
  standardHours: number;
  daylightHours?: number;
  /** Month (1-12), the nth Sunday (-1 = last), wall hour (in the offset before the change). */
  daylightStart?: [number, number, number];
  daylightEnd?: [number, number, number];
}

/** Day of month of the nth (or last, n = -1) Sunday. */
function nthSunday(year: number, month: number, n: number): number {
  if (n > 0) {
    const firstWeekday = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return 1 + ((7 - firstWeekday) % 7) + (n - 1) * 7;
  }
  const last = new Date(Date.UTC(year, month, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/**
 * The instant of a wall time (milliseconds, fields as if UTC) in the fixture zone: daylight from its start's
 * wall time (standard) until its end's wall time (daylight). A time in the spring gap takes the offset before
 * it, a repeated one the first (RFC 5545 3.3.5).
 */
function instantIn(zone: FixtureZone, wall: number): number {
  const standard = zone.standardHours * HOUR;
  if (!zone.daylightStart || !zone.daylightEnd || zone.daylightHours === undefined) return wall - standard;
  const year = new Date(wall).getUTCFullYear();
  const at = ([month, n, hour]: [number, number, number]) =>
    Date.UTC(year, month - 1, nthSunday(year, month, n), hour);
  const daylight = zone.daylightHours * HOUR;
  const inDaylight = wall >= at(zone.daylightStart) + (daylight - standard) && wall < at(zone.daylightEnd);
  return wall - (inDaylight ? daylight : standard);
}

const observance = (kind: string, from: string, to: string, start: string, rule: string) => [
  `BEGIN:${kind}`,
  `DTSTART:${start}`,
  `TZOFFSETFROM:${from}`,
  `TZOFFSETTO:${to}`,
  `RRULE:${rule}`,
  `END:${kind}`,
];

/**
 * US Eastern rules with the changes at 01:00 (spring) and 06:00 (autumn), not 02:00: no IANA zone has them, and
 * America/New_York agrees at 09:00.
 */
const EARLY_CHANGES: FixtureZone = {
  tzid: 'US-Eastern',
  standardHours: -5,
  daylightHours: -4,
  daylightStart: [3, 2, 1],
  daylightEnd: [11, 1, 6],
  vtimezone: [
    'BEGIN:VTIMEZONE',
    'TZID:US-Eastern',
    ...observance('DAYLIGHT', '-0500', '-0400', '19700308T010000', 'FREQ=YEARLY;BYMONTH=3;BYDAY=2SU'),
    ...observance('STANDARD', '-0400', '-0500', '19701101T060000', 'FREQ=YEARLY;BYMONTH=11;BYDAY=1SU'),
    'END:VTIMEZONE',
  ].join('\r\n'),
};

/** -05:00/-04:00 changing on the third Sunday of March and the last Sunday of October: no zone agrees. */
const OTHER_DAYS: FixtureZone = {
  tzid: 'Eastern-Other-Days',
  standardHours: -5,
  daylightHours: -4,
  daylightStart: [3, 3, 2],
  daylightEnd: [10, -1, 2],
  vtimezone: [
    'BEGIN:VTIMEZONE',
    'TZID:Eastern-Other-Days',
    ...observance('DAYLIGHT', '-0500', '-0400', '19700315T020000', 'FREQ=YEARLY;BYMONTH=3;BYDAY=3SU'),
    ...observance('STANDARD', '-0400', '-0500', '19701025T020000', 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU'),
    'END:VTIMEZONE',
  ].join('\r\n'),
};

/** A fixed offset no real zone keeps: Google gets UTC times. */
const GMT_MINUS_12: FixtureZone = { tzid: 'Etc/GMT+12', standardHours: -12, vtimezone: '' };

/**
 * RFC 5545 3.8.5.3's examples, moved to 2026 (UNTIL as local wall time), each DTSTART an occurrence of its rule
 * as in the RFC (RFC 5545 leaves a DTSTART outside the rule undefined; Google shows it, rrule-temporal does not).
 */
const EXAMPLES: { name: string; rule: string; start?: string }[] = [
  { name: 'daily for 10 occurrences', rule: 'FREQ=DAILY;COUNT=10' },
  { name: 'daily until December 24', rule: 'FREQ=DAILY;UNTIL=20261224T000000' },
  { name: 'every other day, forever', rule: 'FREQ=DAILY;INTERVAL=2' },
  { name: 'every 10 days, 5 occurrences', rule: 'FREQ=DAILY;INTERVAL=10;COUNT=5' },
  {
    name: 'weekly on Tuesday and Thursday, 10 times',
    rule: 'FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH',
    start: '20260310T090000',
  },
  {
    name: 'every other week on Monday, Wednesday, Friday until December 24',
    rule: 'FREQ=WEEKLY;INTERVAL=2;UNTIL=20261224T000000;WKST=SU;BYDAY=MO,WE,FR',
  },
  { name: 'monthly on the first Friday, 10 times', rule: 'FREQ=MONTHLY;COUNT=10;BYDAY=1FR' },
  {
    name: 'every other month on the first and last Sunday',
    rule: 'FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU',
    start: '20260301T090000',
  },
  {
    name: 'monthly on the second-to-last Monday',
    rule: 'FREQ=MONTHLY;COUNT=6;BYDAY=-2MO',
    start: '20260323T090000',
  },
  {
    name: 'yearly in June and July, 10 times',
    rule: 'FREQ=YEARLY;COUNT=10;BYMONTH=6,7',
    start: '20260610T090000',
  },
  { name: 'every Friday the 13th', rule: 'FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', start: '20260213T090000' },
  {
    name: 'the last work day of the month',
    rule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    start: '20260227T090000',
  },
  {
    name: 'every 20 minutes from 9:00 to 16:40, every day',
    rule: 'FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40',
  },
];

const START = '20260306T090000';
/** One EXDATE and one moved occurrence on the every-other-day series (after several offset changes). */
const EXDATE = '20260710T090000';
const OVERRIDE_RID = '20261121T090000';
const OVERRIDE_START = '20261121T110000';

function feedFor(zone: FixtureZone): string {
  const tz = `;TZID=${zone.tzid}`;
  const events = EXAMPLES.flatMap((example, index) => [
    'BEGIN:VEVENT',
    `UID:rfc-${index}@example.org`,
    'DTSTAMP:20260101T000000Z',
    `DTSTART${tz}:${example.start ?? START}`,
    'DURATION:PT1H',
    `SUMMARY:${example.name}`,
    `RRULE:${example.rule}`,
    ...(example.rule === 'FREQ=DAILY;INTERVAL=2' ? [`EXDATE${tz}:${EXDATE}`] : []),
    'END:VEVENT',
  ]);
  const override = [
    'BEGIN:VEVENT',
    `UID:rfc-${EXAMPLES.findIndex((e) => e.rule === 'FREQ=DAILY;INTERVAL=2')}@example.org`,
    'DTSTAMP:20260101T000000Z',
    `RECURRENCE-ID${tz}:${OVERRIDE_RID}`,
    `DTSTART${tz}:${OVERRIDE_START}`,
    'DURATION:PT1H',
    'SUMMARY:every other day, forever',
    'END:VEVENT',
  ];
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//example//custom zones//EN',
    ...(zone.vtimezone ? [zone.vtimezone] : []),
    ...events,
    ...override,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** A basic wall time (YYYYMMDDTHHMMSS) as milliseconds, fields as if UTC. */
function wallOfBasic(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(text) as RegExpExecArray;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const inHorizon = (startMs: number) =>
  startMs + DURATION > HORIZON.from.getTime() && startMs < HORIZON.to.getTime();

/** The oracle's occurrences, `<start ISO> <summary>`: rules in wall time, then placed with the fixture's rules. */
function expected(zone: FixtureZone): string[] {
  const out: string[] = [];
  for (const example of EXAMPLES) {
    // Wall time as if UTC: rrule-temporal never sees an offset change; UNTIL is a wall time likewise.
    const rule = new RRuleTemporal({
      rruleString: `DTSTART:${example.start ?? START}Z\nRRULE:${example.rule.replace(/UNTIL=(\d{8}T\d{6})/, 'UNTIL=$1Z')}`,
      maxIterations: 200_000,
    });
    const walls = rule.between(new Date('2026-01-01T00:00:00Z'), new Date('2028-01-03T00:00:00Z'), true);
    for (const wallZdt of walls) {
      const wall = wallZdt.epochMilliseconds;
      if (example.rule === 'FREQ=DAILY;INTERVAL=2' && wall === wallOfBasic(EXDATE)) continue;
      const placed = instantIn(
        zone,
        example.rule === 'FREQ=DAILY;INTERVAL=2' && wall === wallOfBasic(OVERRIDE_RID)
          ? wallOfBasic(OVERRIDE_START)
          : wall,
      );
      if (inHorizon(placed)) out.push(`${new Date(placed).toISOString()} ${example.name}`);
    }
  }
  return out.sort();
}

/** What Google shows: the emulator's expansion of the mapped resources, month by month over the horizon. */
function actual(mapped: MappedFeed): string[] {
  const events = mapped.events as unknown as Record<string, unknown>[];
  const seen = new Set<string>();
  const out: string[] = [];
  for (let month = 0; month < 24; month++) {
    const timeMin = new Date(Date.UTC(2026, month, 1));
    const timeMax = new Date(Date.UTC(2026, month + 1, 1));
    const occurrences = occurrencesOfCalendar(
      events,
      { timeMin, timeMax },
      false,
      (series, ms) => `${series.id as string}_${ms}`,
    );
    for (const o of occurrences) {
      const startMs = Date.parse((o.start as { dateTime: string }).dateTime);
      const key = `${new Date(startMs).toISOString()} ${o.summary as string}`;
      if (seen.has(key) || !inHorizon(startMs)) continue;
      seen.add(key);
      out.push(key);
    }
  }
  return out.sort();
}

function mapped(zone: FixtureZone): MappedFeed {
  const result = mapFeed(feedFor(zone), { salt: 'custom-zones', horizon: HORIZON, defaultTimeZone: 'UTC' });
  // Every resource must pass Google's checks (as the emulator models them).
  for (const event of result.events) {
    if (event.id !== undefined) validateEventId(event.id);
    validateEvent(event as unknown as Record<string, unknown>, 'UTC');
  }
  return result;
}

/** The occurrences only one side has, for a readable failure. */
function differences(ours: string[], theirs: string[]): { onlyMapped: string[]; onlyOracle: string[] } {
  const left = new Set(theirs);
  const right = new Set(ours);
  return {
    onlyMapped: ours.filter((o) => !left.has(o)).slice(0, 8),
    onlyOracle: theirs.filter((o) => !right.has(o)).slice(0, 8),
  };
}

describe('RFC 5545 recurrence examples in zones Google has no name for, against an independent oracle', () => {
  it('a VTIMEZONE whose changes fall at 01:00 and 06:00: written in the IANA zone that agrees at every occurrence', () => {
    const result = mapped(EARLY_CHANGES);
    const oracle = expected(EARLY_CHANGES);
    expect(oracle.length).toBeGreaterThan(15_000);
    expect(differences(actual(result), oracle)).toEqual({ onlyMapped: [], onlyOracle: [] });
    // Series that run across an offset change are written in that zone (one that never meets one may stay in
    // UTC, where Google already expands it right); none is split.
    const endless = result.events.filter((e) => e.recurrence?.some((l) => !/COUNT|UNTIL/.test(l)));
    expect(endless.length).toBeGreaterThan(2);
    for (const series of endless) expect(series.start).toMatchObject({ timeZone: 'America/New_York' });
    expect(result.events.some((e) => e.extendedProperties.private.icsSplitFrom !== undefined)).toBe(false);
  });

  it('a VTIMEZONE changing on days no IANA zone does: one series per stretch of constant offset', () => {
    const result = mapped(OTHER_DAYS);
    const oracle = expected(OTHER_DAYS);
    expect(differences(actual(result), oracle)).toEqual({ onlyMapped: [], onlyOracle: [] });
    // Still series in Google, the later stretches keyed apart from the one DTSTART begins.
    const split = result.events.filter((e) => e.extendedProperties.private.icsSplitFrom !== undefined);
    expect(split.length).toBeGreaterThan(0);
    expect(split.every((e) => e.recurrence?.some((line) => line.startsWith('RRULE:')))).toBe(true);
  });

  it('a fixed offset no real zone keeps (Etc/GMT+12): BYHOUR and BYMINUTE keep their wall-time meaning', () => {
    const result = mapped(GMT_MINUS_12);
    expect(differences(actual(result), expected(GMT_MINUS_12))).toEqual({ onlyMapped: [], onlyOracle: [] });
  });
});
