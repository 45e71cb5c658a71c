/** events.insert/import/get/patch/update/delete on one calendar, with Google's identities and answers. */
import { apiErrors } from '../errors.ts';
import { randomBase32Hex } from '../ids.ts';
import type { EmulatorUser } from '../types.ts';
import type { InstanceIdScheme } from './instance-ids.ts';
import { cloneJson, mergePatch } from './merge.ts';
import { type InstanceIdOf, isSeries, seriesInstanceAt } from './recurrence.ts';
import type { CalendarStore, Json, StoredCalendar, StoredEvent } from './store.ts';
import { basicFormat, type EventTime, renderTime } from './time.ts';
import { iCalUidPurged } from './tombstones.ts';
import {
  normalizeExtendedProperties,
  validateEvent,
  validateEventId,
  validateReminders,
} from './validation.ts';

export interface EventContext {
  store: CalendarStore;
  calendar: StoredCalendar;
  user: EmulatorUser;
  nowMs: number;
  /**
   * Set on API calls when `userDeletedUpdate` is `forbidden`: patch and update of an event the user deleted in
   * the Calendar UI answer 403 forbidden (google-api-ruby-client #1811). The control surface, acting as the user,
   * leaves it unset.
   */
  refuseWritesToUserDeleted?: boolean;
  /** `timeZones.acceptRecentNames`: take `Europe/Kyiv`, `Etc/GMT-1` and the like (see isEventZone). */
  acceptRecentZoneNames?: boolean;
}

/** Fields Google sets itself: ignored in request bodies (identity fields are checked separately). */
const READ_ONLY_FIELDS = [
  'kind',
  'etag',
  'id',
  'htmlLink',
  'created',
  'updated',
  'creator',
  'organizer',
  'iCalUID',
  'recurringEventId',
  'originalStartTime',
  'hangoutLink',
  'privateCopy',
  'locked',
];
const STATUSES = new Set(['confirmed', 'tentative', 'cancelled']);

function writableFields(resource: Json): Json {
  const fields = { ...resource };
  for (const name of READ_ONLY_FIELDS) delete fields[name];
  return fields;
}

const calendarZone = (calendar: StoredCalendar): string => calendar.resource.timeZone;

/** The instance id scheme of a stored series (see instance-ids.ts); unknown events: opaque. */
const schemeOf = (calendar: StoredCalendar, seriesId: string): InstanceIdScheme =>
  calendar.events.get(seriesId)?.instanceIdScheme ?? 'opaque';

/** How the calendar names the instances of its series (each series in the scheme it was created with). */
export function instanceIdOf(calendar: StoredCalendar): InstanceIdOf {
  return (series, originalStartMs, allDay) => {
    const seriesId = series.id as string;
    return calendar.instanceIds.idOf(
      calendar.id,
      seriesId,
      schemeOf(calendar, seriesId),
      originalStartMs,
      allDay,
    );
  };
}

/**
 * The event (stored, or an unmodified instance of a stored series), or undefined. An instance id is resolved
 * by the scheme of its series: an opaque id handed out before, or `<seriesId>_<start>` for a legacy series
 * only (the computed form of an opaque series' instance is not found, as at Google).
 */
function findEvent(
  calendar: StoredCalendar,
  eventId: string,
): { stored?: StoredEvent; resource: Json } | undefined {
  const stored = calendar.events.get(eventId);
  if (stored) return { stored, resource: stored.resource };
  const instance = calendar.instanceIds.resolve(calendar.id, eventId, (seriesId) =>
    calendar.events.has(seriesId) ? schemeOf(calendar, seriesId) : undefined,
  );
  const series = instance && calendar.events.get(instance.seriesId);
  if (!instance || !series || !isSeries(series.resource)) return undefined;
  const resource = seriesInstanceAt(series.resource, eventId, instance.originalStartMs, instance.allDay);
  return resource ? { resource } : undefined;
}

export function requireEvent(
  calendar: StoredCalendar,
  eventId: string,
): { stored?: StoredEvent; resource: Json } {
  const found = findEvent(calendar, eventId);
  if (!found) throw apiErrors.notFound();
  return found;
}

export function insertEvent(ctx: EventContext, body: Json): Json {
  if (body.id !== undefined && body.iCalUID !== undefined) {
    throw apiErrors.invalid('Only one of id and iCalUID can be given when creating an event.');
  }
  if (body.recurringEventId !== undefined || body.originalStartTime !== undefined) {
    throw apiErrors.invalid(
      'An instance of a recurring event is changed through its instance id, not inserted.',
    );
  }
  refuseCancelledCreation(body);
  const id = body.id === undefined ? randomBase32Hex(26) : body.id;
  validateEventId(id);
  const eventId = id as string;
  // A purged event's id stays taken (tombstones.ts).
  if (ctx.calendar.events.has(eventId) || ctx.calendar.purged.has(eventId)) throw apiErrors.duplicate();
  const iCalUID = typeof body.iCalUID === 'string' ? body.iCalUID : `${eventId}@google.com`;
  if (typeof body.iCalUID === 'string' && iCalUidTaken(ctx.calendar, body.iCalUID))
    throw apiErrors.duplicate();
  return save(ctx, eventId, undefined, { status: 'confirmed', ...writableFields(body) }, { iCalUID });
}

