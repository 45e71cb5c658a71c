import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPreview } from '../../../tools/preview.ts';
import { corpusFiles, corpusRoot } from '../../conformance/corpus.ts';
import { corpusNote, skipWithoutCorpus } from '../../support/corpus-location.ts';
import { calendar, vevent } from './helpers.ts';

async function preview(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runPreview(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    { now: new Date('2024-01-01T00:00:00Z') },
  );
  return { code, stdout, stderr };
}

describe('preview command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'preview-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the Event resources as one JSON array, warnings on stderr, exit 0', async () => {
    const file = path.join(dir, 'feed.ics');
    writeFileSync(
      file,
      calendar(
        ...vevent('UID:a', 'DTSTART:20240105T100000', 'SUMMARY:Floating'),
        ...vevent('UID:b', 'DTSTART:20240230T100000Z'),
      ),
    );
    const { code, stdout, stderr } = await preview(file, '--tz', 'Europe/Berlin');
    expect(code).toBe(0);
    const events = JSON.parse(stdout) as { summary: string; start: unknown; id: string }[];
    expect(events).toHaveLength(1);
    expect(events[0]?.start).toEqual({ dateTime: '2024-01-05T10:00:00+01:00', timeZone: 'Europe/Berlin' });
    expect(events[0]?.id).toMatch(/^[a-v0-9]{64}$/);
    expect(stderr).toBe('warning: b: event skipped: unreadable DTSTART 20240230T100000Z\n');
  });

  it('applies --from and --to as the horizon', async () => {
    const file = path.join(dir, 'two.ics');
    writeFileSync(
      file,
      calendar(
        ...vevent('UID:a', 'DTSTART:20240105T100000Z'),
        ...vevent('UID:b', 'DTSTART:20250105T100000Z'),
      ),
    );
    const { stdout } = await preview(file, '--from', '2025-01-01', '--to', '2025-02-01');
    expect(
      (JSON.parse(stdout) as { extendedProperties: { private: { icsUid: string } } }[]).map(
        (e) => e.extendedProperties.private.icsUid,
      ),
    ).toEqual(['b']);
  });

  it.each([
    [
      ['/nonexistent/feed.ics'],
      1,
      'preview: the feed could not be read (unreadable_file): The feed file does not exist.\n',
    ],
    [[], 2, 'preview: a file or URL is needed\n'],
    [['x.ics', '--from', '2024-13-01'], 2, 'preview: --from needs a date as YYYY-MM-DD\n'],
    [['x.ics', '--to', '2024-02-30'], 2, 'preview: --to: 2024-02-30 is not a calendar date\n'],
    [
      ['x.ics', '--tz', 'Mars/Base'],
      2,
      'preview: unknown time zone Mars/Base (use an IANA name such as Europe/Berlin)\n',
    ],
    [['x.ics', '--color'], 2, 'preview: unknown option --color\n'],
  ])('refuses %j with exit %i and one reason, no stack trace', async (argv, exitCode, firstLine) => {
    const { code, stdout, stderr } = await preview(...argv);
    expect(code).toBe(exitCode);
    expect(stdout).toBe('');
    expect(stderr.startsWith(firstLine)).toBe(true);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a web page instead of a calendar with a reason', async () => {
    const file = path.join(dir, 'login.ics');
    writeFileSync(file, '<!DOCTYPE html><html><body>Please log in</body></html>');
    const { code, stderr } = await preview(file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^preview: the feed could not be read \(not_a_calendar\): .*web page/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(skipWithoutCorpus)(
    `runs on every corpus file: a JSON array and exit 0, or one line of reason and exit 1${corpusNote}`,
    async () => {
      const outcomes: string[] = [];
      for (const file of corpusFiles()) {
        const { code, stdout, stderr } = await preview(
          path.join(corpusRoot, file),
          '--from',
          '2020-01-01',
          '--to',
          '2031-01-01',
        );
        if (code === 0) {
          expect(Array.isArray(JSON.parse(stdout)), file).toBe(true);
        } else {
          expect(code, file).toBe(1);
          expect(stderr.trim().split('\n'), file).toHaveLength(1);
          expect(stderr, file).toMatch(/^preview: the feed could not be read/);
          outcomes.push(`${file}: ${stderr.trim()}`);
        }
        expect(stderr, file).not.toMatch(/unexpected error|\n\s+at /);
      }
      // The reader refuses only feeds that are not whole calendars.
      for (const line of outcomes) expect(line).toMatch(/\((truncated|not_a_calendar|empty)\)/);
    },
  );
});
