/** Calendar API v3 routes, at the paths and verbs `@googleapis/calendar` calls. */
import type { EmulatorCore } from '../core.ts';
import { apiErrors, CalendarApiError } from '../errors.ts';
import { type Access, type ApiFamily, scopesAllow } from '../oauth/scopes.ts';
import type { Caller, Reply, RequestContext, Route } from '../routing.ts';
import {
  deleteEvent,
  type EventContext,
  importEvent,
  insertEvent,
  renderEvent,
  requireEvent,
  writeEvent,
} from './events.ts';
import { type ListContext, listEvents, listInstances, responseZoneOf } from './listing.ts';
import { cloneJson, mergePatch } from './merge.ts';
import type { Json, StoredCalendar } from './store.ts';
import { isEventZone } from './time.ts';
import { purgeDueTombstones } from './tombstones.ts';

const CALENDARS = '^/calendar/v3/calendars';
const CALENDAR = `${CALENDARS}/(?<calendarId>[^/]+)`;
const EVENTS = `${CALENDAR}/events`;
const EVENT = `${EVENTS}/(?<eventId>[^/]+)`;

const ok = (json: unknown): Reply => ({ status: 200, json });
const noContent: Reply = { status: 204 };

function parseJson(body: string): Json {
  if (!body.trim()) return {};
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  } catch {
    // answered below
  }
  throw new CalendarApiError(400, 'parseError', 'Parse Error');
}

const callerOf = (context: RequestContext): Caller => context.caller as Caller;

/**
 * The calendar a call targets, after Google's access checks: another user's calendar is not found; a calendar
 * of the user that the token's scopes do not reach (e.g. the primary calendar under `calendar.app.created`, or
 * one another OAuth client created: `appCreatedOwner`) answers 403 insufficientPermissions. Tombstones due for
 * purging go first (tombstones.ts).
 */
function targetCalendar(
  core: EmulatorCore,
  context: RequestContext,
  family: ApiFamily,
  access: Access,
): StoredCalendar {
  const caller = callerOf(context);
  const requested = context.params.calendarId as string;
  const calendar =
    requested === 'primary' ? core.calendars.primaryOf(caller.user.id) : core.calendars.get(requested);
  if (!calendar || calendar.ownerId !== caller.user.id) throw apiErrors.notFound();
  if (!scopesAllow(caller.scopes, family, access, createdByCallersApp(core, calendar, caller))) {
    throw apiErrors.insufficientPermissions();
  }
  purgeDueTombstones(calendar, core.now(), core.options.tombstones.purgeAfterMs);
  return calendar;
}

/**
 * Whether `calendar.app.created` reaches the calendar: made by the caller's OAuth client (`appCreatedOwner:
 * client`, the stricter reading of "calendars created by this app"), or by any client of its Cloud project
 * (`project`).
 */
function createdByCallersApp(core: EmulatorCore, calendar: StoredCalendar, caller: Caller): boolean {
  const creator = calendar.createdByClientId;
  if (creator === undefined) return false;
  if (creator === caller.clientId) return true;
  return core.options.appCreatedOwner === 'project' && core.projectOf(creator) === caller.projectId;
}

function renderCalendar(calendar: StoredCalendar): Json {
  return {
    kind: 'calendar#calendar',
    etag: calendar.etag,
    id: calendar.id,
    ...cloneJson(calendar.resource),
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
  };
}

/** Writable calendar fields of a request body, checked like Google does (zone names as for events: isEventZone). */
function calendarFields(
  body: Json,
  defaults: { timeZone: string },
  acceptRecentZoneNames: boolean,
): StoredCalendar['resource'] {
  const { kind: _kind, etag: _etag, id: _id, conferenceProperties: _conference, ...fields } = body;
  if (typeof fields.summary !== 'string' || !fields.summary) throw apiErrors.required('Missing title.');
  const timeZone = (fields.timeZone as string | undefined) ?? defaults.timeZone;
  if (!isEventZone(timeZone, acceptRecentZoneNames)) throw apiErrors.invalid('Invalid time zone definition.');
  return { ...fields, summary: fields.summary, timeZone };
}

function eventContext(core: EmulatorCore, context: RequestContext, access: Access): EventContext {
  return {
    store: core.calendars,
    calendar: targetCalendar(core, context, 'events', access),
    user: callerOf(context).user,
    nowMs: core.now(),
    refuseWritesToUserDeleted: core.options.userDeletedUpdate === 'forbidden',
    acceptRecentZoneNames: core.options.timeZones.acceptRecentNames,
  };
}

function listContext(core: EmulatorCore, context: RequestContext): ListContext {
  return {
    calendar: targetCalendar(core, context, 'events', 'read'),
    query: context.query,
    nowMs: core.now(),
    syncTokenLifetimeMs: core.options.syncTokenLifetimeMs,
    paging: core.options.paging,
  };
}

const responseZone = (context: RequestContext, calendar: StoredCalendar): string =>
  responseZoneOf(context.query, calendar);

