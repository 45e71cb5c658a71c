import { calendar, type calendar_v3 } from '@googleapis/calendar';
import type { OwnedFields } from '../../domain/reconcile/owned-fields.ts';
import {
  CalendarApiError,
  type CalendarGateway,
  type FetchedEvent,
  type InstancesPage,
  type InstancesQuery,
  RATE_LIMIT_REASONS,
} from '../../ports/calendar-gateway.ts';

export interface GoogleCalendarGatewayOptions {
  /** Passed as `rootUrl` (Google's host in AWS, the emulator's base URL in tests). */
  rootUrl: string;
  /** A valid access token for the subscriber; called before every request (the source caches). */
  accessToken: () => Promise<string>;
  /** Per HTTP request. */
  timeoutMs?: number;
}

/**
 * Calendar API v3 events through `@googleapis/calendar`, with the client's own retries turned off: the engine
 * retries and paces, and counts every request it makes. Errors become CalendarApiError, built only from the
 * status, Google's reason and message and `Retry-After`: the library's errors hold the request headers
 * (the access token), so they are never passed on.
 */
export class GoogleCalendarGateway implements CalendarGateway {
  private readonly api: calendar_v3.Calendar;

  constructor(private readonly options: GoogleCalendarGatewayOptions) {
    this.api = calendar({
      version: 'v3',
      rootUrl: options.rootUrl,
      retry: false,
      timeout: options.timeoutMs ?? 30_000,
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
      return await request({ headers: { ...headers, Authorization: `Bearer ${token}` } });
    } catch (error) {
      throw toCalendarApiError(error);
    }
  }
}

/** The largest page `events.instances` serves (its reference: "The page size can never be larger than 2500"). */
const MAX_PAGE_SIZE = 2500;

function fetched(data: calendar_v3.Schema$Event): FetchedEvent {
  if (typeof data.id !== 'string' || typeof data.etag !== 'string') {
    throw new CalendarApiError(502, undefined, undefined, 'an event without id or etag in the answer');
  }
  return { id: data.id, etag: data.etag, resource: data as Record<string, unknown> };
}

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    /** google.rpc status name, e.g. RESOURCE_EXHAUSTED. */
    status?: string;
    errors?: { domain?: string; reason?: string; message?: string }[];
    /** google.rpc details; an ErrorInfo carries a reason such as RATE_LIMIT_EXCEEDED. */
    details?: { '@type'?: string; reason?: string }[];
  };
}

interface LibraryError {
  status?: number;
  code?: string | number;
  response?: { status?: number; data?: unknown; headers?: unknown };
}

function toCalendarApiError(error: unknown): CalendarApiError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as LibraryError;
  const status = failure.response?.status ?? failure.status;
  if (status === undefined) {
    // No answer: keep only the system error code (ECONNRESET, ETIMEDOUT...), never the message (it has the URL).
    const code = typeof failure.code === 'string' ? failure.code : 'network error';
    return new CalendarApiError(undefined, undefined, undefined, code);
  }
  const body = parseBody(failure.response?.data);
  const reason = body.error?.errors?.[0]?.reason;
  const detail = (body.error?.message ?? `HTTP ${status}`).slice(0, 200);
  return new CalendarApiError(
    status,
    reason,
    retryAfterMs(failure.response?.headers),
    detail,
    signalsQuota(body),
  );
}

/** Google's newer error forms say "over quota" without a Calendar reason, or in a later entry. */
function signalsQuota(body: GoogleErrorBody): boolean {
  const error = body.error;
  if (!error) return false;
  if (error.status === 'RESOURCE_EXHAUSTED') return true;
  if (error.errors?.some((entry) => RATE_LIMIT_REASONS.has(entry.reason ?? ''))) return true;
  return (
    Array.isArray(error.details) &&
    error.details.some(
      (detail) =>
        detail?.['@type']?.endsWith('google.rpc.ErrorInfo') && detail.reason === 'RATE_LIMIT_EXCEEDED',
    )
  );
}

function parseBody(data: unknown): GoogleErrorBody {
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as GoogleErrorBody;
    } catch {
      return {};
    }
  }
  return typeof data === 'object' && data !== null ? (data as GoogleErrorBody) : {};
}

/** `Retry-After` is either seconds or an HTTP date. */
function retryAfterMs(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  // A fetch Headers object (possibly from another realm, so no instanceof) or a plain record.
  const get = (headers as { get?: unknown }).get;
  const raw =
    typeof get === 'function'
      ? (get as (name: string) => unknown).call(headers, 'retry-after')
      : (headers as Record<string, unknown>)['retry-after'];
  const value = typeof raw === 'string' ? raw : undefined;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
