/**
 * The calendar's display name (X-WR-CALNAME of the VCALENDAR), as text to show a person: unfolded (RFC 5545
 * 3.1), TEXT escapes undone (3.3.11), control characters and runs of spaces reduced to one space, at most
 * `maxLength` characters. Undefined when the feed has none. Only properties before the first component count
 * (an event's own X-WR-CALNAME is not the calendar's). The result is plain text: whoever shows it escapes it.
 * Lines are unfolded by the feed reader's content-line walk, which stops at the name.
 */
import { forEachContentLine } from './ics/content-lines.ts';

export function calendarNameOf(feedText: string, maxLength = 200): string | undefined {
  let raw: string | undefined;
  forEachContentLine(feedText, (line) => {
    if (/^BEGIN:(?!VCALENDAR\b)/i.test(line)) return false;
    const match = /^X-WR-CALNAME(?:;[^:]*)?:(.*)$/i.exec(line);
    if (match) raw = match[1] as string;
    return match === null;
  });
  if (raw === undefined) return undefined;
  const name = raw
    .replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? ' ' : char))
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
  if (!name) return undefined;
  return name.length > maxLength ? `${name.slice(0, maxLength - 1)}…` : name;
}
