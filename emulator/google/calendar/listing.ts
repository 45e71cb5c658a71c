/** events.list and events.instances: filters, expansion, stable paging and incremental sync tokens. */

import { overlapsWindow } from '../../../lambdas/shared/domain/time/window.ts';
import { apiErrors } from '../errors.ts';
import type { PagingOptions } from '../options.ts';
import { instanceIdOf, renderCancelledListItem, renderEvent, requireEvent } from './events.ts';
import {
  isSeries,
  occurrencesOfCalendar,
  occurrencesOfSeries,
  seriesOverlaps,
  type Window,
} from './recurrence.ts';
import type { Json, StoredCalendar, StoredEvent } from './store.ts';
import { type EventTime, instantOf, isIanaZone } from './time.ts';

const DEFAULT_PAGE_SIZE = 250;
const MAX_PAGE_SIZE = 2500;
const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;
/** RFC 3339's date-time (section 5.6): seconds and an offset required, as Google writes `originalStartTime`. */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;
/** Parameters that cannot be combined with syncToken (Google's reference for events.list). */
const NOT_WITH_SYNC_TOKEN = [
  'iCalUID',
  'orderBy',
  'privateExtendedProperty',
  'q',
  'sharedExtendedProperty',
  'timeMin',
  'timeMax',
  'updatedMin',
];

interface Item {
  resource: Json;
  /** Sort key; a page token remembers the last one served, so pages stay stable under writes. */
  key: string;
}

interface PageToken {
  /** Last key served. */
  k: string;
  /** Index of the page this token asks for (short and empty pages depend on it). */
  p: number;
  /** Fingerprint of the query the token belongs to. */
  f: string;
  /** The calendar's change counter when the first page was served (becomes the next sync token). */
  s: number;
}

interface SyncToken {
  c: string;
  s: number;
  e: number;
  t: number;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode<T>(text: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

const pad = (n: number): string => String(Math.max(0, Math.round(n) + 1e14)).padStart(16, '0');

function parseTimeBound(query: URLSearchParams, name: string): Date | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  if (!RFC3339_WITH_OFFSET.test(text) || Number.isNaN(Date.parse(text))) throw apiErrors.badRequest();
  return new Date(text);
}

/** The `timeMin`/`timeMax` window of a listing; either end may be open. */
function parseWindow(query: URLSearchParams): Window {
  const window: Window = {};
  const timeMin = parseTimeBound(query, 'timeMin');
  const timeMax = parseTimeBound(query, 'timeMax');
  if (timeMin) window.timeMin = timeMin;
  if (timeMax) window.timeMax = timeMax;
  return window;
}

function parseBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  if (text !== 'true' && text !== 'false') throw apiErrors.invalid(`Invalid boolean value for ${name}.`);
  return text === 'true';
}

function pageSize(query: URLSearchParams): number {
  const text = query.get('maxResults');
  if (text === null) return DEFAULT_PAGE_SIZE;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw apiErrors.invalid('Invalid value for maxResults.');
  return Math.min(value, MAX_PAGE_SIZE);
}

function fingerprint(query: URLSearchParams): string {
  const entries = [...query.entries()].filter(([name]) => name !== 'pageToken' && name !== 'maxResults');
  return entries
    .map(([name, value]) => `${name}=${value}`)
    .sort()
    .join('&');
}

/** `key=value` filters on extended properties; every one must match. */
function propertyFilters(
  query: URLSearchParams,
): { group: 'private' | 'shared'; key: string; value: string }[] {
  const filters: { group: 'private' | 'shared'; key: string; value: string }[] = [];
  for (const [param, group] of [
    ['privateExtendedProperty', 'private'],
    ['sharedExtendedProperty', 'shared'],
  ] as const) {
    for (const text of query.getAll(param)) {
      const equals = text.indexOf('=');
      if (equals <= 0) throw apiErrors.invalid(`Invalid ${param} value: expected propertyName=value.`);
      filters.push({ group, key: text.slice(0, equals), value: text.slice(equals + 1) });
    }
  }
  return filters;
}

