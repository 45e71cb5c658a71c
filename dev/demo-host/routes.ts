import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { isWellFormedFeedToken } from '../../lambdas/oauth/rules/feed-token.ts';
import type { ConnectionStatusView } from '../../lambdas/oauth/use-cases/connection-status.ts';
import { calendarNameOf } from '../../lambdas/shared/domain/calendar-name.ts';
import { readBody } from '../lambda-runtime/http-adapter.ts';
import { feedEditorPage } from '../pages/feed-editor-page.ts';
import { contentSecurityPolicy } from '../pages/layout.ts';
import { PAGE_SCRIPT } from '../pages/page-script.ts';
import { panelKind, panelVersion, statusPanel } from '../pages/status-panel.ts';
import { STYLESHEET } from '../pages/stylesheet.ts';
import { subscriptionPage } from '../pages/subscription-page.ts';
import { DEMO_CALENDAR_NAME, DEMO_FEED_TOKEN, demoFeed } from './demo-feed.ts';
import { withAddedEvent } from './feed-change.ts';
import type { DemoFeedStore } from './feed-store.ts';
import { flashFrom } from './flash.ts';
import type { HostEventsReceiver } from './host-events-receiver.ts';
import { type HostKey, mintIntent, sha256Hex } from './host-signing.ts';
import { seeOther, send, sendHtml, sendJson } from './respond.ts';
import type { Answer, ServiceClient } from './service-client.ts';

export interface DemoHostOptions {
  /** http://127.0.0.1:PORT: the host's pages and, in the local run, the service's API too. */
  baseUrl: string;
  feeds: DemoFeedStore;
  service: ServiceClient;
  hostKey: HostKey;
  events: HostEventsReceiver;
  /** The dedicated calendar's name in Google (CALENDAR_NAME). */
  googleCalendarName: string;
  /** Where the subscriber looks at their Google calendar. */
  googleLink: { href: string; text: string };
  /** The origin of Google's consent page (the connect form is redirected there). */
  consentOrigin: string;
  logger: Pick<Logger, 'info' | 'warn'>;
}

const FEED_PATH = /^\/demo\/feeds\/([^/]+)\.ics$/;
/** How long the host reuses a status answer (the page polls; several tabs share it). */
const STATUS_CACHE_MS = 2_000;

/**
 * The demo host: the ICS service's side of the local run. It serves the subscriber's page (signed in as the demo
 * subscriber), the demo feeds (and lets them be replaced: local run only), mints connect intents, talks to the
 * service's API from its server (status, "sync now", disconnect) and sends signed change notifications.
 */
export class DemoHost {
  private cachedStatus: { at: number; answer: Answer<ConnectionStatusView> } | undefined;
  private readonly csp: string;

  constructor(private readonly options: DemoHostOptions) {
    this.csp = contentSecurityPolicy([options.consentOrigin]);
  }

