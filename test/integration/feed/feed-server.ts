import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export const CALENDAR =
  'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Café\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
export const ETAG = '"v1"';
export const LAST_MODIFIED = 'Wed, 25 Nov 2026 10:00:00 GMT';
/** Stands for the subscriber's secret in every feed URL of these tests. */
export const TOKEN = 'tok3n-s3cret-4bc9f1';

export interface FeedServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Headers of every request received, in order. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

type Route = (res: ServerResponse, headers: IncomingHttpHeaders, path: string) => void;

const calendarHeaders = { 'content-type': 'text/calendar; charset=utf-8' };
const big = (bytes: number): string =>
  `BEGIN:VCALENDAR\r\n${'X-PAD:'
    .padEnd(70, 'x')
    .concat('\r\n')
    .repeat(Math.ceil(bytes / 72))}END:VCALENDAR\r\n`;

/** Each path plays one server behaviour; the token is part of every path, as in real feed URLs. */
const routes: Record<string, Route> = {
  etag: (res, headers) => {
    if (headers['if-none-match'] === ETAG) return void res.writeHead(304).end();
    res.writeHead(200, { ...calendarHeaders, etag: ETAG }).end(CALENDAR);
  },
  'last-modified': (res, headers) => {
    if (headers['if-modified-since'] === LAST_MODIFIED) return void res.writeHead(304).end();
    res.writeHead(200, { ...calendarHeaders, 'last-modified': LAST_MODIFIED }).end(CALENDAR);
  },
  'redirect-relative': (res) => void res.writeHead(302, { location: `redirect-absolute.ics` }).end(),
  'redirect-absolute': (res, headers) =>
    void res.writeHead(301, { location: `http://${headers.host}/${TOKEN}/etag.ics` }).end('moved'),
  loop: (res) => void res.writeHead(307, { location: 'loop.ics' }).end(),
  // The same server under another name: another origin all the same.
  'redirect-other-origin': (res, headers) =>
    void res
      .writeHead(302, { location: `http://localhost:${headers.host?.split(':')[1]}/${TOKEN}/etag.ics` })
      .end(),
  'redirect-metadata': (res) =>
    void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  'redirect-ftp': (res) => void res.writeHead(302, { location: `ftp://127.0.0.1/${TOKEN}.ics` }).end(),
  'not-found': (res) => void res.writeHead(404, { 'content-type': 'text/plain' }).end('not here'),
  'server-error': (res) => void res.writeHead(500).end(),
  partial: (res) =>
    void res.writeHead(206, { ...calendarHeaders, 'content-range': 'bytes 0-9/100' }).end(CALENDAR),
  'login-page': (res) =>
    void res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!DOCTYPE html><html><body><form action="/login"><input name="password"></form></body></html>'),
  json: (res) =>
    void res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"invalid token"}'),
  truncated: (res) => void res.writeHead(200, calendarHeaders).end(CALENDAR.slice(0, 60)),
  empty: (res) => void res.writeHead(200, calendarHeaders).end(),
  'large-declared': (res) => void res.writeHead(200, calendarHeaders).end(big(5_000)),
  'large-streamed': (res) => {
    // No Content-Length: chunked, so the cap can only be enforced while reading.
    res.writeHead(200, calendarHeaders);
    const chunk = `X-PAD:${'y'.repeat(1000)}\r\n`;
    res.write('BEGIN:VCALENDAR\r\n');
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || sent++ > 200) {
        clearInterval(timer);
        res.end('END:VCALENDAR\r\n');
        return;
      }
      res.write(chunk);
    }, 1);
  },
  'slow-headers': () => {
    // Never answers: only the time-out ends the request.
  },
  'slow-body': (res) => {
    res.writeHead(200, calendarHeaders);
    res.write('BEGIN:VCALENDAR\r\n');
  },
  bom: (res) =>
    void res
      .writeHead(200, calendarHeaders)
      .end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CALENDAR)])),
  'windows-1252': (res) =>
    void res.writeHead(200, { 'content-type': 'text/calendar' }).end(Buffer.from(CALENDAR, 'latin1')),
  'declared-charset': (res) =>
    void res
      .writeHead(200, { 'content-type': 'text/calendar; charset=ISO-8859-1' })
      .end(Buffer.from(CALENDAR, 'latin1')),
  gzip: (res) =>
    void res.writeHead(200, { ...calendarHeaders, 'content-encoding': 'gzip' }).end(gzipSync(CALENDAR)),
  // 40 kB of calendar that compresses to well under the cap: the cap applies to what is decompressed.
  'gzip-bomb': (res) =>
    void res.writeHead(200, { ...calendarHeaders, 'content-encoding': 'gzip' }).end(gzipSync(big(40_000))),
  'always-304': (res) => void res.writeHead(304).end(),
  'user-agent': (res, headers) => {
    // Like some Outlook servers: unknown clients get a 500.
    if (!/compatible/.test(headers['user-agent'] ?? '')) return void res.writeHead(500).end();
    res.writeHead(200, calendarHeaders).end(CALENDAR);
  },
};

export async function startFeedServer(): Promise<FeedServer> {
  const requests: FeedServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const name = /^\/[^/]+\/([a-z0-9-]+)\.ics(\?.*)?$/.exec(path)?.[1];
    const route = name ? routes[name] : undefined;
    if (!route) return void res.writeHead(404).end();
    route(res, req.headers, path);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The feed URL of a route, with the secret token in its path and query. */
export const feedUrl = (server: FeedServer, route: string): string =>
  `${server.base}/${TOKEN}/${route}.ics?token=${TOKEN}`;