const matchesProperties = (resource: Json, filters: ReturnType<typeof propertyFilters>): boolean =>
  filters.every(
    (filter) =>
      (resource.extendedProperties as Record<string, Record<string, string>> | undefined)?.[filter.group]?.[
        filter.key
      ] === filter.value,
  );

function matchesText(resource: Json, q: string): boolean {
  const needle = q.toLowerCase();
  return ['summary', 'description', 'location'].some((field) =>
    String(resource[field] ?? '')
      .toLowerCase()
      .includes(needle),
  );
}

function overlaps(resource: Json, window: Window, zone: string): boolean {
  if (!window.timeMin && !window.timeMax) return true;
  if (isSeries(resource)) return seriesOverlaps(resource, window);
  return overlapsWindow(
    instantOf(resource.start as EventTime, zone),
    instantOf(resource.end as EventTime, zone),
    window.timeMin?.getTime() ?? Number.NEGATIVE_INFINITY,
    window.timeMax?.getTime() ?? Number.POSITIVE_INFINITY,
  );
}

function readSyncToken(calendar: StoredCalendar, text: string, nowMs: number, lifetimeMs: number): SyncToken {
  const token = decode<SyncToken>(text);
  // A token from before a purged deletion cannot tell of it any more: the client must list in full (modelled
  // assumption; Google's sync guide: tokens may be invalidated by the server, answered 410).
  const valid =
    token &&
    token.c === calendar.id &&
    token.e === calendar.syncEpoch &&
    typeof token.s === 'number' &&
    token.s <= calendar.changeSeq &&
    token.s >= calendar.purgedThroughSeq &&
    nowMs - token.t <= lifetimeMs;
  if (!valid) throw apiErrors.fullSyncRequired();
  return token;
}

/** The zone answers are rendered in: the `timeZone` parameter (an IANA name) or the calendar's. */
export function responseZoneOf(query: URLSearchParams, calendar: StoredCalendar): string {
  const requested = query.get('timeZone');
  if (requested === null) return calendar.resource.timeZone;
  if (!isIanaZone(requested)) throw apiErrors.invalid('Invalid time zone definition.');
  return requested;
}

export interface ListContext {
  calendar: StoredCalendar;
  query: URLSearchParams;
  nowMs: number;
  syncTokenLifetimeMs: number;
  paging: PagingOptions;
}

/** events.list */
export function listEvents(ctx: ListContext): Json {
  const { calendar, query, nowMs } = ctx;
  const zone = responseZoneOf(query, calendar);
  const syncTokenText = query.get('syncToken');
  const singleEvents = parseBoolean(query, 'singleEvents') ?? false;
  let showDeleted = parseBoolean(query, 'showDeleted') ?? false;
  const orderBy = query.get('orderBy');
  if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated') {
    throw apiErrors.invalid('Invalid value for orderBy.');
  }
  if (orderBy === 'startTime' && !singleEvents) {
    throw apiErrors.badRequest('The requested ordering is not available for the particular query.');
  }
  let changedAfter: number | undefined;
  if (syncTokenText !== null) {
    const clash = NOT_WITH_SYNC_TOKEN.find((name) => query.has(name));
    if (clash) throw apiErrors.invalid(`The syncToken cannot be combined with ${clash}.`);
    if (query.get('showDeleted') === 'false')
      throw apiErrors.invalid('The syncToken cannot be combined with showDeleted=false.');
    changedAfter = readSyncToken(calendar, syncTokenText, nowMs, ctx.syncTokenLifetimeMs).s;
    showDeleted = true;
  }
  const window = parseWindow(query);
  if (window.timeMin && window.timeMax && window.timeMin >= window.timeMax) throw apiErrors.timeRangeEmpty();
  const updatedMinDate = parseTimeBound(query, 'updatedMin');
  // Deleted events changed since updatedMin always come back, whatever showDeleted says.
  if (updatedMinDate) showDeleted = true;
  const filters = propertyFilters(query);
  const iCalUID = query.get('iCalUID');
  const q = query.get('q');

  let events = [...calendar.events.values()].sort((a, b) => a.seq - b.seq);
  if (changedAfter !== undefined) events = events.filter((event) => event.changeSeq > changedAfter);
  if (updatedMinDate) events = events.filter((event) => event.updatedMs >= updatedMinDate.getTime());
  if (iCalUID !== null) events = events.filter((event) => event.resource.iCalUID === iCalUID);

  const items = singleEvents
    ? expandedItems(calendar, events, window, showDeleted, zone)
    : events
        .filter((event) => showDeleted || event.resource.status !== 'cancelled')
        .filter((event) => overlaps(event.resource, window, zone))
        .map((event) => ({ resource: event.resource, key: orderKey(event, orderBy) }));
  const selected = items.filter(
    (item) => matchesProperties(item.resource, filters) && (q === null || matchesText(item.resource, q)),
  );
  const page = paginate(selected, query, calendar.changeSeq, ctx.paging);
  const body = eventsPage(calendar, page, zone);
  // Only the last page carries the token of the next incremental sync.
  if (!page.nextPageToken)
    body.nextSyncToken = encode({ c: calendar.id, s: page.snapshot, e: calendar.syncEpoch, t: nowMs });
  return body;
}

