/**
 * The HTTP server: routing, then for Google calls counters, faults, latency, bearer auth, the daily limit, quota
 * and the per-calendar write throttle.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpointsUnder } from '../../lambdas/shared/adapters/google/endpoints.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { controlRequestRefusal, createControl, handleControlRequest } from './control.ts';
import { EmulatorCore } from './core.ts';
import { apiErrors, CalendarApiError, OAuthError } from './errors.ts';
import { faultAnswer } from './faults.ts';
import { BodyTooLargeError, readBody, redirect, sendEmpty, sendHtml, sendJson } from './http.ts';
import { CALENDAR_WRITE_METHODS } from './limits.ts';
import { oauthRoutes } from './oauth/routes.ts';
import { type EmulatorOverrides, resolveOptions } from './options.ts';
import { OVERVIEW_PATH, overviewPage } from './overview-page.ts';
import { type Caller, matchRoute, type Reply, type RequestContext, type Route } from './routing.ts';
import type { EmulatorState, FaultSpec, GoogleEmulator } from './types.ts';

const CONTROL_PREFIX = '/__emulator/';

export async function startGoogleEmulator(overrides: EmulatorOverrides = {}): Promise<GoogleEmulator> {
  const options = resolveOptions(overrides);
  const core = new EmulatorCore(options);
  const control = createControl(core);
  const routes: Route[] = [...calendarRoutes(core), ...oauthRoutes(core)];

  // Requests still being handled, so a test can wait for one whose client gave up to land (see `settled`).
  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const handled = handle(core, control, routes, request, response).catch((error: unknown) => {
      // A bug in the emulator: answer like a Google backend error, keep the details on stderr for the developer.
      process.stderr.write(
        `google emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      if (!response.headersSent)
        sendJson(response, 500, new CalendarApiError(500, 'backendError', 'Backend Error').body());
      else response.destroy();
    });
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${options.host}:${port}/`;
  return {
    baseUrl,
    endpoints: endpointsUnder(baseUrl),
    control,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(
  core: EmulatorCore,
  control: ReturnType<typeof createControl>,
  routes: Route[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  let body: string;
  try {
    body = await readBody(request);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return sendJson(response, 413, apiErrors.badRequest('Request too large').body());
    throw error;
  }
  if (url.pathname === OVERVIEW_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
    return sendOverview(response, control.state(), url.searchParams.get('refresh'));
  }
  if (url.pathname.startsWith(CONTROL_PREFIX)) {
    const refusal = controlRequestRefusal(request, core.options.host);
    if (refusal) return sendJson(response, refusal.status, { error: refusal.error });
    return handleControlRequest(
      control,
      request.method ?? 'GET',
      url.pathname.slice(CONTROL_PREFIX.length),
      body,
      response,
    );
  }
  const matched = matchRoute(routes, request.method ?? 'GET', url.pathname);
  if (!matched || matched === 'method_not_allowed') {
    const status = matched ? 405 : 404;
    return sendJson(response, status, new CalendarApiError(status, 'notFound', 'Not Found').body());
  }
  const { route, params } = matched;
  const context: RequestContext = { params, query: url.searchParams, body, headers: request.headers };
  const caller = route.kind === 'calendar' ? callerOf(core, request) : undefined;
  core.counters.record(route.name, caller?.user.email);
  const fault = core.faults.take(route.name, caller?.user);
  const delayMs = core.latencyMs + (fault?.delayMs ?? 0);
  if (delayMs > 0) await sleep(delayMs);
  const failsFirst = fault?.status !== undefined && !fault.afterEffect;
  if (failsFirst) return sendError(response, faultError(route, fault as FaultSpec));
  let reply: Reply;
  try {
    if (route.kind === 'calendar') {
      if (!caller) throw missingOrInvalidCredentials(request);
      core.dailyLimiter.check(caller.projectId);
      const units = core.rateLimiter.admit(caller.user.id, caller.projectId, route.name);
      core.dailyLimiter.record(caller.projectId);
      core.counters.recordUnits(route.name, caller.user.email, units);
      if (CALENDAR_WRITE_METHODS.has(route.name)) {
        const calendarId = params.calendarId as string;
        core.calendarWriteLimiter.admit(calendarId === 'primary' ? caller.user.email : calendarId);
      }
      context.caller = caller;
    }
    reply = route.handle(context);
  } catch (error) {
    if (error instanceof CalendarApiError || error instanceof OAuthError) return sendError(response, error);
    throw error;
  }
  if (fault?.status !== undefined) return sendError(response, faultError(route, fault));
  sendReply(response, reply);
}

/** The user and client behind a live bearer token, or undefined. */
function callerOf(core: EmulatorCore, request: IncomingMessage): Caller | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) return undefined;
  const token = core.tokens.authenticate(match[1] as string);
  if (!token) return undefined;
  const client = core.accounts.findClient(token.clientId);
  return {
    user: core.accounts.userById(token.userId),
    clientId: token.clientId,
    projectId: client?.projectId ?? token.clientId,
    scopes: token.scopes,
  };
}

const missingOrInvalidCredentials = (request: IncomingMessage): CalendarApiError =>
  request.headers.authorization ? apiErrors.invalidCredentials() : apiErrors.loginRequired();

function faultError(route: Route, fault: FaultSpec): CalendarApiError | OAuthError {
  const status = fault.status ?? 500;
  const { reason, message } = faultAnswer(fault);
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  if (route.kind === 'oauth') return new OAuthError(status, fault.reason ?? 'internal_failure', message);
  const domain = status === 403 || status === 429 ? 'usageLimits' : 'global';
  return new CalendarApiError(status, reason, message, domain, headers);
}

function sendError(response: ServerResponse, error: CalendarApiError | OAuthError): void {
  const headers = error instanceof CalendarApiError ? error.headers : {};
  sendJson(response, error.status, error.body(), headers);
}

function sendReply(response: ServerResponse, reply: Reply): void {
  if (reply.location !== undefined) redirect(response, reply.location);
  else if (reply.html !== undefined) sendHtml(response, reply.status, reply.html);
  else if (reply.json !== undefined) sendJson(response, reply.status, reply.json, reply.headers);
  else sendEmpty(response, reply.status);
}

/** The emulator's own page (not Google's): what it holds, for people watching a local run. */
function sendOverview(response: ServerResponse, state: EmulatorState, refresh: string | null): void {
  const seconds = Number(refresh);
  const html = overviewPage(
    state,
    Number.isInteger(seconds) && seconds >= 1 && seconds <= 60 ? seconds : undefined,
  );
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  response.end(response.req.method === 'HEAD' ? undefined : html);
}
