/**
 * The calendar's display name (X-WR-CALNAME of the VCALENDAR), as text to show a person: unfolded (RFC 5545
 * 3.1), TEXT escapes undone (3.3.11), control characters and runs of spaces reduced to one space, at most
 * `maxLength` characters. Undefined when the feed has none. Only properties before the first component count
 * (an event's own X-WR-CALNAME is not the calendar's). The result is plain text: whoever shows it escapes it.
 */
export function calendarNameOf(feedText: string, maxLength = 200): string | undefined {
  const unfolded = feedText.replace(/\r?\n[ \t]/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    if (/^BEGIN:(?!VCALENDAR\b)/i.test(line)) return undefined;
    const match = /^X-WR-CALNAME(?:;[^:]*)?:(.*)$/i.exec(line);
    if (!match) continue;
    const name = (match[1] as string)
      .replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? ' ' : char))
      .replace(/[\p{Cc}\s]+/gu, ' ')
      .trim();
    if (!name) return undefined;
    return name.length > maxLength ? `${name.slice(0, maxLength - 1)}…` : name;
  }
  return undefined;
}