/** events.import: keyed by iCalUID; an existing event with that iCalUID is replaced, otherwise one is created. */
export function importEvent(ctx: EventContext, body: Json): { resource: Json; created: boolean } {
  if (typeof body.iCalUID !== 'string' || !body.iCalUID) throw apiErrors.required('Missing iCalUID.');
  const existing = [...ctx.calendar.events.values()].find(
    (event) => event.resource.iCalUID === body.iCalUID && event.resource.recurringEventId === undefined,
  );
  const fields = { status: 'confirmed', ...writableFields(body) };
  if (existing) {
    return {
      resource: save(ctx, existing.resource.id, existing, fields, identityOf(existing.resource)),
      created: false,
    };
  }
  refuseCancelledCreation(body);
  // Modelled assumption: the iCalUID of a purged event stays taken, as its id does.
  if (iCalUidPurged(ctx.calendar, body.iCalUID)) throw apiErrors.duplicate();
  const id = randomBase32Hex(26);
  return { resource: save(ctx, id, undefined, fields, { iCalUID: body.iCalUID }), created: true };
}

/** A new event cannot be born cancelled (a cancelled event is one that was deleted). */
function refuseCancelledCreation(body: Json): void {
  if (body.status === 'cancelled') throw apiErrors.invalid('A new event cannot have status "cancelled".');
}

/** events.patch (`patch`: merge) and events.update (`update`: replace); on an instance id they make an exception. */
export function writeEvent(
  ctx: EventContext,
  eventId: string,
  body: Json,
  mode: 'patch' | 'update',
  ifMatch?: string,
) {
  const found = requireEvent(ctx.calendar, eventId);
  checkEtag(found.resource, ifMatch);
  const current = found.resource;
  refuseInstanceOfDeletedSeries(ctx.calendar, current);
  if (ctx.refuseWritesToUserDeleted && found.stored?.deletedByUser) {
    // google-api-ruby-client #1811: after a delete in calendar.google.com, insert with the id answers 409 and
    // update answers 403 Forbidden. Events deleted through the API are restored by update (Stack Overflow
    // 27542721).
    throw apiErrors.forbidden();
  }
  checkImmutable(current, body, ctx.calendar);
  const fields =
    mode === 'patch'
      ? mergePatch(writableFields(current), writableFields(body))
      : { status: 'confirmed', ...writableFields(body) };
  return save(ctx, eventId, found.stored, fields, identityOf(current));
}

/**
 * An instance (generated or a stored exception) of a deleted series cannot be written: the series is gone,
 * as `events.instances` answering 410 says, so it answers 410 rather than bring one instance back.
 */
function refuseInstanceOfDeletedSeries(calendar: StoredCalendar, resource: Json): void {
  if (typeof resource.recurringEventId !== 'string') return;
  const series = calendar.events.get(resource.recurringEventId);
  if (series?.resource.status === 'cancelled') throw apiErrors.deleted();
}

/**
 * events.delete: the event stays as `cancelled`; a second delete answers 410. Deleting an instance cancels it.
 * `byUser`: the user deleted it in the Calendar UI (`userDeleteEvent`), which the API remembers (see writeEvent).
 */
export function deleteEvent(ctx: EventContext, eventId: string, ifMatch?: string, byUser = false): void {
  const found = requireEvent(ctx.calendar, eventId);
  checkEtag(found.resource, ifMatch);
  if (found.resource.status === 'cancelled') throw apiErrors.deleted();
  const resource = found.stored ? found.stored.resource : found.resource;
  const cancelled = { ...writableFields(resource), status: 'cancelled' };
  save(ctx, eventId, found.stored, cancelled, identityOf(resource), { skipValidation: true });
  const deleted = ctx.calendar.events.get(eventId);
  if (deleted && byUser) deleted.deletedByUser = true;
  if (isSeries(resource)) {
    // The series' exceptions go with it.
    for (const event of ctx.calendar.events.values()) {
      if (event.resource.recurringEventId === eventId && event.resource.status !== 'cancelled') {
        event.resource.status = 'cancelled';
        if (byUser) event.deletedByUser = true;
        ctx.store.touch(ctx.calendar, event, ctx.nowMs);
      }
    }
  }
}

/** An event as the API answers it: times rendered in the response's zone (request `timeZone` or the calendar's). */
export function renderEvent(resource: Json, responseZone: string): Json {
  const out = cloneJson(resource);
  for (const field of ['start', 'end', 'originalStartTime'] as const) {
    if (out[field]) out[field] = renderTime(out[field] as EventTime, responseZone);
  }
  return out;
}