/** events.instances */
export function listInstances(ctx: ListContext, eventId: string): Json {
  const { calendar, query } = ctx;
  const zone = responseZoneOf(query, calendar);
  const found = requireEvent(calendar, eventId);
  const series = found.resource;
  if (series.status === 'cancelled') throw apiErrors.deleted();
  const showDeleted = parseBoolean(query, 'showDeleted') ?? false;
  const window = parseWindow(query);
  // The events.instances reference: "timeMin: Lower bound (inclusive) for an event's end time" (events.list's
  // is exclusive). Event times are whole seconds, so a bound a millisecond earlier makes end > timeMin inclusive.
  if (window.timeMin) window.timeMin = new Date(window.timeMin.getTime() - 1);
  const originalStart = parseOriginalStart(query);
  let resources: Json[];
  if (isSeries(series)) {
    const exceptions = [...calendar.events.values()]
      .filter((event) => event.resource.recurringEventId === eventId)
      .map((event) => event.resource);
    resources = occurrencesOfSeries(series, exceptions, window, showDeleted, instanceIdOf(calendar));
  } else {
    // A single event is its own only instance.
    resources = overlaps(series, window, zone) ? [series] : [];
  }
  if (originalStart) {
    resources = resources.filter(
      (resource) =>
        resource.originalStartTime !== undefined &&
        instantOf(resource.originalStartTime as EventTime, zone) === originalStart.getTime(),
    );
  }
  const items = resources.map((resource) => ({ resource, key: startKey(resource, zone) }));
  const page = paginate(items, query, calendar.changeSeq, ctx.paging);
  return eventsPage(calendar, page, zone);
}

/**
 * `originalStart` of events.instances. The reference says only "The original start time of the instance in the
 * result" (a string); Google writes that time as an RFC 3339 date-time (`originalStartTime.dateTime`), so that
 * form alone is taken (stricter modelled assumption, for the live check to confirm): a date, a local time
 * without offset, a time without seconds or iCalendar's basic form answer 400 invalid.
 */
function parseOriginalStart(query: URLSearchParams): Date | undefined {
  const text = query.get('originalStart');
  if (text === null) return undefined;
  if (!RFC3339_DATE_TIME.test(text) || Number.isNaN(Date.parse(text)))
    throw apiErrors.invalid('Invalid value for originalStart: an RFC 3339 date-time is expected.');
  return new Date(text);
}

