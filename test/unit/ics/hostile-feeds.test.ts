/**
 * Feeds whose content asks for unbounded work (issue: a 3,000-observance VTIMEZONE took 90 s, 200 rules that
 * never match from year 0001 took 13.8 s). Each shape either ends in FeedTooCostly naming its cause, or maps
 * within a budget far smaller than the default; nothing here measures time.
 */
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../lambdas/shared/domain/bounded-cache.ts';
import { expandSeries } from '../../../lambdas/shared/domain/expansion/index.ts';
import { readComponents } from '../../../lambdas/shared/domain/ics/content-lines.ts';
import {
  DEFAULT_FEED_LIMITS,
  type FeedBudgetOptions,
  FeedTooCostly,
} from '../../../lambdas/shared/domain/ics/index.ts';
import { readVTimezone } from '../../../lambdas/shared/domain/ics/vtimezone.ts';
import { HOUR_MS } from '../../../lambdas/shared/domain/time/civil.ts';
import { timeZoneNamed } from '../../../lambdas/shared/domain/time/zone.ts';
import { WorkBudget } from '../../../lambdas/shared/domain/work-budget.ts';
import {
  deepNestingFeed,
  manyComponentsFeed,
  manyObservancesFeed,
  manyZonesFeed,
  neverMatchingRulesFeed,
  unclosedZonesFeed,
} from '../../support/hostile-feeds.ts';
import { timedSeries, windowOf } from '../expansion/series-builder.ts';
import { calendar, map, vevent } from './helpers.ts';

const KB = 1024;

/** The FeedTooCostly a mapping throws (fails the test when it maps). */
function costOf(text: string, budget?: FeedBudgetOptions): FeedTooCostly {
  try {
    map(text, budget ? { budget } : {});
  } catch (error) {
    if (error instanceof FeedTooCostly) return error;
    throw error;
  }
  throw new Error('the feed was mapped');
}

