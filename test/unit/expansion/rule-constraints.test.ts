import { describe, expect, it } from 'vitest';
import { ExpansionError, expandSeries } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { allDaySeries, timedSeries, WIDE } from './series-builder.ts';

/** What expanding the series throws, or undefined when it expands. */
function refusal(series: GoogleEvent): ExpansionError | undefined {
  try {
    expandSeries(series, [], WIDE, { maxOccurrences: 20 });
    return undefined;
  } catch (error) {
    if (error instanceof ExpansionError) return error;
    throw error;
  }
}

const timed = (...recurrence: string[]) =>
  timedSeries('Europe/Berlin', '2024-01-01T10:00:00', '2024-01-01T11:00:00', recurrence);
const allDay = (...recurrence: string[]) => allDaySeries('2024-01-01', '2024-01-02', recurrence);

/** [rule, words the reason must contain] */
const REFUSED_RULES: [string, string][] = [
  ['FREQ=HOURLY;COUNT=3', 'FREQ=HOURLY is not supported'],
  ['FREQ=MINUTELY;COUNT=3', 'FREQ=MINUTELY is not supported'],
  ['FREQ=SECONDLY;COUNT=3', 'FREQ=SECONDLY is not supported'],
  ['FREQ=WEEKLY;BYDAY=1MO;COUNT=3', 'numbered BYDAY'],
  ['FREQ=DAILY;BYDAY=-1FR;COUNT=3', 'numbered BYDAY'],
  ['FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO', 'not valid with BYWEEKNO'],
  ['FREQ=MONTHLY;BYWEEKNO=20', 'BYWEEKNO is only valid with FREQ=YEARLY'],
  ['FREQ=DAILY;BYYEARDAY=100', 'BYYEARDAY is not valid with FREQ=DAILY'],
  ['FREQ=WEEKLY;BYYEARDAY=100', 'BYYEARDAY is not valid with FREQ=WEEKLY'],
  ['FREQ=MONTHLY;BYYEARDAY=100', 'BYYEARDAY is not valid with FREQ=MONTHLY'],
  ['FREQ=WEEKLY;BYMONTHDAY=1', 'BYMONTHDAY is not valid with FREQ=WEEKLY'],
  ['FREQ=DAILY;BYSETPOS=1', 'BYSETPOS needs another BYxxx'],
  ['FREQ=DAILY;COUNT=3;UNTIL=20240110T000000Z', 'COUNT and UNTIL'],
  ['FREQ=DAILY;COUNT=3;FREQ=WEEKLY', 'FREQ is given twice'],
  ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY value "32"'],
  ['FREQ=MONTHLY;BYMONTHDAY=-32', 'BYMONTHDAY value "-32"'],
  ['FREQ=MONTHLY;BYMONTHDAY=0', 'BYMONTHDAY value "0"'],
  ['FREQ=YEARLY;BYYEARDAY=367', 'BYYEARDAY value "367"'],
  ['FREQ=YEARLY;BYYEARDAY=-367', 'BYYEARDAY value "-367"'],
  ['FREQ=YEARLY;BYWEEKNO=54', 'BYWEEKNO value "54"'],
  ['FREQ=YEARLY;BYWEEKNO=0', 'BYWEEKNO value "0"'],
  ['FREQ=DAILY;BYHOUR=24', 'BYHOUR value "24"'],
  ['FREQ=DAILY;BYHOUR=-1', 'BYHOUR value "-1"'],
  ['FREQ=DAILY;BYHOUR=', 'BYHOUR value ""'],
  ['FREQ=DAILY;BYMINUTE=60', 'BYMINUTE value "60"'],
  ['FREQ=DAILY;BYSECOND=61', 'BYSECOND value "61"'],
  ['FREQ=YEARLY;BYMONTH=13', 'BYMONTH value "13"'],
  ['FREQ=YEARLY;BYMONTH=0', 'BYMONTH value "0"'],
  ['FREQ=YEARLY;BYMONTH=-1', 'BYMONTH value "-1"'],
  ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367', 'BYSETPOS value "367"'],
  ['FREQ=DAILY;INTERVAL=0', 'INTERVAL must be a positive integer'],
  ['FREQ=DAILY;INTERVAL=1.5', 'INTERVAL must be a positive integer'],
  ['FREQ=DAILY;COUNT=0', 'COUNT must be a positive integer'],
  ['FREQ=MONTHLY;BYDAY=0MO', 'BYDAY value "0MO"'],
  ['FREQ=YEARLY;BYDAY=54MO', 'BYDAY value "54MO"'],
  ['FREQ=MONTHLY;BYDAY=+MO', 'BYDAY value "+MO"'],
];

