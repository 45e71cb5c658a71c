import { describe, expect, it } from 'vitest';
import { recurrenceRefusal } from '../../../emulator/google/calendar/rule-validation.ts';

/**
 * The emulator's own reading of recurrence lines (RFC 5545 3.3.10, 3.8.5.1-3, and Google's refusals on top),
 * each rule with a refused and a taken form, so a rule that stops refusing, or starts refusing too much, fails.
 */
const timed = { allDay: false, acceptRecentZoneNames: false };
const allDay = { allDay: true, acceptRecentZoneNames: false };
const refusalOf = (lines: unknown[], series = timed) => recurrenceRefusal(lines, series);
const ruleRefusal = (rule: string) => refusalOf([`RRULE:${rule}`]);

/** [rule, words of the reason] */
const REFUSED_RULES: [string, string][] = [
  // Google: at most daily
  ['FREQ=HOURLY;COUNT=3', 'at most daily'],
  ['FREQ=MINUTELY;COUNT=3', 'at most daily'],
  ['FREQ=SECONDLY;COUNT=3', 'at most daily'],
  // FREQ required, a frequency
  ['COUNT=3', 'FREQ is missing'],
  ['FREQ=FORTNIGHTLY', 'not a frequency'],
  // each part once, NAME=VALUE, RFC 5545's parts only
  ['FREQ=DAILY;COUNT=3;FREQ=WEEKLY', 'FREQ is given twice'],
  ['FREQ=DAILY;BYHOUR=9;BYHOUR=10', 'BYHOUR is given twice'],
  ['FREQ=DAILY;', 'is not NAME=VALUE'],
  ['FREQ=DAILY;COUNT', 'is not NAME=VALUE'],
  ['FREQ=DAILY;X-NAME=1', 'not a rule part'],
  ['RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=FORWARD', 'not a rule part'],
  // COUNT and INTERVAL: positive integers
  ['FREQ=DAILY;COUNT=0', 'COUNT=0 is not a positive integer'],
  ['FREQ=DAILY;COUNT=-1', 'COUNT=-1 is not a positive integer'],
  ['FREQ=DAILY;INTERVAL=0', 'INTERVAL=0 is not a positive integer'],
  ['FREQ=DAILY;INTERVAL=1.5', 'INTERVAL=1.5 is not a positive integer'],
  ['FREQ=DAILY;INTERVAL=', 'INTERVAL= is not a positive integer'],
  // ranges and grammar of the BYxxx lists
  ['FREQ=DAILY;BYSECOND=61', 'BYSECOND value "61"'],
  ['FREQ=DAILY;BYSECOND=+1', 'BYSECOND value "+1"'],
  ['FREQ=DAILY;BYMINUTE=60', 'BYMINUTE value "60"'],
  ['FREQ=DAILY;BYHOUR=24', 'BYHOUR value "24"'],
  ['FREQ=DAILY;BYHOUR=-1', 'BYHOUR value "-1"'],
  ['FREQ=DAILY;BYHOUR=9,', 'BYHOUR value ""'],
  ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY value "32"'],
  ['FREQ=MONTHLY;BYMONTHDAY=-32', 'BYMONTHDAY value "-32"'],
  ['FREQ=MONTHLY;BYMONTHDAY=0', 'BYMONTHDAY value "0"'],
  ['FREQ=YEARLY;BYYEARDAY=367', 'BYYEARDAY value "367"'],
  ['FREQ=YEARLY;BYYEARDAY=-367', 'BYYEARDAY value "-367"'],
  ['FREQ=YEARLY;BYWEEKNO=54', 'BYWEEKNO value "54"'],
  ['FREQ=YEARLY;BYWEEKNO=0', 'BYWEEKNO value "0"'],
  ['FREQ=YEARLY;BYMONTH=13', 'BYMONTH value "13"'],
  ['FREQ=YEARLY;BYMONTH=0', 'BYMONTH value "0"'],
  ['FREQ=YEARLY;BYMONTH=-1', 'BYMONTH value "-1"'],
  ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367', 'BYSETPOS value "367"'],
  ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0', 'BYSETPOS value "0"'],
  ['FREQ=WEEKLY;BYDAY=XX', 'BYDAY value "XX"'],
  ['FREQ=MONTHLY;BYDAY=0MO', 'BYDAY value "0MO"'],
  ['FREQ=YEARLY;BYDAY=54MO', 'BYDAY value "54MO"'],
  ['FREQ=MONTHLY;BYDAY=+MO', 'BYDAY value "+MO"'],
  ['FREQ=WEEKLY;WKST=XX', 'WKST=XX is not a weekday'],
  // combinations RFC 5545 forbids
  ['FREQ=DAILY;COUNT=3;UNTIL=20260301T000000Z', 'UNTIL and COUNT'],
  ['FREQ=WEEKLY;BYMONTHDAY=3', 'BYMONTHDAY is not valid with FREQ=WEEKLY'],
  ['FREQ=DAILY;BYYEARDAY=100', 'BYYEARDAY is not valid with FREQ=DAILY'],
  ['FREQ=WEEKLY;BYYEARDAY=100', 'BYYEARDAY is not valid with FREQ=WEEKLY'],
  ['FREQ=MONTHLY;BYYEARDAY=100', 'BYYEARDAY is not valid with FREQ=MONTHLY'],
  ['FREQ=MONTHLY;BYWEEKNO=3', 'BYWEEKNO is not valid with FREQ=MONTHLY'],
  ['FREQ=WEEKLY;BYDAY=1MO;COUNT=3', 'numbered BYDAY'],
  ['FREQ=DAILY;BYDAY=-1FR;COUNT=3', 'numbered BYDAY'],
  ['FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO', 'not valid with BYWEEKNO'],
  ['FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS needs another BYxxx'],
];