const ifMatch = (context: RequestContext): string | undefined => {
  const value = context.headers['if-match'];
  return Array.isArray(value) ? value[0] : value;
};

export function calendarRoutes(core: EmulatorCore): Route[] {
  const route = (
    method: Route['method'],
    path: string,
    name: string,
    handle: (context: RequestContext) => Reply,
  ): Route => ({ method, path: new RegExp(`${path}$`), name, kind: 'calendar', handle });

  /** events.patch and events.update: the same write, merged into or replacing the stored event. */
  const writeEventRoute =
    (mode: 'patch' | 'update') =>
    (context: RequestContext): Reply => {
      const events = eventContext(core, context, 'write');
      core.usageLimiter.checkWritable(events.user.id);
      const resource = writeEvent(
        events,
        context.params.eventId as string,
        parseJson(context.body),
        mode,
        ifMatch(context),
      );
      return ok(renderEvent(resource, responseZone(context, events.calendar)));
    };

  /** calendars.patch and calendars.update: the new fields checked whole, under a new ETag. */
  const replaceCalendar = (calendar: StoredCalendar, fields: Json, context: RequestContext): Reply => {
    core.usageLimiter.checkWritable(callerOf(context).user.id);
    calendar.resource = calendarFields(
      fields,
      { timeZone: calendar.resource.timeZone },
      core.options.timeZones.acceptRecentNames,
    );
    calendar.etag = core.calendars.nextEtag();
    return ok(renderCalendar(calendar));
  };

  return [
    route('POST', CALENDARS, 'calendars.insert', (context) => {
      const caller = callerOf(context);
      if (!scopesAllow(caller.scopes, 'calendars', 'write', true)) throw apiErrors.insufficientPermissions();
      const resource = calendarFields(
        parseJson(context.body),
        { timeZone: caller.user.timeZone },
        core.options.timeZones.acceptRecentNames,
      );
      core.usageLimiter.check('calendar', caller.user.id);
      const calendar = core.calendars.create({ owner: caller.user, resource, clientId: caller.clientId });
      core.usageLimiter.record('calendar', caller.user.id);
      return ok(renderCalendar(calendar));
    }),
    route('GET', CALENDAR, 'calendars.get', (context) =>
      ok(renderCalendar(targetCalendar(core, context, 'calendars', 'read'))),
    ),
    route('PATCH', CALENDAR, 'calendars.patch', (context) => {
      const calendar = targetCalendar(core, context, 'calendars', 'write');
      return replaceCalendar(calendar, mergePatch(calendar.resource, parseJson(context.body)), context);
    }),
    route('PUT', CALENDAR, 'calendars.update', (context) => {
      const calendar = targetCalendar(core, context, 'calendars', 'write');
      return replaceCalendar(calendar, parseJson(context.body), context);
    }),
    route('DELETE', CALENDAR, 'calendars.delete', (context) => {
      const calendar = targetCalendar(core, context, 'calendars', 'write');
      if (calendar.primary)
        throw apiErrors.invalid('The primary calendar cannot be deleted; clear it instead.');
      const userId = callerOf(context).user.id;
      core.usageLimiter.check('calendar', userId);
      core.calendars.remove(calendar.id);
      core.usageLimiter.record('calendar', userId);
      return noContent;
    }),
    route('GET', EVENTS, 'events.list', (context) => ok(listEvents(listContext(core, context)))),
    route('POST', EVENTS, 'events.insert', (context) => {
      const events = eventContext(core, context, 'write');
      const body = parseJson(context.body);
      core.usageLimiter.check('event', events.user.id);
      const resource = insertEvent(events, body);
      core.usageLimiter.record('event', events.user.id);
      return ok(renderEvent(resource, responseZone(context, events.calendar)));
    }),
    route('POST', `${EVENTS}/import`, 'events.import', (context) => {
      const events = eventContext(core, context, 'write');
      const body = parseJson(context.body);
      core.usageLimiter.check('event', events.user.id);
      const { resource, created } = importEvent(events, body);
      if (created) core.usageLimiter.record('event', events.user.id);
      return ok(renderEvent(resource, responseZone(context, events.calendar)));
    }),
    route('GET', `${EVENT}/instances`, 'events.instances', (context) =>
      ok(listInstances(listContext(core, context), context.params.eventId as string)),
    ),
    route('GET', EVENT, 'events.get', (context) => {
      const calendar = targetCalendar(core, context, 'events', 'read');
      const { resource } = requireEvent(calendar, context.params.eventId as string);
      return ok(renderEvent(resource, responseZone(context, calendar)));
    }),
    route('PATCH', EVENT, 'events.patch', writeEventRoute('patch')),
    route('PUT', EVENT, 'events.update', writeEventRoute('update')),
    route('DELETE', EVENT, 'events.delete', (context) => {
      const events = eventContext(core, context, 'write');
      core.usageLimiter.check('event', events.user.id);
      deleteEvent(events, context.params.eventId as string, ifMatch(context));
      core.usageLimiter.record('event', events.user.id);
      return noContent;
    }),
  ];
}
