import { FeedError } from './feed-error.ts';

/**
 * Bytes of a feed to text. A BOM decides first (UTF-8, UTF-16LE, UTF-16BE), then a charset from the
 * Content-Type; otherwise UTF-8, and when the bytes are not valid UTF-8, windows-1252 (what old Windows and
 * Outlook exports use, and a superset of Latin-1 that decodes every byte), so no character is lost to U+FFFD.
 */
export function decodeFeedBytes(bytes: Uint8Array, contentType?: string): string {
  const bom = bomEncoding(bytes);
  if (bom) return stripBom(new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length)));
  const declared = charsetOf(contentType);
  if (declared && declared !== 'utf-8') return stripBom(new TextDecoder(declared).decode(bytes));
  try {
    return stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function bomEncoding(bytes: Uint8Array): { encoding: string; length: number } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** The charset of a Content-Type, normalised to the encoding's canonical name; undefined when absent or unknown. */
function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType) : null;
  if (!match) return undefined;
  try {
    return new TextDecoder(match[1]).encoding;
  } catch {
    return undefined; // an unknown label: fall back to sniffing, as browsers do
  }
}

/**
 * Refuses text that is not a whole calendar: empty, not starting with BEGIN:VCALENDAR (an HTML login page,
 * JSON, an error text), or not ending with END:VCALENDAR (a truncated download). Property names may be
 * lower-case; surrounding whitespace and a BOM are tolerated.
 */
export function assertCalendarText(text: string): void {
  const trimmed = stripBom(text).trim();
  if (trimmed === '') throw new FeedError('empty', 'The feed is empty.');
  const firstLine = trimmed.slice(0, trimmed.search(/\r?\n|$/)).trim();
  if (!/^BEGIN:VCALENDAR$/i.test(firstLine)) {
    throw new FeedError('not_a_calendar', `The feed is not a calendar: ${describeNonCalendar(trimmed)}.`);
  }
  const lastBreak = Math.max(trimmed.lastIndexOf('\n'), trimmed.lastIndexOf('\r'));
  const lastLine = trimmed.slice(lastBreak + 1).trim();
  if (!/^END:VCALENDAR$/i.test(lastLine)) {
    if (/^END:VCALENDAR[ \t]*$/im.test(trimmed)) {
      throw new FeedError(
        'not_a_calendar',
        'The feed has something else than a calendar after its END:VCALENDAR.',
      );
    }
    throw new FeedError('truncated', 'The feed is cut off: it does not end with END:VCALENDAR.');
  }
}

/** Decodes and checks in one step: what every feed source does with the bytes it read. */
export function calendarTextOf(bytes: Uint8Array, contentType?: string): string {
  if (bytes.length === 0) throw new FeedError('empty', 'The feed is empty.');
  const text = decodeFeedBytes(bytes, contentType);
  assertCalendarText(text);
  return text;
}

function describeNonCalendar(text: string): string {
  const head = text.slice(0, 512).toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<body')) {
    return 'the server sent a web page (often a login or error page) instead of BEGIN:VCALENDAR';
  }
  if (head.startsWith('<')) return 'the server sent XML or HTML instead of BEGIN:VCALENDAR';
  if (head.startsWith('{') || head.startsWith('[')) return 'the server sent JSON instead of BEGIN:VCALENDAR';
  return 'it does not start with BEGIN:VCALENDAR';
}
