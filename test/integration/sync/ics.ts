/** Hand-written ICS feeds for the sync tests: each test states exactly which components its feed has. */
export interface IcsEvent {
  uid: string;
  summary: string;
  /** Basic format: `20260310T090000` (wall time in `zone`) or `20260310` (all-day). */
  start: string;
  end: string;
  /** TZID of timed values (default Europe/Berlin). */
  zone?: string;
  /** Undefined writes none: `{ ...series, rrule: undefined, recurrenceId }` is an exception of `series`. */
  rrule?: string | undefined;
  exdates?: string[];
  /** Makes the component an exception of the series with the same UID. */
  recurrenceId?: string;
  status?: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  description?: string;
  location?: string;
  sequence?: number;
  /**
   * How timed values are written: `zoned` (default, `;TZID=zone:`), `utc` (`...Z`, no TZID) or `floating`
   * (no TZID, no `Z`: the calendar's or the default zone).
   */
  form?: 'zoned' | 'utc' | 'floating';
  /** `RECURRENCE-ID;RANGE=THISANDFUTURE` (with `recurrenceId`). */
  thisAndFuture?: boolean;
  /** TRANSP. */
  transparency?: 'OPAQUE' | 'TRANSPARENT';
  /** CLASS. */
  classification?: 'PUBLIC' | 'PRIVATE' | 'CONFIDENTIAL';
}

function dateLine(
  name: string,
  value: string,
  zone: string,
  form: IcsEvent['form'] = 'zoned',
  param = '',
): string {
  if (value.length === 8) return `${name}${param};VALUE=DATE:${value}`;
  if (form === 'utc') return `${name}${param}:${value}Z`;
  if (form === 'floating') return `${name}${param}:${value}`;
  return `${name}${param};TZID=${zone}:${value}`;
}

export function icsFeed(events: IcsEvent[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//ics-google-sync//sync tests//EN'];
  for (const event of events) {
    const zone = event.zone ?? 'Europe/Berlin';
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      'DTSTAMP:20260101T000000Z',
      dateLine('DTSTART', event.start, zone, event.form),
      dateLine('DTEND', event.end, zone, event.form),
      `SUMMARY:${event.summary}`,
    );
    if (event.recurrenceId) {
      const range = event.thisAndFuture ? ';RANGE=THISANDFUTURE' : '';
      lines.push(dateLine('RECURRENCE-ID', event.recurrenceId, zone, event.form, range));
    }
    if (event.rrule) lines.push(`RRULE:${event.rrule}`);
    for (const exdate of event.exdates ?? []) lines.push(dateLine('EXDATE', exdate, zone, event.form));
    if (event.status) lines.push(`STATUS:${event.status}`);
    if (event.description) lines.push(`DESCRIPTION:${event.description}`);
    if (event.location) lines.push(`LOCATION:${event.location}`);
    if (event.sequence !== undefined) lines.push(`SEQUENCE:${event.sequence}`);
    if (event.transparency) lines.push(`TRANSP:${event.transparency}`);
    if (event.classification) lines.push(`CLASS:${event.classification}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}

/** `count` single events on consecutive days of March 2026, 09:00-10:00 Berlin. */
export function singles(
  count: number,
  prefix = 'single',
  summary = (i: number) => `Meeting ${i}`,
): IcsEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(Date.UTC(2026, 2, 2 + (i % 300)));
    const basic = day.toISOString().slice(0, 10).replaceAll('-', '');
    return {
      uid: `${prefix}-${i}@example.com`,
      summary: summary(i),
      start: `${basic}T090000`,
      end: `${basic}T100000`,
    };
  });
}
