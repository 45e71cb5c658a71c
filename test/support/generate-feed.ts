/**
 * A deterministic, realistic ICS feed for benchmarks and tests: single and recurring events (the recurring
 * ones with moved and cancelled instances and EXDATEs), all-day events, IANA, Windows and UTC zones,
 * floating times, folded lines and escaped text. The same options always give the same text.
 */

export interface GenerateFeedOptions {
  /** Series and single events (exception components come on top). */
  events: number;
  /** Share of the events that recur, 0..1 (default 0.2). */
  recurringShare?: number;
  seed?: number;
}

/** A `now` under which the default horizon covers most of a generated feed (its events span 2026 and 2027). */
export const GENERATED_FEED_NOW = new Date('2026-03-01T00:00:00Z');

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'W. Europe Standard Time',
  'Pacific Standard Time',
  'Asia/Tokyo',
  'UTC',
  'floating',
] as const;

const VTIMEZONES = `BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Pacific Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0700
TZOFFSETTO:-0800
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0800
TZOFFSETTO:-0700
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE`;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const basicDate = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
const basicTime = (d: Date) => `${basicDate(d)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;

/** Folds a content line at 75 octets (ASCII here), as RFC 5545 3.1 asks. */
function fold(line: string): string {
  if (line.length <= 75) return line;
  const parts = [line.slice(0, 75)];
  for (let i = 75; i < line.length; i += 74) parts.push(` ${line.slice(i, i + 74)}`);
  return parts.join('\r\n');
}

function dateLine(name: string, wall: Date, zone: (typeof ZONES)[number], allDay: boolean): string {
  if (allDay) return `${name};VALUE=DATE:${basicDate(wall)}`;
  if (zone === 'UTC') return `${name}:${basicTime(wall)}Z`;
  if (zone === 'floating') return `${name}:${basicTime(wall)}`;
  return `${name};TZID=${zone}:${basicTime(wall)}`;
}

const WORDS = [
  'planning',
  'review',
  'standup',
  'lunch',
  'training',
  'sync',
  'workshop',
  'demo',
  'retro',
  'call',
];

export function generateFeed(options: GenerateFeedOptions): string {
  const random = prng(options.seed ?? 1);
  const recurringShare = options.recurringShare ?? 0.2;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  // One string per event, not per line: a 10,000-event feed is built without a 300,000-entry array.
  const chunks: string[] = [];
  const header: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//ics-google-sync//generated feed//EN',
    'CALSCALE:GREGORIAN',
    'X-WR-CALNAME:Generated',
    'X-WR-TIMEZONE:Europe/Berlin',
    ...VTIMEZONES.split('\n'),
  ];
  chunks.push(header.join('\r\n'));
  const base = Date.UTC(2026, 0, 1);
  const recurringEvery = recurringShare > 0 ? Math.max(1, Math.round(1 / recurringShare)) : 0;
  for (let i = 0; i < options.events; i++) {
    const lines: string[] = [];
    const recurring = recurringEvery > 0 && i % recurringEvery === 0;
    const allDay = random() < 0.12;
    const zone = pick(ZONES);
    const dayOffset = Math.floor(random() * 540);
    const wall = new Date(base + dayOffset * 86_400_000 + (7 + Math.floor(random() * 11)) * 3_600_000);
    wall.setUTCMinutes(pick([0, 15, 30, 45]));
    const minutes = pick([30, 45, 60, 90, 120]);
    const end = allDay
      ? new Date(wall.getTime() + (1 + Math.floor(random() * 3)) * 86_400_000)
      : new Date(wall.getTime() + minutes * 60_000);
    const uid = `gen-${options.seed ?? 1}-${i}@example.com`;
    const title = `${pick(WORDS)} ${pick(WORDS)} #${i}`;
    const description = `Agenda for ${title}: ${WORDS.join(', ')}; notes\\, links and more.\\nSecond line of the description for event ${i}.`;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20260101T000000Z',
      dateLine('DTSTART', wall, zone, allDay),
      dateLine('DTEND', end, zone, allDay),
      `SUMMARY:${title}`,
      fold(`DESCRIPTION:${description}`),
      `LOCATION:Room ${1 + Math.floor(random() * 40)}\\, Building ${pick(['A', 'B', 'C'])}`,
    );
    if (random() < 0.1) lines.push('TRANSP:TRANSPARENT');
    if (random() < 0.05) lines.push('CLASS:PRIVATE');
    const exceptions: string[] = [];
    if (recurring) {
      const freq = pick(['DAILY;COUNT=30', 'WEEKLY;BYDAY=MO,WE', 'WEEKLY;COUNT=52', 'MONTHLY;BYMONTHDAY=15']);
      lines.push(`RRULE:FREQ=${freq}`);
      const step = freq.startsWith('DAILY') ? 1 : freq.startsWith('WEEKLY;COUNT') ? 7 : 0;
      if (step > 0) {
        const excluded = new Date(wall.getTime() + 3 * step * 86_400_000);
        lines.push(dateLine('EXDATE', excluded, zone, allDay));
        const moved = new Date(wall.getTime() + 2 * step * 86_400_000);
        const movedTo = new Date(moved.getTime() + 2 * 3_600_000);
        exceptions.push(
          'BEGIN:VEVENT',
          `UID:${uid}`,
          'DTSTAMP:20260101T000000Z',
          dateLine('RECURRENCE-ID', moved, zone, allDay),
          dateLine('DTSTART', allDay ? moved : movedTo, zone, allDay),
          dateLine(
            'DTEND',
            allDay ? new Date(moved.getTime() + 86_400_000) : new Date(movedTo.getTime() + minutes * 60_000),
            zone,
            allDay,
          ),
          `SUMMARY:${title} (moved)`,
          'SEQUENCE:1',
          'END:VEVENT',
        );
        const cancelled = new Date(wall.getTime() + 4 * step * 86_400_000);
        exceptions.push(
          'BEGIN:VEVENT',
          `UID:${uid}`,
          'DTSTAMP:20260101T000000Z',
          dateLine('RECURRENCE-ID', cancelled, zone, allDay),
          dateLine('DTSTART', cancelled, zone, allDay),
          dateLine(
            'DTEND',
            allDay
              ? new Date(cancelled.getTime() + 86_400_000)
              : new Date(cancelled.getTime() + minutes * 60_000),
            zone,
            allDay,
          ),
          `SUMMARY:${title}`,
          'STATUS:CANCELLED',
          'SEQUENCE:1',
          'END:VEVENT',
        );
      }
    }
    lines.push('END:VEVENT', ...exceptions);
    chunks.push(lines.join('\r\n'));
  }
  chunks.push('END:VCALENDAR');
  return `${chunks.join('\r\n')}\r\n`;
}
