import { describe, expect, it } from 'vitest';
import { FeedError, type FeedErrorReason } from '../../../lambdas/shared/domain/feed-error.ts';
import {
  assertCalendarText,
  calendarTextOf,
  decodeFeedBytes,
} from '../../../lambdas/shared/domain/feed-text.ts';

const calendar =
  'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Café\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function reasonOf(attempt: () => unknown): FeedErrorReason | undefined {
  try {
    attempt();
  } catch (error) {
    if (error instanceof FeedError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('decodeFeedBytes', () => {
  it('reads UTF-8 and strips a UTF-8 BOM', () => {
    expect(decodeFeedBytes(utf8(calendar))).toBe(calendar);
    expect(decodeFeedBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(calendar)]))).toBe(calendar);
  });

  it('reads UTF-16 with either BOM', () => {
    const codes = [...calendar].map((c) => c.charCodeAt(0));
    const little = new Uint8Array([0xff, 0xfe, ...codes.flatMap((c) => [c & 0xff, c >> 8])]);
    const big = new Uint8Array([0xfe, 0xff, ...codes.flatMap((c) => [c >> 8, c & 0xff])]);
    expect(decodeFeedBytes(little)).toBe(calendar);
    expect(decodeFeedBytes(big)).toBe(calendar);
  });

  it('falls back to windows-1252 when the bytes are not UTF-8', () => {
    // "Café – 5 €" in windows-1252: é = E9, en dash = 96, euro = 80.
    const bytes = new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x35, 0x20, 0x80]);
    expect(decodeFeedBytes(bytes)).toBe('Café – 5 €');
  });

  it('honours a charset from the Content-Type', () => {
    const latin1 = new Uint8Array([0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]); // "München"
    expect(decodeFeedBytes(latin1, 'text/calendar; charset=ISO-8859-1')).toBe('München');
    expect(decodeFeedBytes(latin1, 'text/calendar;charset="windows-1252"')).toBe('München');
    const koi8 = new Uint8Array([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]); // "Привет"
    expect(decodeFeedBytes(koi8, 'text/calendar; charset=koi8-r')).toBe('Привет');
  });

  it('ignores an unknown charset label and a UTF-8 label on non-UTF-8 bytes', () => {
    expect(decodeFeedBytes(utf8('Zoë'), 'text/calendar; charset=no-such-charset')).toBe('Zoë');
    expect(decodeFeedBytes(new Uint8Array([0x5a, 0x6f, 0xeb]), 'text/calendar; charset=utf-8')).toBe('Zoë');
  });
});

describe('assertCalendarText', () => {
  it('accepts a calendar with lower-case names, LF endings, surrounding whitespace and a BOM', () => {
    expect(() => assertCalendarText(calendar)).not.toThrow();
    expect(() => assertCalendarText('\n  begin:vcalendar\nversion:2.0\nend:vcalendar\n\n  \t')).not.toThrow();
    expect(() => assertCalendarText('\uFEFFBEGIN:VCALENDAR\nEND:VCALENDAR')).not.toThrow();
  });

  it('accepts several VCALENDARs in one text', () => {
    expect(() => assertCalendarText(`${calendar}${calendar}`)).not.toThrow();
  });

  it.each([
    ['', 'empty'],
    ['  \r\n ', 'empty'],
    ['<!DOCTYPE html><html><body><form action="/login">Sign in</form></body></html>', 'not_a_calendar'],
    ['{"error":"unauthorized"}', 'not_a_calendar'],
    ['Internal Server Error', 'not_a_calendar'],
    ['BEGIN:VCALENDARX\nEND:VCALENDAR', 'not_a_calendar'],
    ['BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:half', 'truncated'],
    ['BEGIN:VCALENDAR\nEND:VCALENDAR\n<!-- served by x -->', 'not_a_calendar'],
  ] as const)('refuses %j as %s', (text, reason) => {
    expect(reasonOf(() => assertCalendarText(text))).toBe(reason);
  });

  it('says in plain words what came instead of a calendar', () => {
    expect(() => assertCalendarText('<html><body>Login</body></html>')).toThrow(/web page/);
    expect(() => assertCalendarText('[1,2]')).toThrow(/JSON/);
  });
});

describe('calendarTextOf', () => {
  it('decodes then checks', () => {
    expect(calendarTextOf(utf8(calendar))).toBe(calendar);
    expect(reasonOf(() => calendarTextOf(new Uint8Array(0)))).toBe('empty');
    expect(reasonOf(() => calendarTextOf(utf8('BEGIN:VCALENDAR\n')))).toBe('truncated');
  });
});
