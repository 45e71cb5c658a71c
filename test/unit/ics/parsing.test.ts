import { describe, expect, it } from 'vitest';
import { readComponents } from '../../../lambdas/shared/domain/ics/content-lines.ts';
import { calendar, map, only, vevent } from './helpers.ts';

const simple = vevent('UID:a', 'DTSTART:20240105T100000Z', 'DTEND:20240105T110000Z', 'SUMMARY:Hello');

describe('reading ICS text', () => {
  it('reads CRLF, LF and a leading BOM alike', () => {
    const crlf = calendar(...simple);
    const lf = crlf.replaceAll('\r\n', '\n');
    const bom = `\uFEFF${crlf}`;
    const results = [crlf, lf, bom].map((text) => map(text).events);
    expect(results[0]).toHaveLength(1);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('unfolds folded lines (space or tab continuation)', () => {
    const text = calendar(
      ...vevent(
        'UID:a',
        'DTSTART:20240105T100000Z',
        'SUMMARY:A long',
        '  summary',
        '\tfolded',
        'DESCRIPTION:x',
      ),
    );
    // One leading space or tab is removed, nothing else.
    expect(only(map(text)).summary).toBe('A long summaryfolded');
  });

  it('reads lower-case names and parameters', () => {
    const text = calendar(
      'begin:vevent',
      'uid:a',
      'dtstart;tzid=Europe/Berlin:20240105T100000',
      'summary:lower',
      'end:vevent',
    );
    const event = only(map(text));
    expect(event.summary).toBe('lower');
    expect(event.start).toEqual({ dateTime: '2024-01-05T10:00:00+01:00', timeZone: 'Europe/Berlin' });
  });

  it('reads every VCALENDAR of a file', () => {
    const text =
      calendar(...simple) + calendar(...vevent('UID:b', 'DTSTART:20240106T100000Z', 'SUMMARY:Second'));
    expect(map(text).events.map((e) => e.summary)).toEqual(['Hello', 'Second']);
  });

  it('skips a broken component with a warning and keeps the others', () => {
    const text = calendar(
      ...vevent('UID:broken', 'DTSTART:20240230T100000Z', 'SUMMARY:Bad date'),
      ...vevent('UID:nostart', 'SUMMARY:No start'),
      ...simple,
    );
    const feed = map(text);
    expect(feed.events.map((e) => e.summary)).toEqual(['Hello']);
    expect(feed.warnings).toEqual([
      { uid: 'broken', reason: 'event skipped: unreadable DTSTART 20240230T100000Z' },
      { uid: 'nostart', reason: 'event skipped: no DTSTART' },
    ]);
    // A read failure must not look like a deletion: the skipped UIDs are listed for the sync.
    expect(feed.skippedUids).toEqual(['broken', 'nostart']);
  });

  it('keeps an event whose END:VEVENT is missing (Outlook) and says so', () => {
    const text = calendar(
      'BEGIN:VEVENT',
      'UID:open',
      'DTSTART:20240105T100000Z',
      'SUMMARY:Unclosed',
      ...vevent('UID:next', 'DTSTART:20240106T100000Z', 'SUMMARY:Next'),
    );
    const feed = map(text);
    expect(feed.events.map((e) => e.summary)).toEqual(['Unclosed', 'Next']);
    expect(feed.warnings.map((w) => w.uid)).toEqual(['open']);
  });

  it('counts unreadable lines instead of failing, and never keeps their text', () => {
    const text = calendar('this is not a content line', ...simple);
    const feed = map(text);
    expect(feed.events).toHaveLength(1);
    expect(feed.warnings).toEqual([{ reason: '1 unreadable content line(s) skipped' }]);
  });

  it('reads an indented first line and quoted parameter values with colons', () => {
    const { calendars } = readComponents(
      '   BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID="(UTC+01:00) Amsterdam, Berlin":20240105T100000\nEND:VEVENT\nEND:VCALENDAR\n',
    );
    const property = calendars[0]?.components[0]?.properties[0];
    expect(property).toEqual({
      name: 'DTSTART',
      params: { TZID: '(UTC+01:00) Amsterdam, Berlin' },
      value: '20240105T100000',
    });
  });

  it('maps text without input it cannot read to an empty result, not an error', () => {
    expect(map('')).toEqual({ events: [], warnings: [], skippedUids: [] });
    expect(map('<html><body>login</body></html>').events).toEqual([]);
  });
});
