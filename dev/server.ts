import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { describeError } from '../lambdas/shared/errors.ts';
import { functionServing } from '../lambdas/shared/routes.ts';
import type { DemoHost } from './demo-host/routes.ts';
import { BodyTooLargeError, invokeProxy, type ProxyHandler } from './lambda-runtime/http-adapter.ts';

/** What serves the requests once everything is built. */
export interface DevApp {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  oauth: ProxyHandler;
  notify: ProxyHandler;
  demoHost: DemoHost;
  logger: Logger;
}

/**
 * The local run's one HTTP listener: the service's API routes go to their Lambda handlers through API Gateway
 * events (`/api/google-sync/notify` to the notify function, the other `/api/google-oauth/...` and
 * `/api/google-sync` routes to the OAuth function), everything else to the demo host. Requests are accepted
 * for `127.0.0.1:PORT` only (a page on another site cannot reach the local run through a DNS name pointed at
 * 127.0.0.1); `localhost` is sent to 127.0.0.1, where the cookies and allowed origins are.
 */
export function devRequestListener(app: () => DevApp | undefined) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const current = app();
    if (!current) {
      response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' });
      response.end('Starting: try again in a second.');
      return;
    }
    serve(current, request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        if (!response.headersSent) response.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end('Request body too large.');
        return;
      }
      // Never the URL: it may hold a feed token.
      current.logger.error('request failed', { method: request.method, ...describeError(error) });
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Internal error (see the terminal).');
    });
  };
}

async function serve(app: DevApp, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const expectedHost = new URL(app.baseUrl).host;
  const host = request.headers.host ?? '';
  if (host !== expectedHost) {
    const port = expectedHost.split(':')[1];
    if (host === `localhost:${port}` && (request.method === 'GET' || request.method === 'HEAD')) {
      response.writeHead(307, { Location: `${app.baseUrl}${request.url ?? '/'}` });
      response.end();
    } else {
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`Use ${app.baseUrl}/`);
    }
    return;
  }
  const url = new URL(request.url ?? '/', app.baseUrl);
  const path = url.pathname;
  // The stack's routes (shared/routes.ts), each to its function; any other API path as API Gateway answers it.
  const routeFunction = functionServing(path);
  if (routeFunction === 'notify') return invokeProxy(app.notify, 'ics-google-sync-notify', request, response);
  if (routeFunction === 'oauth') return invokeProxy(app.oauth, 'ics-google-sync-oauth', request, response);
  if (path.startsWith('/api/')) {
    // What API Gateway answers for a route it does not have.
    response.writeHead(403, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ message: 'Missing Authentication Token' }));
    return;
  }
  if (await app.demoHost.handle(request, response, url)) return;
  response.writeHead(path === '/favicon.ico' ? 204 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(path === '/favicon.ico' ? undefined : 'Not found. The subscription page is at /.');
}