  /** Serves the request if it is one of the host's; answers false otherwise. */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const method = request.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    const path = url.pathname;
    const feed = FEED_PATH.exec(path);
    if (feed) {
      await this.feedRoute(request, response, method, decodeURIComponent(feed[1] as string));
      return true;
    }
    if (read && path === '/') await this.subscriptionPage(response, url);
    else if (read && path === '/demo/status') await this.statusJson(response);
    else if (read && path === '/demo/page.css') send(response, 200, STYLESHEET, asset('text/css'));
    else if (read && path === '/demo/page.js') send(response, 200, PAGE_SCRIPT, asset('text/javascript'));
    else if (read && path === '/demo/edit') this.editorPage(response);
    else if (method === 'POST' && path === '/demo/host-events') await this.hostEvent(request, response);
    else if (method === 'POST' && FORMS.has(path)) await this.form(request, response, path);
    else return false;
    return true;
  }

  private get token(): string {
    return DEMO_FEED_TOKEN;
  }

  private get returnTo(): string {
    return `${this.options.baseUrl}/`;
  }

  private feedUrl(token: string): string {
    return `${this.options.baseUrl}/demo/feeds/${encodeURIComponent(token)}.ics`;
  }

  private async status(): Promise<Answer<ConnectionStatusView>> {
    const now = Date.now();
    if (this.cachedStatus && now - this.cachedStatus.at < STATUS_CACHE_MS) return this.cachedStatus.answer;
    const answer = await this.options.service.status(this.token);
    this.cachedStatus = { at: now, answer };
    return answer;
  }

  private async subscriptionPage(response: ServerResponse, url: URL): Promise<void> {
    const status = await this.status();
    const hostEvent = this.options.events.latestFor(sha256Hex(this.token));
    const flash = flashFrom(url.searchParams);
    const html = subscriptionPage({
      apiBaseUrl: this.options.baseUrl,
      feedToken: this.token,
      feedUrl: this.feedUrl(this.token),
      calendarName: this.calendarName(),
      googleCalendarName: this.options.googleCalendarName,
      connectIntent: mintIntent(this.options.hostKey, 'connect', this.token, this.returnTo),
      returnTo: this.returnTo,
      status,
      ...(hostEvent ? { hostEvent } : {}),
      ...(flash ? { flash } : {}),
      googleLink: this.options.googleLink,
    });
    sendHtml(response, 200, html, this.csp);
  }

  private async statusJson(response: ServerResponse): Promise<void> {
    const status = await this.status();
    const html = statusPanel(status, this.options.events.latestFor(sha256Hex(this.token)));
    sendJson(response, 200, {
      status: panelKind(status),
      version: panelVersion(html),
      html,
      connectIntent: mintIntent(this.options.hostKey, 'connect', this.token, this.returnTo),
    });
  }

  private editorPage(response: ServerResponse, flash?: { kind: 'error'; text: string }): void {
    const html = feedEditorPage({
      feedText: this.options.feeds.get(this.token)?.text ?? '',
      feedUrl: this.feedUrl(this.token),
      ...(flash ? { flash } : {}),
    });
    sendHtml(response, flash ? 400 : 200, html, this.csp);
  }

  private calendarName(): string {
    const text = this.options.feeds.get(this.token)?.text;
    return (text && calendarNameOf(text)) || DEMO_CALENDAR_NAME;
  }

  /** The host's forms: only from its own pages (browsers send Origin with every form post). */
  private async form(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (request.headers.origin !== this.options.baseUrl) {
      send(response, 403, 'Forms of this site may only be sent from its own pages.', {
        'Content-Type': 'text/plain; charset=utf-8',
      });
      return;
    }
    const fields = new URLSearchParams((await readBody(request)).toString('utf8'));
    this.cachedStatus = undefined;
    if (path === '/demo/sync') {
      const answer = await this.options.service.syncNow(this.token);
      seeOther(response, answer.ok ? '/?sync=queued' : `/?sync=${answer.error}`);
    } else if (path === '/demo/disconnect') {
      const answer = await this.options.service.disconnect(
        this.token,
        fields.get('deleteCalendar') === 'true',
      );
      this.cachedStatus = undefined;
      seeOther(response, answer.ok ? `/?disconnected=${answer.body.calendar}` : `/?failed=${answer.error}`);
    } else if (path === '/demo/feed-change') {
      const current = this.options.feeds.get(this.token)?.text ?? demoFeed(new Date());
      await this.replaceFeed(this.token, withAddedEvent(current, new Date()));
      seeOther(response, '/?feed=changed');
    } else if (fields.get('reset') === 'true') {
      await this.replaceFeed(this.token, demoFeed(new Date()));
      seeOther(response, '/?feed=changed');
    } else {
      const text = fields.get('ics') ?? '';
      if (!text.trim())
        return this.editorPage(response, { kind: 'error', text: 'The feed cannot be empty.' });
      await this.replaceFeed(this.token, text.replace(/\r?\n/g, '\r\n'));
      seeOther(response, '/?feed=changed');
    }
  }

  /** `/demo/feeds/{token}.ics`: GET serves the feed (conditional GET included); PUT replaces it; DELETE removes it. */
  private async feedRoute(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    token: string,
  ): Promise<void> {
    if (!isWellFormedFeedToken(token)) return sendJson(response, 404, { error: 'not_found' });
    if (method === 'GET' || method === 'HEAD') {
      const feed = this.options.feeds.get(token);
      if (!feed) return send(response, 404, 'Not found', { 'Content-Type': 'text/plain; charset=utf-8' });
      const validators = { ETag: feed.etag, 'Last-Modified': feed.lastModified.toUTCString() };
      if (request.headers['if-none-match'] === feed.etag) return send(response, 304, '', validators);
      return send(response, 200, feed.text, {
        'Content-Type': 'text/calendar; charset=utf-8',
        'Cache-Control': 'no-cache',
        ...validators,
      });
    }
    if (method === 'PUT') {
      const text = (await readBody(request)).toString('utf8');
      if (!text.trim())
        return sendJson(response, 400, { error: 'empty', message: 'Send the feed as the body.' });
      const { created, notified } = await this.replaceFeed(token, text);
      return sendJson(response, created ? 201 : 200, { replaced: !created, created, notified });
    }
    if (method === 'DELETE') {
      const removed = this.options.feeds.delete(token);
      return sendJson(response, removed ? 200 : 404, { removed });
    }
    send(response, 405, '', { Allow: 'GET, HEAD, PUT, DELETE' });
  }

  /** Stores the new feed and tells the service, as the ICS service does after every change. */
  private async replaceFeed(token: string, text: string) {
    const { created } = this.options.feeds.put(token, text);
    const answer = await this.options.service.notifyChanged([token]);
    this.cachedStatus = undefined;
    const notified = answer.ok ? { status: answer.status } : { status: answer.status, error: answer.error };
    if (answer.ok) this.options.logger.info('demo feed changed: change notification sent', { created });
    else this.options.logger.warn('demo feed changed: change notification refused', { created, ...notified });
    return { created, notified };
  }

  private async hostEvent(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, 64 * 1024);
    const header = (name: string) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    const status = await this.options.events.receive(header, body);
    this.cachedStatus = undefined;
    send(response, status, '', {});
  }
}

const FORMS = new Set(['/demo/sync', '/demo/disconnect', '/demo/feed-change', '/demo/edit']);

const asset = (type: string) => ({ 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-cache' });
