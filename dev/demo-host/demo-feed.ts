/**
 * The demo subscription's feed, as a real ICS service would serve it: two time zones with their VTIMEZONEs,
 * weekly, fortnightly and yearly series, a moved and two cancelled occurrences (an EXDATE and an
 * Outlook-style cancelled override), all-day events (one day, several days, every year), a zero-length
 * reminder (DTSTART without an end), a UTC event, a private event and one from last week. Dates are relative to
 * the current week, so the calendar always has something to show today.
 */
export const DEMO_FEED_TOKEN = 'demo-feed';
export const DEMO_CALENDAR_NAME = 'Team calendar (demo)';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

const VTIMEZONES = [
  'BEGIN:VTIMEZONE',
  `TZID:${BERLIN}`,
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
  'BEGIN:VTIMEZONE',
  `TZID:${NEW_YORK}`,
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:-0500',
  'TZOFFSETTO:-0400',
  'TZNAME:EDT',
  'DTSTART:19700308T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:-0400',
  'TZOFFSETTO:-0500',
  'TZNAME:EST',
  'DTSTART:19701101T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

export function demoFeed(now: Date): string {
  // Monday of the current week (UTC calendar), the anchor of every date below.
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const day = (offset: number) => {
    const date = new Date(monday);
    date.setUTCDate(date.getUTCDate() + offset);
    return date.toISOString().slice(0, 10).replaceAll('-', '');
  };
  const local = (zone: string, offset: number, time: string) => `;TZID=${zone}:${day(offset)}T${time}00`;
  const stamp = `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  const event = (uid: string, lines: string[]) => [
    'BEGIN:VEVENT',
    `UID:${uid}@demo.ics.example`,
    `DTSTAMP:${stamp}`,
    ...lines,
    'END:VEVENT',
  ];

  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Demo ICS service//Local run//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${DEMO_CALENDAR_NAME}`,
    `X-WR-TIMEZONE:${BERLIN}`,
    ...VTIMEZONES,
    ...event('standup', [
      `DTSTART${local(BERLIN, 0, '0930')}`,
      `DTEND${local(BERLIN, 0, '0945')}`,
      'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=36',
      `EXDATE${local(BERLIN, 9, '0930')}`,
      'SUMMARY:Team stand-up',
      'LOCATION:Room 4.12',
      'DESCRIPTION:Fifteen minutes: yesterday\\, today\\, blockers.',
    ]),
    ...event('standup', [
      `RECURRENCE-ID${local(BERLIN, 14, '0930')}`,
      `DTSTART${local(BERLIN, 14, '1100')}`,
      `DTEND${local(BERLIN, 14, '1115')}`,
      'SUMMARY:Team stand-up (moved to 11:00)',
      'LOCATION:Room 4.12',
      'SEQUENCE:1',
    ]),
    ...event('standup', [
      `RECURRENCE-ID${local(BERLIN, 18, '0930')}`,
      `DTSTART${local(BERLIN, 18, '0930')}`,
      `DTEND${local(BERLIN, 18, '0945')}`,
      'SUMMARY:Team stand-up',
      'STATUS:CANCELLED',
      'SEQUENCE:1',
    ]),
    ...event('new-york-call', [
      `DTSTART${local(NEW_YORK, 1, '1000')}`,
      `DTEND${local(NEW_YORK, 1, '1030')}`,
      'RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8',
      'SUMMARY:Call with the New York office',
      'LOCATION:Video call',
    ]),
    ...event('new-york-call', [
      `RECURRENCE-ID${local(NEW_YORK, 15, '1000')}`,
      `DTSTART${local(NEW_YORK, 16, '0900')}`,
      `DTEND${local(NEW_YORK, 16, '0930')}`,
      'SUMMARY:Call with the New York office (moved to Wednesday)',
      'LOCATION:Video call',
      'SEQUENCE:1',
    ]),
    ...event('sprint-review', [
      `DTSTART${local(BERLIN, 3, '1500')}`,
      `DTEND${local(BERLIN, 3, '1600')}`,
      'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=6',
      'SUMMARY:Sprint review',
      'LOCATION:Auditorium',
    ]),
    ...event('timesheet', [
      `DTSTART${local(BERLIN, 4, '1600')}`,
      'RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=12',
      'SUMMARY:Reminder: submit your timesheet',
      'TRANSP:TRANSPARENT',
    ]),
    ...event('release', [
      `DTSTART:${day(9)}T070000Z`,
      `DTEND:${day(9)}T073000Z`,
      'SUMMARY:Release 2.4 goes live',
      'DESCRIPTION:Deployment window (UTC).',
    ]),
    ...event('dentist', [
      `DTSTART${local(BERLIN, 2, '0800')}`,
      `DTEND${local(BERLIN, 2, '0900')}`,
      'SUMMARY:Dentist',
      'LOCATION:Dr. Weiß\\, Hauptstraße 5',
      'DESCRIPTION:Bring the insurance card.\\nAllow 15 minutes to get there.',
      'CLASS:PRIVATE',
    ]),
    ...event('kickoff', [
      `DTSTART${local(BERLIN, -5, '1400')}`,
      `DTEND${local(BERLIN, -5, '1530')}`,
      'SUMMARY:Planning kick-off',
    ]),
    ...event('holiday', [
      `DTSTART;VALUE=DATE:${day(10)}`,
      `DTEND;VALUE=DATE:${day(11)}`,
      'SUMMARY:Company holiday',
      'TRANSP:TRANSPARENT',
    ]),
    ...event('offsite', [
      `DTSTART;VALUE=DATE:${day(21)}`,
      `DTEND;VALUE=DATE:${day(24)}`,
      'SUMMARY:Team offsite in Lisbon',
    ]),
    ...event('birthday', [
      `DTSTART;VALUE=DATE:${day(3)}`,
      `DTEND;VALUE=DATE:${day(4)}`,
      'RRULE:FREQ=YEARLY',
      "SUMMARY:Ada's birthday",
      'TRANSP:TRANSPARENT',
    ]),
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
