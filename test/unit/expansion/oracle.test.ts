import fc from 'fast-check';
import { RRuleTemporal } from 'rrule-temporal';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { expandSeries, hasOccurrenceIn } from '../../../lambdas/shared/domain/expansion/index.ts';
import { startsOf, timedSeries, windowOf } from './series-builder.ts';

/**
 * Random rules compared with rrule-temporal, an independent RFC 5545 implementation (node-ical's), used here
 * as a test oracle only. Starts are chosen on the rule's pattern (so DTSTART handling cannot differ) and at
 * times that no DST gap skips.
 */
const weekdays = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

const ruleArbitrary = fc.record({
  freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
  interval: fc.integer({ min: 1, max: 3 }),
  count: fc.integer({ min: 1, max: 40 }),
  byDay: fc.option(fc.uniqueArray(fc.constantFrom(...weekdays), { minLength: 1, maxLength: 3 }), {
    nil: undefined,
  }),
  byMonthDay: fc.option(
    fc.uniqueArray(
      fc.integer({ min: -5, max: 28 }).filter((d) => d !== 0),
      { minLength: 1, maxLength: 2 },
    ),
    {
      nil: undefined,
    },
  ),
  byMonth: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }), {
    nil: undefined,
  }),
  bySetPos: fc.option(fc.constantFrom(1, 2, -1), { nil: undefined }),
  zone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney'),
  startDay: fc.integer({ min: 0, max: 2000 }),
  hour: fc.constantFrom(9, 12, 18),
});

type RuleCase = typeof ruleArbitrary extends fc.Arbitrary<infer T> ? T : never;

function ruleText(c: RuleCase): string {
  const parts = [`FREQ=${c.freq}`, `INTERVAL=${c.interval}`, `COUNT=${c.count}`];
  // RFC 5545 forbids BYMONTHDAY in WEEKLY rules.
  const byMonthDay = c.freq === 'WEEKLY' ? undefined : c.byMonthDay;
  if (c.byDay) parts.push(`BYDAY=${c.byDay.join(',')}`);
  if (byMonthDay) parts.push(`BYMONTHDAY=${byMonthDay.join(',')}`);
  if (c.byMonth) parts.push(`BYMONTH=${c.byMonth.join(',')}`);
  if (c.bySetPos !== undefined && (c.byDay || byMonthDay)) parts.push(`BYSETPOS=${c.bySetPos}`);
  return parts.join(';');
}

/** The oracle's answer, or undefined for the rare rules it gives up on (its iteration cap). */
function oracleStarts(c: RuleCase): { dtstart: Temporal.ZonedDateTime; starts: string[] } | undefined {
  try {
    return oracleStartsUnguarded(c);
  } catch {
    return undefined;
  }
}

function oracleStartsUnguarded(
  c: RuleCase,
): { dtstart: Temporal.ZonedDateTime; starts: string[] } | undefined {
  const base = Temporal.PlainDate.from('2020-01-01').add({ days: c.startDay });
  const probe = new RRuleTemporal({
    rruleString: ruleText({ ...c, count: 1 }),
    dtstart: base.toZonedDateTime({ timeZone: c.zone, plainTime: { hour: c.hour } }) as never,
    maxIterations: 500,
  });
  // Move DTSTART onto the rule's first match so that both sides agree on it.
  const first = probe.all()[0];
  if (!first) return undefined;
  const dtstart = Temporal.ZonedDateTime.from(first.toString());
  const rule = new RRuleTemporal({ rruleString: ruleText(c), dtstart: dtstart as never, maxIterations: 500 });
  return {
    dtstart,
    starts: rule.all().map((z) => new Date(z.epochMilliseconds).toISOString().replace('.000Z', 'Z')),
  };
}

const wall = (z: Temporal.ZonedDateTime): string => z.toPlainDateTime().toString({ smallestUnit: 'second' });

describe('expansion agrees with an independent RFC 5545 implementation', () => {
  it('on random COUNT rules in several zones', () => {
    fc.assert(
      fc.property(ruleArbitrary, (c) => {
        const oracle = oracleStarts(c);
        fc.pre(oracle !== undefined);
        if (!oracle) return;
        const start = wall(oracle.dtstart);
        const end = wall(oracle.dtstart.add({ minutes: 45 }));
        const series = timedSeries(c.zone, start, end, [`RRULE:${ruleText(c)}`]);
        const ours = startsOf(
          expandSeries(series, [], windowOf('2019-01-01T00:00:00Z', '2100-01-01T00:00:00Z')),
        );
        expect(ours).toEqual(oracle.starts.filter((s) => s < '2100'));
      }),
      { numRuns: 120, seed: 20261126 },
    );
  });
});

describe('hasOccurrenceIn', () => {
  it('agrees with expandSeries on random rules and windows', () => {
    fc.assert(
      fc.property(
        ruleArbitrary,
        fc.boolean(),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 400 }),
        (c, bounded, windowStartDay, windowDays) => {
          const text = bounded ? ruleText(c) : ruleText(c).replace(/;COUNT=\d+/, '');
          const start = `${Temporal.PlainDate.from('2020-01-01').add({ days: c.startDay })}T${String(c.hour).padStart(2, '0')}:00:00`;
          const end = start.replace(/T\d\d/, `T${String(c.hour + 1).padStart(2, '0')}`);
          const series = timedSeries(c.zone, start, end, [`RRULE:${text}`, 'EXDATE:20230102T090000Z']);
          const min = new Date(Date.UTC(2020, 0, 1) + windowStartDay * 86_400_000);
          const window = { timeMin: min, timeMax: new Date(min.getTime() + windowDays * 86_400_000) };
          expect(hasOccurrenceIn(series, window)).toBe(expandSeries(series, [], window).length > 0);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('is false for a series that ended before the window and true for one running through it', () => {
    const ended = timedSeries('Europe/Berlin', '2020-01-06T09:00:00', '2020-01-06T10:00:00', [
      'RRULE:FREQ=WEEKLY;COUNT=10',
    ]);
    const running = timedSeries('Europe/Berlin', '2015-01-05T09:00:00', '2015-01-05T10:00:00', [
      'RRULE:FREQ=MONTHLY;BYDAY=1MO',
    ]);
    const window = windowOf('2026-10-26T00:00:00Z', '2028-11-26T00:00:00Z');
    expect(hasOccurrenceIn(ended, window)).toBe(false);
    expect(hasOccurrenceIn(running, window)).toBe(true);
  });

  it('sees an RDATE in the window even when the rule is over', () => {
    const series = timedSeries('UTC', '2020-01-06T09:00:00', '2020-01-06T10:00:00', [
      'RRULE:FREQ=DAILY;COUNT=2',
      'RDATE:20270101T090000Z',
    ]);
    expect(hasOccurrenceIn(series, windowOf('2026-10-26T00:00:00Z', '2028-11-26T00:00:00Z'))).toBe(true);
  });

  it('is false when the only instance in the window is excluded', () => {
    const series = timedSeries('UTC', '2027-01-01T09:00:00', '2027-01-01T10:00:00', [
      'RRULE:FREQ=YEARLY;COUNT=1',
      'EXDATE:20270101T090000Z',
    ]);
    expect(hasOccurrenceIn(series, windowOf('2026-10-26T00:00:00Z', '2028-11-26T00:00:00Z'))).toBe(false);
  });
});
