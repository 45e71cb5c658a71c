/**
 * What the Google adapters share: the Calendar client, one way to authorise a call (the subscriber's access
 * token as a bearer header), and one reading of a failed call. The libraries' errors hold the request (headers
 * with the access token, URLs and bodies with tokens or codes), so an adapter never passes them on, not even as
 * a cause: it reads them here and throws its own typed error made of what this keeps.
 */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { DAILY_LIMIT_REASON, RATE_LIMIT_REASONS } from '../../ports/calendar-gateway.ts';

export interface CalendarApiOptions {
  /** Passed as `rootUrl` (Google's host in AWS, the emulator's base URL in tests). */
  rootUrl: string;
  /** Per HTTP request. */
  timeoutMs: number;
  /** `false` leaves retrying to the caller; by default the library retries idempotent calls on 5xx and 429. */
  retry?: boolean;
}

/** Calendar API v3 through `@googleapis/calendar`; every call passes `withAccessToken` as its options. */
export function calendarApi({ rootUrl, timeoutMs, retry }: CalendarApiOptions): calendar_v3.Calendar {
  return calendar({ version: 'v3', rootUrl, timeout: timeoutMs, ...(retry === undefined ? {} : { retry }) });
}

/**
 * The options of a Calendar call made for a subscriber: the access token as a bearer header (obtaining and
 * refreshing it is the access token provider's job), with any other headers of the call.
 */
export function withAccessToken(
  accessToken: string,
  headers: Record<string, string> = {},
): { headers: Record<string, string> } {
  return { headers: { ...headers, Authorization: `Bearer ${accessToken}` } };
}

/** What a failed call to Google said; nothing of the request. */
export interface GoogleFailure {
  /** The HTTP status; undefined when no answer came. */
  status: number | undefined;
  /** Without an answer: the system error code (ECONNRESET, ETIMEDOUT...), never the message (it has the URL). */
  networkCode: string | undefined;
  /** The Calendar API's first `errors[].reason` (`notFound`, `rateLimitExceeded`...). */
  reason: string | undefined;
  /** The Calendar API's `error.message`. */
  message: string | undefined;
  /** An OAuth endpoint's `error` (`invalid_grant`, `invalid_client`...). */
  oauthError: string | undefined;
  /** `Retry-After`, in milliseconds from now. */
  retryAfterMs: number | undefined;
  /** Google said "over quota", in any of its forms. */
  overQuota: boolean;
  /** Google said the project's daily limit is reached, in any of its forms. */
  overDailyLimit: boolean;
}

/** The answer bodies of Google's two error shapes: the Calendar API's and the OAuth endpoints'. */
interface GoogleErrorBody {
  error?:
    | string
    | {
        code?: number;
        message?: string;
        /** google.rpc status name, e.g. RESOURCE_EXHAUSTED. */
        status?: string;
        errors?: { domain?: string; reason?: string; message?: string }[];
        /** google.rpc details; an ErrorInfo carries a reason such as RATE_LIMIT_EXCEEDED. */
        details?: { '@type'?: string; reason?: string }[];
      };
}

/** What the libraries (gaxios underneath both) throw. */
interface LibraryError {
  status?: unknown;
  code?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

/** Reads a failed call of `@googleapis/calendar` or google-auth-library. */
export function googleFailureOf(error: unknown): GoogleFailure {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as LibraryError;
  const status = failure.response?.status ?? failure.status;
  const body = parseBody(failure.response?.data);
  const apiError = typeof body.error === 'object' ? body.error : undefined;
  const reason = apiError?.errors?.[0]?.reason;
  return {
    status: typeof status === 'number' ? status : undefined,
    networkCode: typeof failure.code === 'string' ? failure.code : undefined,
    reason: typeof reason === 'string' ? reason : undefined,
    message: typeof apiError?.message === 'string' ? apiError.message : undefined,
    oauthError: typeof body.error === 'string' ? body.error : undefined,
    retryAfterMs: retryAfterMs(failure.response?.headers),
    overQuota: signalsQuota(apiError),
    overDailyLimit: signalsDailyLimit(apiError),
  };
}

/**
 * The daily limit as reason `dailyLimitExceeded` (in any `errors` entry), or as the quota message Google gives for
 * it: "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' ..." (per-minute limits say "per
 * minute").
 */
function signalsDailyLimit(error: Exclude<GoogleErrorBody['error'], string>): boolean {
  if (!error) return false;
  if (error.errors?.some((entry) => entry.reason === DAILY_LIMIT_REASON)) return true;
  return typeof error.message === 'string' && /quota/i.test(error.message) && /per day/i.test(error.message);
}

/** Google's newer error forms say "over quota" without a Calendar reason, or in a later entry. */
function signalsQuota(error: Exclude<GoogleErrorBody['error'], string>): boolean {
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

/** The answer body, parsed when it came as text; `{}` when it is not a JSON object. */
function parseBody(data: unknown): GoogleErrorBody {
  let body = data;
  if (typeof data === 'string') {
    try {
      body = JSON.parse(data);
    } catch {
      return {};
    }
  }
  return typeof body === 'object' && body !== null ? (body as GoogleErrorBody) : {};
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