/** Range boundaries and the combinations RFC 5545 allows. */
const TAKEN_RULES = [
  'FREQ=DAILY',
  'freq=daily;count=3',
  'FREQ=YEARLY;BYWEEKNO=-53,1;BYDAY=MO',
  'FREQ=YEARLY;BYYEARDAY=-366,366',
  'FREQ=YEARLY;BYDAY=20MO,-53SU',
  'FREQ=YEARLY;BYMONTH=1,12;BYDAY=1SU',
  'FREQ=MONTHLY;BYMONTHDAY=-31,31',
  'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
  'FREQ=MONTHLY;BYDAY=+2TU',
  'FREQ=DAILY;BYMONTHDAY=1,15',
  'FREQ=DAILY;BYHOUR=0,23;BYMINUTE=0,59;BYSECOND=0,60',
  'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;WKST=SU;UNTIL=20260301T000000Z',
  'FREQ=DAILY;BYSETPOS=1;BYHOUR=9',
];

describe('emulator recurrence rules: RFC 5545 3.3.10 and Google\'s "at most daily"', () => {
  it.each(REFUSED_RULES)('refuses RRULE:%s (%s)', (rule, why) => {
    expect(ruleRefusal(rule)).toContain(why);
  });

  it('refuses the same rules as EXRULE', () => {
    for (const [rule, why] of REFUSED_RULES) {
      expect(refusalOf(['RRULE:FREQ=DAILY;COUNT=3', `EXRULE:${rule}`]), rule).toContain(why);
    }
  });

  it.each(TAKEN_RULES)('takes RRULE:%s', (rule) => {
    expect(ruleRefusal(rule)).toBeUndefined();
    expect(refusalOf(['RRULE:FREQ=DAILY', `EXRULE:${rule}`])).toBeUndefined();
  });

  it('refuses parameters on RRULE and EXRULE, and an empty rule', () => {
    expect(refusalOf(['RRULE;X-FOO=1:FREQ=DAILY'])).toContain('RRULE takes no parameters');
    expect(refusalOf(['EXRULE;X-FOO=1:FREQ=DAILY'])).toContain('EXRULE takes no parameters');
    expect(refusalOf(['RRULE:'])).toContain('is not NAME=VALUE');
  });
});

describe('emulator recurrence rules: UNTIL has the value type RFC 5545 requires', () => {
  it('a timed (zoned) series takes a UTC date-time only', () => {
    expect(ruleRefusal('FREQ=DAILY;UNTIL=20260312T080000Z')).toBeUndefined();
    expect(ruleRefusal('FREQ=DAILY;UNTIL=20260312T080000')).toContain('must be a UTC date-time');
    expect(ruleRefusal('FREQ=DAILY;UNTIL=20260312')).toContain('must be a UTC date-time');
  });

  it('an all-day series takes a DATE only', () => {
    expect(refusalOf(['RRULE:FREQ=DAILY;UNTIL=20260312'], allDay)).toBeUndefined();
    for (const until of ['20260312T000000Z', '20260312T000000']) {
      expect(refusalOf([`RRULE:FREQ=DAILY;UNTIL=${until}`], allDay), until).toContain('must be a DATE');
    }
  });

  it('refuses an UNTIL that is no date: impossible days and times, other forms', () => {
    for (const until of ['20260230T000000Z', '20260312T240000Z', '2026-03-12T08:00:00Z', 'SOON']) {
      expect(ruleRefusal(`FREQ=DAILY;UNTIL=${until}`), until).toContain('neither a DATE nor a DATE-TIME');
    }
  });
});

