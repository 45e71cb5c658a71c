/**
 * The feed with one more event, tomorrow at noon (UTC), named after the moment of the change: what the
 * subscription page's "Add an event to the feed" does, so a change shows up in Google with a recognisable name.
 */
export function withAddedEvent(feed: string, now: Date): string {
  const end = feed.lastIndexOf('END:VCALENDAR');
  if (end < 0) return feed;
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const day = tomorrow.toISOString().slice(0, 10).replaceAll('-', '');
  const stamp = `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  const event = [
    'BEGIN:VEVENT',
    `UID:added-${now.getTime()}@demo.ics.example`,
    `DTSTAMP:${stamp}`,
    `DTSTART:${day}T120000Z`,
    `DTEND:${day}T130000Z`,
    `SUMMARY:Added at ${now.toISOString().slice(11, 19)} UTC`,
    'END:VEVENT',
    '',
  ].join('\r\n');
  return `${feed.slice(0, end)}${event}${feed.slice(end)}`;
}
