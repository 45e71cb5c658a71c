/** The control surface tests drive the emulator with, and its HTTP mirror under `/__emulator/`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnknownUserError } from './accounts.ts';
import { deleteEvent, insertEvent, renderEvent, writeEvent } from './calendar/events.ts';
import type { StoredCalendar } from './calendar/store.ts';
import { purgeAllTombstones, purgeDueTombstones } from './calendar/tombstones.ts';
import type { EmulatorCore } from './core.ts';
import { CalendarApiError } from './errors.ts';
import { sendJson } from './http.ts';
import { parseScopes } from './oauth/scopes.ts';
import type { CalendarState, EmulatorControl, EventResource } from './types.ts';

export function createControl(core: EmulatorCore): EmulatorControl {
  const { accounts, tokens, calendars } = core;

  const purgeAfterMs = core.options.tombstones.purgeAfterMs;

  const requireCalendar = (calendarId: string): StoredCalendar => {
    const calendar = calendars.get(calendarId);
    if (!calendar) throw new Error(`unknown calendar ${calendarId}`);
    purgeDueTombstones(calendar, core.now(), purgeAfterMs);
    return calendar;
  };

  // The user in Google's UI: not refused where the API would be, and any zone the UI offers.
  const userContext = (calendar: StoredCalendar) => ({
    store: calendars,
    calendar,
    user: accounts.userById(calendar.ownerId),
    nowMs: core.now(),
    acceptRecentZoneNames: core.options.timeZones.acceptRecentNames,
  });

  const calendarState = (calendar: StoredCalendar): CalendarState => ({
    id: calendar.id,
    summary: calendar.resource.summary,
    ...(calendar.resource.description === undefined
      ? {}
      : { description: String(calendar.resource.description) }),
    timeZone: calendar.resource.timeZone,
    owner: accounts.userById(calendar.ownerId).email,
    primary: calendar.primary,
    ...(calendar.createdByClientId ? { createdByClientId: calendar.createdByClientId } : {}),
    events: [...calendar.events.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((event) => renderEvent(event.resource, calendar.resource.timeZone) as EventResource),
  });

  return {
    createUser: (input = {}) => core.createUser(input),
    registerClient: (input = {}) => accounts.registerClient(input),
    mintTokens({ user, clientId, scopes, offline }) {
      const account = accounts.requireUser(user);
      if (!accounts.findClient(clientId)) throw new Error(`unknown client ${clientId}`);
      const granted = tokens.consent({
        userId: account.id,
        clientId,
        requested: scopes.flatMap((scope) => parseScopes(scope)),
        limit: accounts.takeNextGrant(account.id),
        includeGrantedScopes: false,
      });
      return tokens.issue(account.id, clientId, granted, offline ?? false);
    },
    grantNextScopes({ user, scopes }) {
      accounts.setNextGrant(accounts.requireUser(user).id, scopes);
    },
    revokeUserTokens: ({ user, clientId }) =>
      tokens.revokeAll({ userId: accounts.requireUser(user).id, ...(clientId ? { clientId } : {}) }),
    expireTokens: ({ user, clientId, kind } = {}) =>
      tokens.expire({
        ...(user ? { userId: accounts.requireUser(user).id } : {}),
        ...(clientId ? { clientId } : {}),
        kind: kind ?? 'all',
      }),
    invalidateSyncTokens({ calendarId } = {}) {
      for (const calendar of calendarId ? [requireCalendar(calendarId)] : calendars.all())
        calendar.syncEpoch += 1;
    },
    seedCalendar({ user, summary, clientId, timeZone }) {
      const owner = accounts.requireUser(user);
      const calendar = calendars.create({
        owner,
        resource: { summary, timeZone: timeZone ?? owner.timeZone },
        ...(clientId ? { clientId } : {}),
      });
      return calendarState(calendar);
    },
    deleteCalendar({ calendarId }) {
      requireCalendar(calendarId);
      calendars.remove(calendarId);
    },
    userPatchEvent({ calendarId, eventId, patch }) {
      const calendar = requireCalendar(calendarId);
      const resource = writeEvent(userContext(calendar), eventId, patch, 'patch');
      return renderEvent(resource, calendar.resource.timeZone) as EventResource;
    },
    userDeleteEvent({ calendarId, eventId }) {
      deleteEvent(userContext(requireCalendar(calendarId)), eventId, undefined, true);
    },
    userCreateEvent({ calendarId, event }) {
      const calendar = requireCalendar(calendarId);
      // The Calendar UI sets neither an id nor extended properties: the event carries no mark of any app.
      const { id: _id, iCalUID: _iCalUID, extendedProperties: _properties, ...fields } = event;
      const resource = insertEvent(userContext(calendar), fields);
      return renderEvent(resource, calendar.resource.timeZone) as EventResource;
    },
    purgeTombstones({ calendarId } = {}) {
      let purged = 0;
      for (const calendar of calendarId ? [requireCalendar(calendarId)] : calendars.all())
        purged += purgeAllTombstones(calendar, purgeAfterMs);
      return { purged };
    },
    exhaustDailyQuota({ projectId, clientId } = {}) {
      if (clientId !== undefined && !accounts.findClient(clientId))
        throw new Error(`unknown client ${clientId}`);
      const projectIds =
        projectId !== undefined
          ? [projectId]
          : clientId !== undefined
            ? [core.projectOf(clientId)]
            : [...new Set(accounts.allClients().map((client) => client.projectId))];
      let until = core.now();
      for (const id of projectIds) until = core.dailyLimiter.exhaust(id);
      return { until: new Date(until).toISOString(), projectIds };
    },
    setInstanceIdScheme({ calendarId, eventId, scheme }) {
      const event = requireCalendar(calendarId).events.get(eventId);
      if (!event) throw new Error(`unknown event ${eventId}`);
      if (scheme !== 'legacy' && scheme !== 'opaque') throw new Error('scheme must be legacy or opaque');
      event.instanceIdScheme = scheme;
    },
    injectFault: (fault) => core.faults.add(fault),
    clearFaults: () => core.faults.clear(),
    setLatency({ ms }) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a non-negative number of ms');
      core.latencyMs = ms;
    },
    counters: () => core.counters.snapshot(),
    resetCounters: () => core.counters.reset(),
    state: () => ({
      now: new Date(core.now()).toISOString(),
      users: accounts.allUsers().map((user) => ({ ...user })),
      clients: accounts.allClients().map(({ clientSecret: _secret, ...client }) => ({ ...client })),
      calendars: calendars.all().map((calendar) => {
        purgeDueTombstones(calendar, core.now(), purgeAfterMs);
        return calendarState(calendar);
      }),
      counters: core.counters.snapshot(),
      pendingFaults: core.faults.list(),
    }),
  };
}

const READ_ONLY_METHODS = new Set(['state', 'counters']);

/**
 * The control surface mints tokens and rewrites state, and a developer's browser can reach it: any web page can
 * send a "simple" cross-origin POST (`text/plain`, no preflight), and a DNS-rebinding page can even read the
 * answers. So a control request must name the emulator itself in its Host (127.0.0.1, localhost or [::1] with the
 * emulator's port, or the host it listens on), carry no foreign Origin (browsers send one on cross-origin
 * requests; tools send none), and a POST must say `application/json` (which a page cannot send cross-origin
 * without a preflight the emulator never grants). Answers the refusal, or undefined to go on.
 */
