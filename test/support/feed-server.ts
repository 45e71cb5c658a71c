import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/**
 * The one ICS service of the tests. Two kinds of path:
 * - `/ics/<token>.ics`: the subscriber feeds, one text per token (404 for a token it does not know), with
 *   per-token misbehaviour (`faults`), the whole service down (`down`) and, when asked, ETag validators;
 * - `/<token>/<behaviour>.ics`: one named server behaviour each (validators, redirects, status codes, bodies
 *   cut short, slow answers, encodings), for the feed reader's own tests.
 */

export const CALENDAR =
  'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Café\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
export const ETAG = '"v1"';
export const LAST_MODIFIED = 'Wed, 25 Nov 2026 10:00:00 GMT';
/** Stands for the subscriber's secret in every behaviour URL. */
export const TOKEN = 'tok3n-s3cret-4bc9f1';

/** How a token's feed misbehaves: 503, connection dropped, body cut off, 206, an HTML login page. */
export type FeedFault = 'down' | 'refused' | 'truncated' | 'partial' | 'html';

const LOGIN_PAGE =
  '<!DOCTYPE html><html><body><form action="/login"><input name="password"></form></body></html>';
const calendarHeaders = { 'content-type': 'text/calendar; charset=utf-8' };

export class FeedServer {
  /** The feed text served for each token. */
  readonly feeds = new Map<string, string>();
  /** Tokens whose feed misbehaves, and how. */
  readonly faults = new Map<string, FeedFault>();
  /** Every token's feed answers 503 (the ICS service is down). */
  down = false;
  /** Every request received (any path), in order. */
  readonly received: { path: string; headers: IncomingHttpHeaders }[] = [];
  /** Feed answers by kind, when validators are on. */
  readonly answered = { full: 0, notModified: 0 };
  /** Where this process reaches it (`http://127.0.0.1:<port>`, whatever address it listens on). */
  url = '';
  port = 0;
  private server: Server | undefined;

  /** `etags`: each feed text carries an ETag of its content, and a matching If-None-Match gets a 304. */
  constructor(private readonly options: { etags?: boolean } = {}) {}

  /** Requests received so far (any path, whatever the answer). */
  get requests(): number {
    return this.received.length;
  }

  /** The URL template the service reads feeds from. */
  get urlTemplate(): string {
    return `${this.url}/ics/{token}.ics`;
  }

  /** The URL of a named behaviour, with the secret token in its path and query. */
  behaviourUrl(behaviour: string): string {
    return `${this.url}/${TOKEN}/${behaviour}.ics?token=${TOKEN}`;
  }

  /**
   * Listens on 127.0.0.1 by default; `host: '0.0.0.0'` lets containers reach it too (the LocalStack suite's
   * Lambda functions read feeds through the Docker host).
   */
  async start(options: { host?: string } = {}): Promise<this> {
    const server = createServer((request, response) => this.answer(request, response));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve(); // never started (a setup that failed early)
    // Slow behaviours hold connections open: close them rather than wait.
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '/';
    this.received.push({ path, headers: request.headers });
    const token = /^\/ics\/([^/]+)\.ics$/.exec(path)?.[1];
    if (token !== undefined) return void this.answerFeed(decodeURIComponent(token), request, response);
    const name = /^\/[^/]+\/([a-z0-9-]+)\.ics(\?.*)?$/.exec(path)?.[1];
    const behaviour = name === undefined ? undefined : BEHAVIOURS[name];
    if (!behaviour) return void response.writeHead(404).end();
    behaviour(response, request.headers);
  }

  private answerFeed(token: string, request: IncomingMessage, response: ServerResponse): void {
    const text = this.feeds.get(token);
    if (this.down) return void response.writeHead(503, { 'retry-after': '120' }).end('Service Unavailable');
    if (text === undefined)
      return void response.writeHead(404, { 'content-type': 'text/html' }).end('<html>not found</html>');
    switch (this.faults.get(token)) {
      case 'down':
        return void response.writeHead(503, { 'retry-after': '120' }).end('Service Unavailable');
      case 'refused':
        return void request.socket.destroy();
      case 'truncated':
        // Cut off after the first half of its events: a valid start, no END:VCALENDAR.
        return void response
          .writeHead(200, calendarHeaders)
          .end(text.slice(0, text.lastIndexOf('END:VEVENT', text.length / 2) + 12));
      case 'partial':
        return void response
          .writeHead(206, { ...calendarHeaders, 'content-range': `bytes 0-99/${text.length}` })
          .end(text.slice(0, 100));
      case 'html':
        return void response.writeHead(200, { 'content-type': 'text/html' }).end(LOGIN_PAGE);
      case undefined:
        break;
    }
    if (!this.options.etags) return void response.writeHead(200, calendarHeaders).end(text);
    const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"`;
    if (request.headers['if-none-match'] === etag) {
      this.answered.notModified++;
      return void response.writeHead(304, { etag }).end();
    }
    this.answered.full++;
    response.writeHead(200, { ...calendarHeaders, etag }).end(text);
  }
}

/** Starts a feed server on 127.0.0.1. */
export function startFeedServer(options: { etags?: boolean } = {}): Promise<FeedServer> {
  return new FeedServer(options).start();
}

type Behaviour = (response: ServerResponse, headers: IncomingHttpHeaders) => void;

const big = (bytes: number): string =>
  `BEGIN:VCALENDAR\r\n${'X-PAD:'
    .padEnd(70, 'x')
    .concat('\r\n')
    .repeat(Math.ceil(bytes / 72))}END:VCALENDAR\r\n`;

/** Each path plays one server behaviour; the token is part of every path, as in real feed URLs. */
const BEHAVIOURS: Record<string, Behaviour> = {
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
  'login-page': (res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(LOGIN_PAGE),
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