const ACCEPTED_RULES = [
  'FREQ=YEARLY;BYWEEKNO=-53,1;BYDAY=MO',
  'FREQ=YEARLY;BYYEARDAY=-366,366',
  'FREQ=YEARLY;BYDAY=20MO,-53SU',
  'FREQ=MONTHLY;BYMONTHDAY=-31,31',
  'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
  'FREQ=MONTHLY;BYDAY=+2TU',
  'FREQ=DAILY;BYMONTHDAY=1,15',
  'FREQ=DAILY;BYHOUR=0,23;BYMINUTE=0,59;BYSECOND=0,60',
  'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;UNTIL=20240301T000000Z',
];

describe('RFC 5545 3.3.10 rule constraints, and Google\'s "at most daily"', () => {
  it.each(REFUSED_RULES)('refuses %s (%s)', (rule, why) => {
    const error = refusal(timed(`RRULE:${rule}`));
    expect(error?.reason).toBe('bad_recurrence');
    expect(error?.message).toContain(why);
  });

  it('refuses the same rules as EXRULE', () => {
    for (const [rule] of REFUSED_RULES) {
      expect(refusal(timed('RRULE:FREQ=DAILY;COUNT=3', `EXRULE:${rule}`))?.reason, rule).toBe(
        'bad_recurrence',
      );
    }
  });

  it.each(ACCEPTED_RULES)('accepts %s (range boundaries and allowed combinations)', (rule) => {
    expect(refusal(timed(`RRULE:${rule}`))).toBeUndefined();
  });
});

describe('UNTIL has the value type RFC 5545 requires', () => {
  it('a timed (zoned) series needs a UTC UNTIL: a local one and a DATE are refused', () => {
    expect(refusal(timed('RRULE:FREQ=DAILY;UNTIL=20240105T100000Z'))).toBeUndefined();
    for (const until of ['20240105T100000', '20240105']) {
      const error = refusal(timed(`RRULE:FREQ=DAILY;UNTIL=${until}`));
      expect(error?.message, until).toContain('UNTIL of a timed series must be a UTC date-time');
    }
  });

  it('an all-day series needs a DATE UNTIL', () => {
    expect(refusal(allDay('RRULE:FREQ=DAILY;UNTIL=20240105'))).toBeUndefined();
    for (const until of ['20240105T000000Z', '20240105T000000']) {
      const error = refusal(allDay(`RRULE:FREQ=DAILY;UNTIL=${until}`));
      expect(error?.message, until).toContain('UNTIL of an all-day series must be a DATE');
    }
  });
});

describe('RDATE and EXDATE lines as Google reads them', () => {
  const base = 'RRULE:FREQ=DAILY;COUNT=5';

  it('take TZID and VALUE only', () => {
    expect(refusal(timed(base, 'EXDATE;X-FOO=1:20240102T100000'))?.message).toContain(
      'unknown parameter X-FOO',
    );
    expect(refusal(timed(base, 'RDATE;LANGUAGE=en:20240110T100000Z'))?.message).toContain(
      'unknown parameter LANGUAGE',
    );
    expect(refusal(timed(base, 'EXDATE;TZID:20240102T100000'))?.message).toContain('is not NAME=VALUE');
    expect(refusal(timed('RRULE;X-FOO=1:FREQ=DAILY;COUNT=3'))?.message).toContain(
      'RRULE takes no parameters',
    );
  });

  it('refuse a TZID beside a UTC value or a date', () => {
    expect(refusal(timed(base, 'EXDATE;TZID=Europe/Berlin:20240102T090000Z'))?.message).toContain(
      'cannot have a TZID',
    );
    expect(refusal(allDay(base, 'EXDATE;TZID=Europe/Berlin;VALUE=DATE:20240102'))?.message).toContain(
      'cannot have a TZID',
    );
    expect(refusal(timed(base, 'EXDATE;TZID=Europe/Berlin:20240102T100000'))).toBeUndefined();
  });

  it('refuse a VALUE that the values contradict, and other value types', () => {
    expect(refusal(timed(base, 'EXDATE;VALUE=DATE:20240102T100000Z'))?.message).toContain(
      'is not of type DATE',
    );
    expect(refusal(allDay(base, 'RDATE;VALUE=DATE-TIME:20240110'))?.message).toContain(
      'is not of type DATE-TIME',
    );
    expect(refusal(timed(base, 'RDATE;VALUE=TEXT:hello'))?.message).toContain(
      'VALUE=TEXT is not DATE or DATE-TIME',
    );
    expect(refusal(allDay(base, 'RDATE;VALUE=DATE:20240110'))).toBeUndefined();
  });

  it('take a TZID only when it is an IANA name spelled exactly', () => {
    for (const zone of ['europe/berlin', 'EST', '+01:00', 'Mars/Base']) {
      const error = refusal(timed(base, `EXDATE;TZID=${zone}:20240102T100000`));
      expect(error?.reason, zone).toBe('unknown_time_zone');
    }
    for (const zone of [
      'America/New_York',
      'US/Eastern',
      'Asia/Kolkata',
      'Europe/Kyiv',
      'UTC',
      'Etc/GMT-1',
    ]) {
      expect(refusal(timed(base, `EXDATE;TZID=${zone}:20240102T100000`)), zone).toBeUndefined();
    }
  });
});