export function controlRequestRefusal(
  request: IncomingMessage,
  listenHost: string,
): { status: number; error: string } | undefined {
  const port = request.socket.localPort;
  const ownHosts = new Set([
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `[::1]:${port}`,
    `${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${port}`.toLowerCase(),
  ]);
  const host = request.headers.host?.toLowerCase();
  if (!host || !ownHosts.has(host)) {
    return {
      status: 403,
      error: 'the Host header must name the emulator (127.0.0.1 or localhost, with its port)',
    };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && ![...ownHosts].some((own) => origin.toLowerCase() === `http://${own}`)) {
    return { status: 403, error: 'control requests from another origin are refused' };
  }
  if (
    request.method === 'POST' &&
    !/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')
  ) {
    return { status: 415, error: 'control requests must be sent as content-type: application/json' };
  }
  return undefined;
}

/**
 * `GET /__emulator/state` and `GET /__emulator/counters`; `POST /__emulator/<method>` with the argument as a
 * JSON body (none for methods without one). Answers the result as JSON, or `{"error": "..."}` with 400.
 */
export function handleControlRequest(
  control: EmulatorControl,
  method: string,
  name: string,
  body: string,
  response: ServerResponse,
): void {
  const operation = (control as unknown as Record<string, unknown>)[name];
  if (typeof operation !== 'function' || !Object.hasOwn(control, name)) {
    sendJson(response, 404, { error: `no control method ${name}` });
    return;
  }
  if (method !== 'POST' && !(method === 'GET' && READ_ONLY_METHODS.has(name))) {
    sendJson(response, 405, { error: `use POST /__emulator/${name}` });
    return;
  }
  let argument: unknown;
  try {
    argument = body.trim() ? JSON.parse(body) : undefined;
  } catch {
    sendJson(response, 400, { error: 'the body must be JSON' });
    return;
  }
  try {
    const result = (operation as (input: unknown) => unknown)(argument);
    sendJson(response, 200, result === undefined ? {} : result);
  } catch (error) {
    const known =
      error instanceof UnknownUserError || error instanceof CalendarApiError || error instanceof Error;
    sendJson(response, 400, { error: known ? (error as Error).message : 'control call failed' });
  }
}
