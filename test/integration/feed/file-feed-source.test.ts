import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileFeedSource } from '../../../lambdas/shared/adapters/feed/file-feed-source.ts';
import { HttpOrFileFeedSource } from '../../../lambdas/shared/adapters/feed/http-or-file-feed-source.ts';
import { FeedError } from '../../../lambdas/shared/domain/feed-error.ts';
import { corpusNote, corpusRoot, skipWithoutCorpus } from '../../support/corpus-location.ts';
import { CALENDAR, type FeedServer, startFeedServer } from '../../support/feed-server.ts';

let dir: string;
let server: FeedServer;
const source = new FileFeedSource({ maxBytes: 4_000 });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'feed-'));
  await writeFile(path.join(dir, 'ok.ics'), CALENDAR);
  await writeFile(path.join(dir, 'cp1252.ics'), Buffer.from(CALENDAR, 'latin1'));
  await writeFile(path.join(dir, 'truncated.ics'), CALENDAR.slice(0, 50));
  await writeFile(path.join(dir, 'large.ics'), `BEGIN:VCALENDAR\n${'X:y\n'.repeat(2_000)}END:VCALENDAR\n`);
  server = await startFeedServer();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await server.close();
});

const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof FeedError ? error.reason : error),
  );

describe('FileFeedSource', () => {
  it('reads a path or a file: URL, decoding as over HTTP', async () => {
    const byPath = await source.fetch(path.join(dir, 'ok.ics'));
    expect(byPath.kind === 'fetched' && byPath.text).toBe(CALENDAR);
    const byUrl = await source.fetch(pathToFileURL(path.join(dir, 'cp1252.ics')).href);
    expect(byUrl.kind === 'fetched' && byUrl.text).toBe(CALENDAR);
  });

  it('uses the modification time as Last-Modified', async () => {
    const first = await source.fetch(path.join(dir, 'ok.ics'));
    const lastModified = first.kind === 'fetched' ? first.lastModified : undefined;
    expect(lastModified).toMatch(/GMT$/);
    expect(await source.fetch(path.join(dir, 'ok.ics'), { lastModified: String(lastModified) })).toEqual({
      kind: 'not_modified',
    });
  });

  it('refuses missing files, directories, truncated and oversized feeds with a reason', async () => {
    expect(await reasonOf(source.fetch(path.join(dir, 'missing.ics')))).toBe('unreadable_file');
    expect(await reasonOf(source.fetch(dir))).toBe('unreadable_file');
    expect(await reasonOf(source.fetch(path.join(dir, 'truncated.ics')))).toBe('truncated');
    expect(await reasonOf(source.fetch(path.join(dir, 'large.ics')))).toBe('too_large');
  });

  it('never names the path in its messages', async () => {
    const error = await source.fetch(path.join(dir, 'missing.ics')).catch((caught: unknown) => caught);
    expect((error as FeedError).message).toBe('The feed file does not exist.');
  });

  it.skipIf(skipWithoutCorpus)(
    `reads every corpus file or refuses it with a FeedError, never anything else${corpusNote}`,
    async () => {
      const reader = new FileFeedSource();
      const files: string[] = [];
      for (const project of await readdir(corpusRoot, { withFileTypes: true })) {
        if (!project.isDirectory()) continue;
        for (const name of await readdir(path.join(corpusRoot, project.name))) {
          if (name.endsWith('.ics')) files.push(path.join(corpusRoot, project.name, name));
        }
      }
      expect(files.length).toBe(118);
      let read = 0;
      for (const file of files) {
        const outcome = await reader.fetch(file).then(
          (result) => result.kind,
          (error: unknown) => error,
        );
        if (outcome === 'fetched') read++;
        else expect(outcome).toBeInstanceOf(FeedError);
      }
      // Nearly all corpus files are whole calendars; the few refused are broken on purpose.
      expect(read).toBeGreaterThan(100);
    },
  );
});

describe('HttpOrFileFeedSource', () => {
  it('sends URLs over HTTP and everything else to the file system', async () => {
    const source = new HttpOrFileFeedSource({ timeoutMs: 2_000 });
    const overHttp = await source.fetch(server.behaviourUrl('etag'));
    expect(overHttp.kind === 'fetched' && overHttp.etag).toBe('"v1"');
    const fromFile = await source.fetch(path.join(dir, 'ok.ics'));
    expect(fromFile.kind === 'fetched' && fromFile.etag).toBeUndefined();
    expect(await reasonOf(source.fetch('ftp://127.0.0.1/feed.ics'))).toBe('bad_location');
  });
});
