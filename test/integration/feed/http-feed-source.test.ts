import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFeedSource } from '../../../lambdas/shared/adapters/feed/http-feed-source.ts';
import { FeedError, type FeedErrorReason } from '../../../lambdas/shared/domain/feed-error.ts';
import type { FeedValidators } from '../../../lambdas/shared/ports/feed-source.ts';
import {
  CALENDAR,
  ETAG,
  type FeedServer,
  LAST_MODIFIED,
  startFeedServer,
  TOKEN,
} from '../../support/feed-server.ts';

let server: FeedServer;
const source = new HttpFeedSource({ timeoutMs: 200, maxBytes: 4_000 });

beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
});

/** The FeedError a fetch fails with; also checks that its message never gives the secret away. */
async function refusal(route: string, reader = source, validators?: FeedValidators): Promise<FeedError> {
  const error = await reader.fetch(server.behaviourUrl(route), validators).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FeedError);
  const feedError = error as FeedError;
  expect(feedError.message).not.toContain(TOKEN);
  expect(feedError.message).not.toContain('127.0.0.1');
  expect(String(feedError.stack)).not.toContain(TOKEN);
  return feedError;
}

describe('HttpFeedSource', () => {
  it('reads a feed, returns its validators, then answers not_modified to a conditional GET (ETag)', async () => {
    const first = await source.fetch(server.behaviourUrl('etag'));
    expect(first).toEqual({
      kind: 'fetched',
      text: CALENDAR,
      etag: ETAG,
      bytes: Buffer.byteLength(CALENDAR),
    });
    const second = await source.fetch(server.behaviourUrl('etag'), { etag: ETAG });
    expect(second).toEqual({ kind: 'not_modified' });
    expect(server.received.at(-1)?.headers['if-none-match']).toBe(ETAG);
  });

  it('uses Last-Modified as a validator (If-Modified-Since)', async () => {
    const first = await source.fetch(server.behaviourUrl('last-modified'));
    expect(first.kind === 'fetched' && first.lastModified).toBe(LAST_MODIFIED);
    expect(await source.fetch(server.behaviourUrl('last-modified'), { lastModified: LAST_MODIFIED })).toEqual(
      {
        kind: 'not_modified',
      },
    );
  });

  it('asks for a calendar and names itself', async () => {
    await source.fetch(server.behaviourUrl('user-agent'));
    const headers = server.received.at(-1)?.headers;
    expect(headers?.accept).toBe('text/calendar, */*;q=0.5');
    expect(headers?.['user-agent']).toMatch(/ics-google-sync/);
  });

  it('follows relative and absolute redirects', async () => {
    const result = await source.fetch(server.behaviourUrl('redirect-relative'));
    expect(result.kind === 'fetched' && result.text).toBe(CALENDAR);
    expect(server.received.slice(-3).map((r) => r.path.split('/').at(-1)?.split('?')[0])).toEqual([
      'redirect-relative.ics',
      'redirect-absolute.ics',
      'etag.ics',
    ]);
  });

  it('gives up after too many redirects', async () => {
    const error = await refusal('loop');
    expect(error.reason).toBe('too_many_redirects');
    const strict = new HttpFeedSource({ maxRedirects: 1 });
    expect((await refusal('redirect-relative', strict)).reason).toBe('too_many_redirects');
  });

  it('refuses a redirect to anything but http(s)', async () => {
    expect((await refusal('redirect-ftp')).reason).toBe('bad_location');
  });

  it("follows redirects only on the template's own origin, even when that origin is loopback", async () => {
    const before = server.requests;
    const elsewhere = await refusal('redirect-other-origin');
    expect(elsewhere.reason).toBe('bad_location');
    expect(elsewhere.message).toMatch(/another site/);
    expect((await refusal('redirect-metadata')).reason).toBe('bad_location');
    // Only the two redirecting requests arrived: the other origin was never asked.
    expect(server.requests - before).toBe(2);
  });

  it('refuses a redirect whose public host name has come to resolve to a loopback address', async () => {
    const local = new URL(server.url);
    const named = `http://localhost:${local.port}/${TOKEN}/redirect-relative.ics`;
    // The feed host is a public name, as in production; then, between hops, it starts to point inwards.
    const answers = [['203.0.113.10'], ['203.0.113.10']];
    const rebinding = new HttpFeedSource({ resolveHost: async () => answers.shift() ?? ['127.0.0.1'] });
    const error = await rebinding.fetch(named).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedError);
    expect((error as FeedError).reason).toBe('bad_location');
    expect((error as FeedError).message).toMatch(/private or loopback/);
    // A name that stays public is followed over the same two hops.
    const steady = new HttpFeedSource({ resolveHost: async () => ['203.0.113.10'] });
    expect((await steady.fetch(named)).kind).toBe('fetched');
  });

  it.each([
    ['not-found', 404],
    ['server-error', 500],
  ])('refuses HTTP errors (%s)', async (route, status) => {
    const error = await refusal(route);
    expect(error.reason).toBe('http_status');
    expect(error.httpStatus).toBe(status);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it('refuses partial content (206)', async () => {
    const error = await refusal('partial');
    expect(error.reason).toBe('partial_content');
    expect(error.httpStatus).toBe(206);
  });

  it.each([
    ['login-page', 'not_a_calendar', /web page/],
    ['json', 'not_a_calendar', /JSON/],
    ['truncated', 'truncated', /END:VCALENDAR/],
    ['empty', 'empty', /empty/],
  ] as const)('refuses a body that is not a whole calendar (%s)', async (route, reason, message) => {
    const error = await refusal(route);
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(message);
  });

  it('refuses a body over the size cap, declared or streamed', async () => {
    expect((await refusal('large-declared')).reason).toBe('too_large');
    expect((await refusal('large-streamed')).reason).toBe('too_large');
  });

  it('times out when the server does not answer, or stops sending the body', async () => {
    expect((await refusal('slow-headers')).reason).toBe('timeout');
    expect((await refusal('slow-body')).reason).toBe('timeout');
  });

  it('strips a BOM and decodes windows-1252 bodies and declared charsets', async () => {
    for (const route of ['bom', 'windows-1252', 'declared-charset']) {
      const result = await source.fetch(server.behaviourUrl(route));
      expect(result.kind === 'fetched' && result.text).toBe(CALENDAR);
    }
  });

  it('reads compressed bodies and applies the cap to the decompressed size', async () => {
    const result = await source.fetch(server.behaviourUrl('gzip'));
    expect(result.kind === 'fetched' && result.text).toBe(CALENDAR);
    expect((await refusal('gzip-bomb')).reason).toBe('too_large');
  });

  it('refuses a 304 that answers no conditional request', async () => {
    const error = await refusal('always-304');
    expect(error.reason).toBe('http_status');
    expect(error.httpStatus).toBe(304);
  });

  it('refuses locations that are not http(s) URLs', async () => {
    for (const location of ['not a url', `ftp://127.0.0.1/${TOKEN}.ics`, `file:///feeds/${TOKEN}.ics`]) {
      const error = await source.fetch(location).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FeedError);
      expect((error as FeedError).reason satisfies FeedErrorReason).toBe('bad_location');
      expect((error as FeedError).message).not.toContain(TOKEN);
    }
  });

  it('reports an unreachable server as a network error without the URL', async () => {
    const closed = await startFeedServer();
    const location = closed.behaviourUrl('etag');
    await closed.close();
    const error = await source.fetch(location).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedError);
    expect((error as FeedError).reason).toBe('network');
    expect((error as FeedError).message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    expect((error as FeedError).message).not.toContain(TOKEN);
  });
});
