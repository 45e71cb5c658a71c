/**
 * The calendar's display name (X-WR-CALNAME of the VCALENDAR), as text to show a person: unfolded (RFC 5545
 * 3.1), TEXT escapes undone (3.3.11), then made displayable (displayText: no format characters, control
 * characters and runs of spaces reduced to one space, at most `maxLength` characters). Undefined when the feed has none. Only properties before the first component count
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
  return displayText(
    raw.replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? ' ' : char)),
    maxLength,
  );
}

/**
 * Text someone else chose, made safe to show a person: format characters (Unicode Cf: the bidirectional
 * overrides and isolates such as U+202E, zero-width spaces and joiners, the byte-order mark) removed, so a name
 * cannot read backwards or hide what it says; control characters and runs of white space made one space; at
 * most `maxLength` characters. Undefined when nothing is left. (Emoji sequences joined by U+200D fall apart into
 * their parts: a price worth paying.) Plain text still: whoever shows it escapes it.
 */
export function displayText(raw: string, maxLength = 200): string | undefined {
  const text = raw
    .replace(/\p{Cf}+/gu, '')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
  if (!text) return undefined;
  const characters = [...text];
  return characters.length > maxLength ? `${characters.slice(0, maxLength - 1).join('')}…` : text;
}
