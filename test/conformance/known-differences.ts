/**
 * Corpus files where the mapping (followed by the expansion Google does) and the reference disagree, and
 * why the mapping is right. The conformance test fails when a listed file starts to match (so this list
 * stays true) and when an unlisted counted file differs.
 */

const OBSOLETE_US_RULES =
  'Custom VTIMEZONE "US-Eastern" carries the 1987-2006 US rules (DST from the first Sunday in April to the last in October). ' +
  'Google needs an IANA zone: the mapping names America/New_York, the zone that had exactly these rules then, and Google applies its ' +
  'current rules; the reference extends the obsolete rules to 2020-2030, so the instances in the weeks between the old and new ' +
  'DST changes differ by an hour.';

const UNTIL_AT_OFFSET_CHANGE =
  'The last instance falls exactly on UNTIL but in another UTC offset than DTSTART (DST changed in between); RFC 5545 keeps it, ' +
  'the reference drops it (a known limit of the reference).';

const EXCHANGE_ALL_DAY_UNTIL =
  'All-day series from Exchange end with UNTIL set to the local midnight that starts the last day, written in UTC (for example ' +
  '20210701T220000Z for 2 July in Central Europe). The mapping keeps that last day (the nearest midnight); the reference floors ' +
  'UNTIL to the UTC date and ends the series a day early, a bug users of other sync tools report.';

const DISPLAY_NAME_TZID =
  'TZID is an Outlook display name without a VTIMEZONE; the mapping resolves it (city names, or the stated UTC offset) to an IANA ' +
  'zone, the reference reads the times as floating (UTC), a known limit of the reference.';

/**
 * The reason of files whose only difference is this one: the conformance test checks that they match once the
 * reference's zero-length timed occurrences are given the mapping's one minute.
 */
export const POINT_IN_TIME =
  'Timed events that do not end after they start (DTSTART without DTEND or DURATION, which RFC 5545 3.6.1 makes ' +
  'zero-length): Google refuses end == start (400 timeRangeEmpty, keeper.sh issue 614 / PR 616), so the mapping ' +
  'gives them one minute, the shortest span its minute grid shows as a point in time; the reference keeps end == start.';

export const KNOWN_DIFFERENCES: Record<string, string> = {
  'collective__icalendar/issue_1231_recurrence.ics': POINT_IN_TIME,
  'collective__icalendar/issue_722_timezone_transition_ambiguity.ics': POINT_IN_TIME,
  'ical-org__ical.net/EventStatus.ics': POINT_IN_TIME,
  'ical-org__ical.net/ALARM4.ics': `${OBSOLETE_US_RULES} Also: ${POINT_IN_TIME}`,
  'ical-org__ical.net/ByMonthDay1.ics': OBSOLETE_US_RULES,
  'ical-org__ical.net/Categories1.ics': OBSOLETE_US_RULES,
  'ical-org__ical.net/MonthlyByMonthDay1.ics': OBSOLETE_US_RULES,
  'ical-org__ical.net/MonthlyBySetPos2.ics': OBSOLETE_US_RULES,
  'ical4j__ical4j/google_aus_holidays.ics':
    'Overrides of an all-day yearly series carry a DATE-TIME RECURRENCE-ID (20200101T000000Z); the mapping matches each to the ' +
    'instance of that date and replaces it, the reference shows both the instance and the override (it needs equal value types).',
  'jazzband__icalevents/cest.ics': `${EXCHANGE_ALL_DAY_UNTIL} Also: ${UNTIL_AT_OFFSET_CHANGE}`,
  'jazzband__icalevents/multi_exdate_same_line_ms.ics': UNTIL_AT_OFFSET_CHANGE,
  'jazzband__icalevents/recurr_id_dtstart_missmatch.ics': UNTIL_AT_OFFSET_CHANGE,
  'jazzband__icalevents/recurrenceid_ms.ics': EXCHANGE_ALL_DAY_UNTIL,
  'jazzband__icalevents/recurring_override.ics': `${EXCHANGE_ALL_DAY_UNTIL} Also: ${POINT_IN_TIME}`,
  'jens-maus__node-ical/exchange_whole_day_moved_recurrence.ics': EXCHANGE_ALL_DAY_UNTIL,
  'jazzband__icalevents/rrule_until_only_date.ics':
    'UNTIL is a DATE (20211020) on a timed series, written by Google Calendar itself, which means the series ends on that day ' +
    'inclusive; the mapping keeps the instances of that day (UNTIL = the end of the day in the series zone, in UTC), the ' +
    'reference reads the DATE as midnight and drops the last instance.',
  'jens-maus__node-ical/Office-2012-owa.ics': DISPLAY_NAME_TZID,
  'jens-maus__node-ical/music-school-weekly-until.ics': `${DISPLAY_NAME_TZID} Here "(GMT +01:00)" becomes Africa/Lagos (a zone of that one offset: Google is not shown to take Etc/GMT-1).`,
  'jens-maus__node-ical/bad_custom_ms_tz.ics':
    'An all-day event without DTEND or DURATION lasts one day (RFC 5545 3.6.1); the reference gives it end == start. ' +
    `Also: ${POINT_IN_TIME}`,
  'jens-maus__node-ical/biweekly-exdate-until.ics':
    'A series with a UTC DTSTART in a calendar with X-WR-TIMEZONE: RFC 5545 expands it in UTC (same UTC time all year), the ' +
    "reference moves it into the X-WR-TIMEZONE zone first, so its instances follow that zone's DST and differ by an hour half " +
    'the year.',
};