function expandedItems(
  calendar: StoredCalendar,
  events: StoredEvent[],
  window: Window,
  showDeleted: boolean,
  zone: string,
): Item[] {
  // Exceptions need their series to be expanded with, even when only the exception changed.
  const resources = events.map((event) => event.resource);
  const present = new Set(resources.map((resource) => resource.id));
  for (const resource of [...resources]) {
    const seriesId = resource.recurringEventId as string | undefined;
    const series = seriesId === undefined ? undefined : calendar.events.get(seriesId);
    if (series && !present.has(series.resource.id)) {
      present.add(series.resource.id);
      resources.push(series.resource);
    }
  }
  const changed = new Set(events.map((event) => event.resource.id));
  return occurrencesOfCalendar(resources, window, showDeleted, instanceIdOf(calendar))
    .filter(
      (resource) => changed.has(resource.id as string) || changed.has(resource.recurringEventId as string),
    )
    .map((resource) => ({ resource, key: startKey(resource, zone) }));
}

const startKey = (resource: Json, zone: string): string =>
  `${pad(instantOf(resource.start as EventTime, zone))}|${resource.id as string}`;

const orderKey = (event: StoredEvent, orderBy: string | null): string =>
  orderBy === 'updated' ? `${pad(event.updatedMs)}|${pad(event.seq)}` : pad(event.seq);

interface Page {
  items: Json[];
  nextPageToken: string | undefined;
  /** The change counter the listing started at (becomes the next sync token). */
  snapshot: number;
}

/**
 * One page of a listing. Pages stay stable under writes (a token remembers the last key served). With
 * `paging.shortPages` a listing that needs more than one page is served as the references allow ("The number
 * of events in the resulting page may be less than this value, or none at all, even if there are more events
 * matching the query. Incomplete pages can be detected by a non-empty nextPageToken field in the response."):
 * the first page holds half the page size, the second none, the later ones a full page.
 */
function paginate(items: Item[], query: URLSearchParams, changeSeq: number, paging: PagingOptions): Page {
  const size = Math.min(pageSize(query), paging.maxPageSize ?? Number.POSITIVE_INFINITY);
  const print = fingerprint(query);
  const tokenText = query.get('pageToken');
  let after: string | undefined;
  let snapshot = changeSeq;
  let pageIndex = 0;
  if (tokenText !== null) {
    const token = decode<PageToken>(tokenText);
    if (!token || token.f !== print || typeof token.k !== 'string' || typeof token.p !== 'number')
      throw apiErrors.invalid('Invalid page token.');
    after = token.k;
    snapshot = token.s;
    pageIndex = token.p;
  }
  const sorted = [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const remaining = after === undefined ? sorted : sorted.filter((item) => item.key > after);
  const served = paging.shortPages ? servedOnPage(pageIndex, size, remaining.length) : size;
  const pageItems = remaining.slice(0, served);
  const lastKey = pageItems[pageItems.length - 1]?.key ?? after ?? '';
  const nextPageToken =
    remaining.length > pageItems.length
      ? encode({ k: lastKey, p: pageIndex + 1, f: print, s: snapshot } satisfies PageToken)
      : undefined;
  return { items: pageItems.map((item) => item.resource), nextPageToken, snapshot };
}

/** How many items a page serves under `shortPages`: a listing that fits in one page is answered whole. */
function servedOnPage(pageIndex: number, size: number, remaining: number): number {
  if (pageIndex === 0) return remaining <= size ? size : Math.floor(size / 2);
  if (pageIndex === 1) return 0;
  return size;
}

/** The `calendar#events` answer of events.list and events.instances for one page. */
function eventsPage(calendar: StoredCalendar, page: Page, zone: string): Json {
  const body: Json = {
    kind: 'calendar#events',
    etag: calendar.etag,
    summary: calendar.resource.summary,
    updated: new Date(latestUpdate(calendar)).toISOString(),
    timeZone: calendar.resource.timeZone,
    accessRole: 'owner',
    defaultReminders: [],
    items: page.items.map((resource) => renderListItem(resource, zone)),
  };
  if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
  return body;
}

function renderListItem(resource: Json, zone: string): Json {
  return resource.status === 'cancelled'
    ? renderCancelledListItem(resource, zone)
    : renderEvent(resource, zone);
}

function latestUpdate(calendar: StoredCalendar): number {
  let latest = 0;
  for (const event of calendar.events.values()) latest = Math.max(latest, event.updatedMs);
  return latest;
}
