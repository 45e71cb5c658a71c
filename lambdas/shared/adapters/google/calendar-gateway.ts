import type { calendar_v3 } from '@googleapis/calendar';
import type { OwnedFields } from '../../domain/reconcile/owned-fields.ts';
import {
  CalendarApiError,
  type CalendarGateway,
  type EventsListPage,
  type EventsListQuery,
  type FetchedEvent,
  type InstancesPage,
  type InstancesQuery,
} from '../../ports/calendar-gateway.ts';
import { calendarApi, googleFailureOf, withAccessToken } from './requests.ts';

export interface GoogleCalendarGatewayOptions {
  /** Passed as `rootUrl` (Google's host in AWS, the emulator's base URL in tests). */
  rootUrl: string;
  /** A valid access token for the subscriber; called before every request (the source caches). */
  accessToken: () => Promise<string>;
  /**
   * Google answered 401 to the token: the source should drop it from its cache, or every later request (and
   * the next runs) would present a revoked token until it expired, up to an hour.
   */
  tokenRefused?: () => void;
  /** Per HTTP request. */
  timeoutMs?: number;
}

/**
 * Calendar API v3 events through `@googleapis/calendar`, with the client's own retries turned off: the engine
 * retries and paces, and counts every request it makes. Errors become CalendarApiError, built only from the
 * status, Google's reason and message and `Retry-After` (requests.ts: the library's errors are never passed on).
 */
export class GoogleCalendarGateway implements CalendarGateway {
  private readonly api: calendar_v3.Calendar;

  constructor(private readonly options: GoogleCalendarGatewayOptions) {
    this.api = calendarApi({
      rootUrl: options.rootUrl,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: false,
    });
  }

  async insert(calendarId: string, eventId: string, fields: OwnedFields): Promise<void> {
    const requestBody = { ...fields, id: eventId };
    await this.call((options) =>
      this.api.events.insert({ calendarId, requestBody, sendUpdates: 'none' }, options),
    );
  }

  async get(calendarId: string, eventId: string): Promise<FetchedEvent> {
    const { data } = await this.call((options) => this.api.events.get({ calendarId, eventId }, options));
    return fetched(data);
  }

  async update(
    calendarId: string,
    eventId: string,
    resource: Record<string, unknown>,
    etag: string,
  ): Promise<void> {
    await this.call(
      (options) =>
        this.api.events.update(
          { calendarId, eventId, requestBody: resource as calendar_v3.Schema$Event, sendUpdates: 'none' },
          options,
        ),
      { 'If-Match': etag },
    );
  }

  async instances(calendarId: string, seriesId: string, query: InstancesQuery): Promise<InstancesPage> {
    const { data } = await this.call((options) =>
      this.api.events.instances(
        {
          calendarId,
          eventId: seriesId,
          showDeleted: true,
          maxResults: MAX_PAGE_SIZE,
          ...(query.originalStart ? { originalStart: query.originalStart } : {}),
          ...(query.timeMin ? { timeMin: query.timeMin } : {}),
          ...(query.timeMax ? { timeMax: query.timeMax } : {}),
          ...(query.pageToken ? { pageToken: query.pageToken } : {}),
        },
        options,
      ),
    );
    return {
      items: (data.items ?? []).map(fetched),
      ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
    };
  }

  async delete(calendarId: string, eventId: string): Promise<void> {
    await this.call((options) =>
      this.api.events.delete({ calendarId, eventId, sendUpdates: 'none' }, options),
    );
  }

  async listEvents(calendarId: string, query: EventsListQuery): Promise<EventsListPage> {
    try {
      const { data } = await this.call((options) =>
        this.api.events.list(
          {
            calendarId,
            showDeleted: true,
            singleEvents: false,
            maxResults: MAX_PAGE_SIZE,
            ...(query.syncToken ? { syncToken: query.syncToken } : {}),
            ...(query.pageToken ? { pageToken: query.pageToken } : {}),
          },
          options,
        ),
      );
      return {
        kind: 'page',
        items: (data.items ?? []).flatMap(listed),
        ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
        ...(data.nextSyncToken ? { nextSyncToken: data.nextSyncToken } : {}),
      };
    } catch (error) {
      // Google's incremental sync guide: a sync token the server invalidated answers 410; start over in full.
      if (query.syncToken && error instanceof CalendarApiError && error.status === 410)
        return { kind: 'full_sync_required' };
      throw error;
    }
  }

  async calendarExists(calendarId: string): Promise<boolean> {
    try {
      await this.call((options) =>
        this.api.events.list({ calendarId, maxResults: 1, fields: 'items(id)' }, options),
      );
      return true;
    } catch (error) {
      if (error instanceof CalendarApiError && (error.status === 404 || error.status === 410)) return false;
      throw error;
    }
  }

  private async call<T>(
    request: (options: { headers: Record<string, string> }) => Promise<T>,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const token = await this.options.accessToken();
    try {
      return await request(withAccessToken(token, headers));
    } catch (error) {
      const failure = toCalendarApiError(error);
      if (failure.status === 401) this.options.tokenRefused?.();
      throw failure;
    }
  }
}

/**
 * The largest page `events.instances` and `events.list` serve (their references: "The page size can never be
 * larger than 2500").
 */
const MAX_PAGE_SIZE = 2500;

function fetched(data: calendar_v3.Schema$Event): FetchedEvent {
  if (typeof data.id !== 'string' || typeof data.etag !== 'string') {
    throw new CalendarApiError(502, undefined, undefined, 'an event without id or etag in the answer');
  }
  return { id: data.id, etag: data.etag, resource: data as Record<string, unknown> };
}

/** An item of a listing: read, never updated from, so one without an ETag is kept (an id is all it needs). */
function listed(data: calendar_v3.Schema$Event): FetchedEvent[] {
  if (typeof data.id !== 'string') return [];
  return [{ id: data.id, etag: data.etag ?? '', resource: data as Record<string, unknown> }];
}

function toCalendarApiError(error: unknown): CalendarApiError {
  const failure = googleFailureOf(error);
  if (failure.status === undefined) {
    // No answer: only the system error code (ECONNRESET, ETIMEDOUT...).
    return new CalendarApiError(undefined, undefined, undefined, failure.networkCode ?? 'network error');
  }
  const detail = (failure.message ?? `HTTP ${failure.status}`).slice(0, 200);
  return new CalendarApiError(
    failure.status,
    failure.reason,
    failure.retryAfterMs,
    detail,
    failure.overQuota,
    failure.overDailyLimit,
  );
}