describe('VTIMEZONE observances', () => {
  it.each([
    ['about 400 KB', 400 * KB],
    ['about 1 MB', 1024 * KB],
  ])('3,000 observances (%s) are refused, naming the cap', (_, bytes) => {
    const text = manyObservancesFeed(3000, bytes);
    expect(text.length).toBeGreaterThan(bytes * 0.9);
    const error = costOf(text);
    expect(error.reason).toBe('a VTIMEZONE with more than 1,000 observances and RDATE onsets');
    expect(error.message).toBe(`it costs too much work: ${error.reason}`);
  });

  it('RDATE onsets count toward the cap', () => {
    const rdates = Array.from({ length: 1001 }, (_, i) => `${1900 + Math.floor(i / 12)}0101T000000`);
    const text = calendar(
      'BEGIN:VTIMEZONE',
      'TZID:Many Onsets',
      'BEGIN:STANDARD',
      'DTSTART:18000101T000000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0100',
      `RDATE:${rdates.join(',')}`,
      'END:STANDARD',
      'END:VTIMEZONE',
    );
    expect(costOf(text).reason).toMatch(/^a VTIMEZONE with more than 1,000 observances/);
  });

  it('a zone at the cap maps, its events in their custom zone', () => {
    const feed = map(manyObservancesFeed(DEFAULT_FEED_LIMITS.observances, 400 * KB), {
      horizon: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') },
    });
    expect(feed.events).toHaveLength(20);
  });

  /** A VTIMEZONE's component, read the way the mapping reads it. */
  const zoneOf = (...lines: string[]) => {
    const component = readComponents(calendar(...lines)).calendars[0]?.components[0];
    const zone = component && readVTimezone(component);
    if (!zone) throw new Error('no zone');
    return zone;
  };

  it('offsets from many one-off observances, in any order, are those of the zone they copy', () => {
    // Europe/Berlin 1990-2030 as one STANDARD and one DAYLIGHT per year (no RRULE), written in shuffled order.
    const berlin = timeZoneNamed('Europe/Berlin');
    const observances: string[][] = [];
    const transitions: number[] = [];
    for (let year = 1990; year <= 2030; year++) {
      for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += HOUR_MS) {
        const before = berlin.offsetAt(ms - 1);
        const after = berlin.offsetAt(ms);
        if (before === after) continue;
        transitions.push(ms);
        const wall = new Date(ms + before).toISOString().replace(/[-:]/g, '').slice(0, 15);
        const hhmm = (offset: number) => `+0${offset / HOUR_MS}00`;
        observances.push([
          after > before ? 'BEGIN:DAYLIGHT' : 'BEGIN:STANDARD',
          `DTSTART:${wall}`,
          `TZOFFSETFROM:${hhmm(before)}`,
          `TZOFFSETTO:${hhmm(after)}`,
          after > before ? 'END:DAYLIGHT' : 'END:STANDARD',
        ]);
      }
    }
    const shuffled = observances.map((o, i) => ({ o, key: (i * 7919) % observances.length }));
    shuffled.sort((a, b) => a.key - b.key);
    const zone = zoneOf(
      'BEGIN:VTIMEZONE',
      'TZID:Copied Berlin',
      ...shuffled.flatMap((s) => s.o),
      'END:VTIMEZONE',
    );
    expect(transitions.length).toBeGreaterThan(70);
    for (const transition of transitions) {
      for (const at of [transition - HOUR_MS, transition - 1, transition, transition + HOUR_MS]) {
        expect(zone.offsetAt(at), new Date(at).toISOString()).toBe(berlin.offsetAt(at));
      }
    }
  });

  it('of two observances starting at the same instant, the first written is in force', () => {
    const zone = zoneOf(
      'BEGIN:VTIMEZONE',
      'TZID:Tie',
      'BEGIN:STANDARD',
      'DTSTART:20000101T000000',
      'TZOFFSETFROM:+0000',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1',
      'END:STANDARD',
      'BEGIN:STANDARD',
      'DTSTART:20000101T000000',
      'TZOFFSETFROM:+0000',
      'TZOFFSETTO:+0300',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:20000601T000000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
    );
    expect(zone.offsetAt(Date.UTC(1999, 5, 1))).toBe(0);
    expect(zone.offsetAt(Date.UTC(2000, 2, 1))).toBe(HOUR_MS);
    expect(zone.offsetAt(Date.UTC(2000, 6, 1))).toBe(2 * HOUR_MS);
    expect(zone.offsetAt(Date.UTC(2024, 2, 1))).toBe(HOUR_MS);
    expect(zone.offsetAt(Date.UTC(2024, 6, 1))).toBe(2 * HOUR_MS);
  });
});

describe('recurrence rules that never match', () => {
  it('200 rules from year 0001 (about 38 KB) map within a small budget, those with COUNT refused', () => {
    const text = neverMatchingRulesFeed(38 * KB);
    expect(text.match(/BEGIN:VEVENT/g)?.length).toBeGreaterThanOrEqual(200);
    // A tenth of the default: the walks stop at once (COUNT before 1900) or skip to the horizon.
    const feed = map(text, { budget: { workUnits: DEFAULT_FEED_LIMITS.workUnits / 10 } });
    expect(feed.events).toEqual([]);
    expect(feed.warnings.map((w) => w.reason)).toContain(
      'recurrence not usable (a recurrence rule with COUNT starting before 1900 is not expanded (its count would be walked from then)): only the first instance is kept',
    );
  });

  it('at 1 MB from 1900, the walks run out of budget: refused, naming the expansion', () => {
    expect(costOf(neverMatchingRulesFeed(1024 * KB, 1900)).reason).toBe(
      'expanding a recurrence rule needs more than 10,000,000 units of work',
    );
  });

  it('a walk stops after a whole calendar cycle (400 years) without a match', () => {
    const series = timedSeries('UTC', '1950-01-01T10:00:00', '1950-01-01T11:00:00', [
      'RRULE:FREQ=YEARLY;COUNT=3;BYMONTH=2;BYMONTHDAY=30',
    ]);
    const budget = new WorkBudget();
    const occurrences = expandSeries(series, [], windowOf('1949-01-01T00:00:00Z', '9999-01-01T00:00:00Z'), {
      budget,
    });
    expect(occurrences).toHaveLength(1); // DTSTART only
    // 400 Februaries, not the 8,000 up to the window's end.
    expect(budget.spent).toBeLessThan(400 * 29 + 100);
  });

  it('a rule whose matches are 40 years apart still finds them all', () => {
    // 29 February on a Monday: 2016, 2044, 2072, then 2112 (2100 is no leap year).
    const series = timedSeries('UTC', '2016-02-29T10:00:00', '2016-02-29T11:00:00', [
      'RRULE:FREQ=DAILY;COUNT=4;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO',
    ]);
    const occurrences = expandSeries(series, [], windowOf('2016-01-01T00:00:00Z', '2200-01-01T00:00:00Z'));
    expect(occurrences.map((o) => ('dateTime' in o.start ? o.start.dateTime?.slice(0, 10) : ''))).toEqual([
      '2016-02-29',
      '2044-02-29',
      '2072-02-29',
      '2112-02-29',
    ]);
  });

  it('a rule without COUNT from year 0001 skips to the horizon', () => {
    const text = calendar(
      ...vevent('UID:old-daily', 'DTSTART:00010101T100000Z', 'DTEND:00010101T110000Z', 'RRULE:FREQ=DAILY'),
    );
    const feed = map(text, { budget: { workUnits: 20_000 } });
    expect(feed.events).toHaveLength(1);
  });
});

