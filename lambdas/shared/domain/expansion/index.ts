/**
 * How Google expands a series: the occurrences of Event resources (series with RRULE/EXRULE/RDATE/EXDATE,
 * single events, exceptions) in a time window. Used by the mapping (is a series inside the horizon?), the
 * conformance test, and the Google emulator (events.instances, events.list with singleEvents=true).
 *
 * Choices where RFC 5545 leaves room or where Google decides:
 * - DTSTART is always the first instance. When it does not match the rule it is an extra instance that COUNT
 *   does not count (Google shows COUNT=3 on a Thursday start with BYDAY=WE as four instances).
 * - Instances are generated in wall-clock time in start.timeZone. A time skipped by a DST gap moves forward by
 *   the gap (02:30 -> 03:30), a repeated time is its first occurrence; instances keep the series' exact length.
 * - UNTIL is inclusive. Its value type follows RFC 5545: a UTC date-time for a timed series (Google's always
 *   have a zone), a DATE for an all-day one; anything else is refused.
 * - EXDATE matches instants (any zone or UTC). EXDATE;VALUE=DATE on a timed series excludes nothing, as in
 *   Google (the value type must match DTSTART's).
 * - Refused with ExpansionError, as Google refuses them ("Invalid recurrence rule."): FREQ=HOURLY, MINUTELY and
 *   SECONDLY (Google repeats events at most daily); rule parts RFC 5545 forbids together or out of range
 *   (rule-parser.ts, checkCombination); RDATE/EXDATE parameters other than TZID and VALUE, VALUE=PERIOD, a TZID
 *   beside a UTC value or a date, a TZID not spelled as an IANA name (isGoogleTimeZoneName), and impossible
 *   dates and times (30 February, 24:00).
 * - BYWEEKNO without BYDAY keeps every day of its weeks (RFC 5545 leaves it open; Google's rfc2445 library and
 *   python-dateutil do so), and the days of a week that straddles New Year belong to their calendar year's period.
 * - All-day dates sit at UTC midnight when compared with the window (what the corpus reference does too).
 * - Exceptions replace the instance with the same original start and count at their own times.
 * - A window counts an occurrence when end > timeMin and start < timeMax (Google's events.list); an occurrence
 *   that does not end after it starts counts when timeMin <= start < timeMax. The rule is the domain's one
 *   (../time/window.ts), for single events, exceptions and series instances alike.
 *
 * Rules run on plain numbers (day numbers, wall-clock milliseconds) and zone offsets read from Intl once and
 * cached (../time/zone.ts), so thousands of series cost milliseconds; rules without COUNT skip straight to
 * the window. Times are the domain's time model (../time/): EventDateTimes are read with event-time.ts,
 * recurrence values with ics-values.ts. Rules are read by rule-parser.ts and walked by rule-walker.ts.
 */
export { ExpansionError } from './errors.ts';
export {
  expandEvents,
  expandSeries,
  hasOccurrenceIn,
  instanceId,
  type Occurrence,
  type TimeWindow,
} from './expand.ts';
export { RULE_PARTS } from './rule-parser.ts';
