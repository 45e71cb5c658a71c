import { describe, expect, it } from 'vitest';
import { expandSeries } from '../../../lambdas/shared/domain/expansion/index.ts';
import { localStartsOf, timedSeries, WIDE } from './series-builder.ts';

/** Examples from RFC 5545 section 3.8.5.3, all at 09:00 America/New_York. */
function nyStarts(start: string, recurrence: string[], limit = 50): string[] {
  const series = timedSeries('America/New_York', start, start.replace('T09', 'T10'), recurrence);
  return localStartsOf(expandSeries(series, [], WIDE, { maxOccurrences: limit })).map((s) => s.slice(0, 10));
}

describe('RRULE parts (RFC 5545 examples)', () => {
  it('COUNT counts DTSTART when the rule generates it', () => {
    expect(nyStarts('1997-09-02T09:00:00', ['RRULE:FREQ=DAILY;COUNT=10'])).toEqual([
      '1997-09-02',
      '1997-09-03',
      '1997-09-04',
      '1997-09-05',
      '1997-09-06',
      '1997-09-07',
      '1997-09-08',
      '1997-09-09',
      '1997-09-10',
      '1997-09-11',
    ]);
  });

  it('monthly on the first Friday (BYDAY with an ordinal)', () => {
    expect(nyStarts('1997-09-05T09:00:00', ['RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR'])).toEqual([
      '1997-09-05',
      '1997-10-03',
      '1997-11-07',
      '1997-12-05',
      '1998-01-02',
      '1998-02-06',
      '1998-03-06',
      '1998-04-03',
      '1998-05-01',
      '1998-06-05',
    ]);
  });

  it('every other week on Tuesday and Thursday', () => {
    expect(
      nyStarts('1997-09-02T09:00:00', ['RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH']),
    ).toEqual([
      '1997-09-02',
      '1997-09-04',
      '1997-09-16',
      '1997-09-18',
      '1997-09-30',
      '1997-10-02',
      '1997-10-14',
      '1997-10-16',
    ]);
  });

  it('WKST changes which days an every-other-week rule picks', () => {
    expect(
      nyStarts('1997-08-05T09:00:00', ['RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO']),
    ).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
    expect(
      nyStarts('1997-08-05T09:00:00', ['RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU']),
    ).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
  });

  it('BYSETPOS picks the n-th candidate of each period', () => {
    expect(nyStarts('1997-09-04T09:00:00', ['RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3'])).toEqual(
      ['1997-09-04', '1997-10-07', '1997-11-06'],
    );
    expect(
      nyStarts('1997-09-29T09:00:00', ['RRULE:FREQ=MONTHLY;COUNT=7;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2']),
    ).toEqual([
      '1997-09-29',
      '1997-10-30',
      '1997-11-27',
      '1997-12-30',
      '1998-01-29',
      '1998-02-26',
      '1998-03-30',
    ]);
  });

  it('BYWEEKNO with BYDAY: Monday of ISO week 20', () => {
    expect(nyStarts('1997-05-12T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=3;BYWEEKNO=20;BYDAY=MO'])).toEqual([
      '1997-05-12',
      '1998-05-11',
      '1999-05-17',
    ]);
  });

  it('BYWEEKNO reaches into the neighbouring year and counts back with negative numbers', () => {
    // ISO week 1 of 1997 starts on Monday 1996-12-30, that of 1998 on 1997-12-29; 1998 has 53 weeks.
    expect(nyStarts('1996-12-30T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=4;BYWEEKNO=1,-1;BYDAY=MO'])).toEqual([
      '1996-12-30',
      '1997-12-22',
      '1997-12-29',
      '1998-12-28',
    ]);
  });

  it("BYWEEKNO without BYDAY keeps every day of the week, as Google's rfc2445 library does", () => {
    // RFC 5545 leaves this open; ical.net and rrule-temporal would take DTSTART's weekday (Mondays only).
    expect(nyStarts('1997-05-12T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=9;BYWEEKNO=20'])).toEqual([
      '1997-05-12',
      '1997-05-13',
      '1997-05-14',
      '1997-05-15',
      '1997-05-16',
      '1997-05-17',
      '1997-05-18',
      '1998-05-11',
      '1998-05-12',
    ]);
  });

  it('BYWEEKNO with BYSETPOS picks among the days of the calendar year, also those of a week of the year before', () => {
    // 2027-01-01 (a Friday) lies in week 53 of 2026: it is the first Friday of the period 2027 in week 53 or in
    // the 19th week from the end (week 34 of 2027's 52); rrule-temporal would pick 2027-08-27 (whole ISO weeks).
    expect(
      nyStarts('2026-08-28T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=3;BYWEEKNO=53,-19;BYDAY=FR;BYSETPOS=1']),
    ).toEqual(['2026-08-28', '2027-01-01', '2028-08-25']);
  });

  it('the 20th Monday of the year (ordinal within the year)', () => {
    expect(nyStarts('1997-05-19T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=3;BYDAY=20MO'])).toEqual([
      '1997-05-19',
      '1998-05-18',
      '1999-05-17',
    ]);
  });

  it('every Friday the 13th, DTSTART excluded by EXDATE', () => {
    expect(
      nyStarts('1997-09-02T09:00:00', [
        'RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=FR;BYMONTHDAY=13',
        'EXDATE;TZID=America/New_York:19970902T090000',
      ]),
    ).toEqual(['1998-02-13', '1998-03-13', '1998-11-13', '1999-08-13', '2000-10-13', '2001-04-13']);
  });

  it('a DTSTART off the pattern is an extra instance that COUNT does not count, as in Google', () => {
    // Thursday start, every Wednesday, three times: Google shows four instances.
    expect(nyStarts('2024-05-30T09:00:00', ['RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=WE'])).toEqual([
      '2024-05-30',
      '2024-06-05',
      '2024-06-12',
      '2024-06-19',
    ]);
  });

  it('BYMONTHDAY=-1 is the last day of each month', () => {
    expect(nyStarts('2024-01-31T09:00:00', ['RRULE:FREQ=MONTHLY;COUNT=4;BYMONTHDAY=-1'])).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
    ]);
  });

  it('skips invalid dates: the 31st monthly, 29 February yearly', () => {
    expect(nyStarts('2024-01-31T09:00:00', ['RRULE:FREQ=MONTHLY;COUNT=4'])).toEqual([
      '2024-01-31',
      '2024-03-31',
      '2024-05-31',
      '2024-07-31',
    ]);
    expect(nyStarts('2024-02-29T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=3'])).toEqual([
      '2024-02-29',
      '2028-02-29',
      '2032-02-29',
    ]);
  });

  it('yearly in given months on given weekdays (BYMONTH expands BYDAY within the month)', () => {
    expect(nyStarts('2024-01-01T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=5;BYMONTH=1;BYDAY=-1MO,1MO'])).toEqual([
      '2024-01-01',
      '2024-01-29',
      '2025-01-06',
      '2025-01-27',
      '2026-01-05',
    ]);
  });

  it('BYYEARDAY counts from both ends of the year', () => {
    expect(nyStarts('2023-01-01T09:00:00', ['RRULE:FREQ=YEARLY;COUNT=4;BYYEARDAY=1,-1'])).toEqual([
      '2023-01-01',
      '2023-12-31',
      '2024-01-01',
      '2024-12-31',
    ]);
  });

  it('BYHOUR and BYMINUTE expand a daily rule into several times a day', () => {
    const series = timedSeries('UTC', '2024-01-01T08:00:00', '2024-01-01T08:15:00', [
      'RRULE:FREQ=DAILY;COUNT=4;BYHOUR=8,17;BYMINUTE=0,30',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-01-01T08:00:00Z',
      '2024-01-01T08:30:00Z',
      '2024-01-01T17:00:00Z',
      '2024-01-01T17:30:00Z',
    ]);
  });

  it('BYHOUR and BYMINUTE give several instances a day', () => {
    const series = timedSeries('UTC', '2024-01-01T09:00:00', '2024-01-01T09:30:00', [
      'RRULE:FREQ=DAILY;BYHOUR=9,15;BYMINUTE=0,30;UNTIL=20240102T090000Z',
    ]);
    expect(localStartsOf(expandSeries(series, [], WIDE))).toEqual([
      '2024-01-01T09:00:00Z',
      '2024-01-01T09:30:00Z',
      '2024-01-01T15:00:00Z',
      '2024-01-01T15:30:00Z',
      '2024-01-02T09:00:00Z',
    ]);
  });

  it('several RRULEs are united, without duplicates', () => {
    expect(
      nyStarts('2024-01-01T09:00:00', [
        'RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO',
        'RRULE:FREQ=WEEKLY;COUNT=2;BYDAY=MO,WE',
      ]),
    ).toEqual(['2024-01-01', '2024-01-03', '2024-01-08', '2024-01-15']);
  });

  it('EXRULE removes what it generates', () => {
    expect(
      nyStarts('2024-01-01T09:00:00', ['RRULE:FREQ=DAILY;COUNT=7', 'EXRULE:FREQ=WEEKLY;BYDAY=SA,SU']),
    ).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
  });

  it('a runaway rule stops at maxOccurrences', () => {
    const series = timedSeries('UTC', '2024-01-01T00:00:00', '2024-01-01T00:00:01', [
      'RRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23',
    ]);
    expect(expandSeries(series, [], WIDE, { maxOccurrences: 100 })).toHaveLength(100);
    expect(expandSeries(series, [], WIDE)).toHaveLength(5_000);
  });
});