describe('zones, components and nesting', () => {
  it('more VTIMEZONEs than the cap are refused; as many as the cap map', () => {
    expect(costOf(manyZonesFeed(1024 * KB)).reason).toBe('more than 100 VTIMEZONEs');
    expect(map(manyZonesFeed(200 * KB, DEFAULT_FEED_LIMITS.zones)).events).toHaveLength(100);
  });

  it('more distinct TZIDs than the cap are refused', () => {
    const events = Array.from({ length: 1001 }, (_, i) =>
      vevent(`UID:tz-${i}`, `DTSTART;TZID=Nowhere ${i}:20260101T100000`),
    ).flat();
    expect(costOf(calendar(...events)).reason).toBe('more than 1,000 different TZIDs');
  });

  it('more components than the cap are refused', () => {
    const text = manyComponentsFeed(64 * KB);
    expect(map(text).warnings).toBeDefined();
    expect(costOf(text, { components: 1_000 }).reason).toBe('more than 1,000 components');
  });

  it('nesting deeper than the cap is refused (1 MB of nested components, then ENDs of none)', () => {
    expect(costOf(deepNestingFeed(1024 * KB)).reason).toBe('components nested more than 20 deep');
  });

  it('VTIMEZONEs never closed are not read as zones (1 MB)', () => {
    expect(costOf(unclosedZonesFeed(1024 * KB)).reason).toBe('components nested more than 20 deep');
    const open = calendar(
      ...vevent('UID:a', 'DTSTART;TZID=Never Closed:20260101T100000'),
      'BEGIN:VTIMEZONE',
      'TZID:Never Closed',
    );
    expect(map(open).warnings.map((w) => w.reason)).toContain(
      'unknown time zone Never Closed: its times are read as floating (UTC)',
    );
  });
});

describe('the budget', () => {
  it('stops at its time limit, read from the clock it is given', () => {
    let calls = 0;
    // Each look at the clock is a second later: the second look is past a 1.5 s limit.
    const now = () => 1_000 * calls++;
    const error = costOf(neverMatchingRulesFeed(34 * KB, 1950), { now, timeMs: 1_500 });
    expect(error.reason).toMatch(/takes more than 1,500 ms$/);
    expect(calls).toBe(3);
  });

  it('counts work units and refuses past them', () => {
    const budget = new WorkBudget({ workUnits: 10 });
    budget.spend(10, 'testing');
    expect(budget.spent).toBe(10);
    expect(() => budget.spend(1, 'testing')).toThrow(
      new FeedTooCostly('testing needs more than 10 units of work'),
    );
  });
});

describe('bounded caches', () => {
  it('keep at most their capacity, dropping the least recently used', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });
});