/** A cancelled event in a list: Google only guarantees its id (instances also keep their series link). */
export function renderCancelledListItem(resource: Json, responseZone: string): Json {
  const item: Json = { kind: resource.kind, etag: resource.etag, id: resource.id, status: 'cancelled' };
  if (resource.recurringEventId !== undefined) {
    item.recurringEventId = resource.recurringEventId;
    item.originalStartTime = renderTime(resource.originalStartTime as EventTime, responseZone);
  }
  return item;
}

const identityOf = (resource: Json): Json => {
  const identity: Json = { iCalUID: resource.iCalUID };
  for (const name of [
    'recurringEventId',
    'originalStartTime',
    'created',
    'creator',
    'organizer',
    'sequence',
  ]) {
    if (resource[name] !== undefined) identity[name] = resource[name];
  }
  return identity;
};

function checkEtag(resource: Json, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== resource.etag)
    throw apiErrors.conditionNotMet();
}

/** recurringEventId and originalStartTime cannot be changed (sending the same values is fine). */
function checkImmutable(current: Json, body: Json, calendar: StoredCalendar): void {
  if (body.recurringEventId !== undefined && body.recurringEventId !== current.recurringEventId) {
    throw apiErrors.invalid('The recurringEventId of an event cannot be changed.');
  }
  if (body.originalStartTime !== undefined) {
    const zone = calendarZone(calendar);
    const same =
      current.originalStartTime !== undefined &&
      basicFormat(body.originalStartTime as EventTime, zone) ===
        basicFormat(current.originalStartTime as EventTime, zone);
    if (!same) throw apiErrors.invalid('The originalStartTime of an event cannot be changed.');
  }
}

function iCalUidTaken(calendar: StoredCalendar, iCalUID: string): boolean {
  for (const event of calendar.events.values()) if (event.resource.iCalUID === iCalUID) return true;
  // Modelled assumption: the iCalUID of a purged event stays taken, as its id does.
  return iCalUidPurged(calendar, iCalUID);
}

/** Validates and stores the new state of an event; returns the stored resource. */
function save(
  ctx: EventContext,
  id: string,
  existing: StoredEvent | undefined,
  fields: Json,
  identity: Json,
  options: { skipValidation?: boolean } = {},
): Json {
  const { calendar, store, user, nowMs } = ctx;
  const candidate: Json = { ...fields, ...withoutSequence(identity) };
  if (!options.skipValidation) {
    if (!STATUSES.has(candidate.status as string)) throw apiErrors.invalid('Invalid value for status.');
    if (candidate.recurringEventId !== undefined && candidate.recurrence !== undefined) {
      throw apiErrors.invalid('An instance of a recurring event cannot have a recurrence.');
    }
    if (candidate.recurrence !== undefined && !Array.isArray(candidate.recurrence)) {
      throw apiErrors.invalid('Invalid recurrence rule.');
    }
    validateEvent(candidate, calendarZone(calendar), ctx.acceptRecentZoneNames ?? false);
    validateReminders(candidate.reminders);
  }
  const extendedProperties = normalizeExtendedProperties(candidate.extendedProperties);
  if (extendedProperties) candidate.extendedProperties = extendedProperties;
  else delete candidate.extendedProperties;
  const storedSequence = typeof identity.sequence === 'number' ? identity.sequence : 0;
  let sequence = storedSequence;
  if (fields.sequence !== undefined) {
    if (!Number.isInteger(fields.sequence) || (fields.sequence as number) < storedSequence) {
      throw apiErrors.invalid(
        'Invalid sequence value. The specified sequence number is below the current sequence number of the resource.',
      );
    }
    sequence = fields.sequence as number;
  }
  const resource = {
    kind: 'calendar#event',
    etag: '',
    id,
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendar.id}`).toString('base64url')}`,
    created: new Date(nowMs).toISOString(),
    creator: { email: user.email },
    organizer: { email: calendar.id, displayName: calendar.resource.summary, self: true },
    ...candidate,
    sequence,
    reminders: candidate.reminders ?? { useDefault: true },
    eventType: candidate.eventType ?? 'default',
  } as unknown as StoredEvent['resource'];
  const event: StoredEvent = existing ?? {
    resource,
    seq: calendar.nextSeq++,
    changeSeq: 0,
    updatedMs: nowMs,
    // Google: series created from Q3 2026 get instance ids in a new, opaque format (instance-ids.ts).
    instanceIdScheme: calendar.instanceIds.schemeAt(nowMs),
  };
  event.resource = cloneJson(resource);
  if (event.resource.status !== 'cancelled') delete event.deletedByUser;
  store.touch(calendar, event, nowMs);
  calendar.events.set(id, event);
  return event.resource;
}

function withoutSequence(identity: Json): Json {
  const { sequence: _sequence, ...rest } = identity;
  return rest;
}