describe('emulator recurrence lines: which lines, RDATE and EXDATE', () => {
  const base = 'RRULE:FREQ=DAILY;COUNT=5';

  it('takes RRULE, EXRULE, RDATE and EXDATE only (no DTSTART, DTEND or other lines, text only)', () => {
    for (const line of ['DTSTART:20260310T080000Z', 'DTEND:20260310T090000Z', 'X-FOO:bar', 'FREQ=DAILY']) {
      expect(refusalOf([base, line]), line).toBeDefined();
    }
    expect(refusalOf([base, 42])).toContain('not text');
    expect(refusalOf(['rrule:FREQ=DAILY', 'exdate:20260311T080000Z'])).toBeUndefined();
  });

  it('takes TZID and VALUE parameters only, each NAME=VALUE', () => {
    expect(refusalOf([base, 'EXDATE;X-FOO=1:20260311T090000'])).toContain('takes no X-FOO parameter');
    expect(refusalOf([base, 'RDATE;LANGUAGE=en:20260320T080000Z'])).toContain('takes no LANGUAGE parameter');
    expect(refusalOf([base, 'EXDATE;TZID:20260311T090000'])).toContain('is not NAME=VALUE');
    expect(refusalOf([base, 'EXDATE;TZID=Europe/Berlin;VALUE=DATE-TIME:20260311T090000'])).toBeUndefined();
  });

  it('refuses VALUE=PERIOD and value types other than DATE and DATE-TIME', () => {
    expect(refusalOf([base, 'RDATE;VALUE=PERIOD:20260320T080000Z/PT2H'])).toContain('VALUE=PERIOD');
    expect(refusalOf([base, 'RDATE;VALUE=TEXT:hello'])).toContain('VALUE=TEXT is not DATE or DATE-TIME');
  });

  it('refuses values that are not of the VALUE type (DATE-TIME when not given)', () => {
    expect(refusalOf([base, 'EXDATE;VALUE=DATE:20260311T090000Z'])).toContain('is a DATE-TIME, not a DATE');
    expect(refusalOf([base, 'RDATE;VALUE=DATE-TIME:20260320'], allDay)).toContain(
      'is a DATE, not a DATE-TIME',
    );
    expect(refusalOf([base, 'EXDATE:20260311'], allDay)).toContain('is a DATE, not a DATE-TIME');
    expect(refusalOf([base, 'EXDATE;VALUE=DATE:20260311,20260312'], allDay)).toBeUndefined();
    expect(refusalOf([base, 'EXDATE:20260311T080000Z,20260312T080000Z'])).toBeUndefined();
  });

  it('refuses values that are no date, and empty ones', () => {
    expect(refusalOf([base, 'EXDATE:20260230T090000Z'])).toContain('neither a DATE nor a DATE-TIME');
    expect(refusalOf([base, 'EXDATE:20260311T080000Z,'])).toContain('neither a DATE nor a DATE-TIME');
    expect(refusalOf([base, 'RDATE:'])).toContain('neither a DATE nor a DATE-TIME');
  });

  it('refuses a TZID beside a UTC value or a date', () => {
    expect(refusalOf([base, 'EXDATE;TZID=Europe/Berlin:20260311T080000Z'])).toContain('cannot have a TZID');
    expect(refusalOf([base, 'EXDATE;TZID=Europe/Berlin;VALUE=DATE:20260311'], allDay)).toContain(
      'cannot have a TZID',
    );
    expect(refusalOf([base, 'EXDATE;TZID=Europe/Berlin:20260311T090000'])).toBeUndefined();
    expect(refusalOf([base, 'EXDATE;TZID="Europe/Berlin":20260311T090000'])).toBeUndefined();
  });

  it('takes a TZID only as Google spells zones, the recent names only when told to', () => {
    for (const zone of ['europe/berlin', 'EST', '+01:00', 'Mars/Base', 'Europe/Kyiv', 'Etc/GMT-1']) {
      expect(refusalOf([base, `RDATE;TZID=${zone}:20260320T090000`]), zone).toContain('not a zone name');
    }
    for (const zone of ['Europe/Berlin', 'US/Eastern', 'Asia/Kolkata', 'Europe/Kiev', 'UTC']) {
      expect(refusalOf([base, `RDATE;TZID=${zone}:20260320T090000`]), zone).toBeUndefined();
    }
    const lenient = { allDay: false, acceptRecentZoneNames: true };
    expect(refusalOf([base, 'RDATE;TZID=Europe/Kyiv:20260320T090000'], lenient)).toBeUndefined();
  });

  it('refuses a quoted parameter value that does not close', () => {
    expect(refusalOf([base, 'EXDATE;TZID="Europe/Berlin:20260311T090000'])).toBeDefined();
  });
});
