import { CalendarApiError } from '../shared/ports/calendar-gateway.ts';
import { NeedsReauthError } from '../shared/ports/oauth-client.ts';

/**
 * What a failed Google Calendar call means for the plan being applied. The call sequences and the retries read
 * the first ones; the others say how the operation, or the whole run, ends:
 * - `not_found` (404): no such event, or no such calendar (one probe per run tells which);
 * - `gone` (410): deleted already;
 * - `conflict` (409): an insert's id is taken, the event is there already (maybe cancelled);
 * - `precondition_failed` (412): the event changed since it was read (`If-Match`);
 * - `rate_limited` (429, 403 rate limits): Google's per-minute quota, retried after a pause that also holds back
 *   every other caller;
 * - `transient` (5xx, 408, no answer): retried after a pause;
 * - `invalid` (400): Google refuses the content; the same content would be refused again;
 * - `usage_limit` (403 `quotaExceeded`, the calendar usage limits): the run stops and cools down;
 * - `access_refused` (401, any other 403): the run stops, every other call would get the same;
 * - `needs_reauth`: the token source says the grant is gone; the run stops;
 * - `unexpected`: not Google's answer (the access token source failed, or a bug); the run stops;
 * - `other`: any other answer; the operation failed and the next sync retries it.
 */
export type GoogleErrorMeaning =
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'precondition_failed'
  | 'rate_limited'
  | 'transient'
  | 'invalid'
  | 'usage_limit'
  | 'access_refused'
  | 'needs_reauth'
  | 'unexpected'
  | 'other';

/** What an error thrown by a Google Calendar call means (pure: reads the error, nothing else). */
export function classifyGoogleError(error: unknown): GoogleErrorMeaning {
  if (error instanceof NeedsReauthError) return 'needs_reauth';
  if (!(error instanceof CalendarApiError)) return 'unexpected';
  if (error.isUsageLimit) return 'usage_limit';
  if (error.isRateLimit) return 'rate_limited';
  switch (error.status) {
    case undefined:
    case 408:
      return 'transient';
    case 400:
      return 'invalid';
    case 401:
    case 403:
      return 'access_refused';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 410:
      return 'gone';
    case 412:
      return 'precondition_failed';
    default:
      return error.status >= 500 ? 'transient' : 'other';
  }
}

/** Worth the same call again after a pause. */
export const isRetryable = (meaning: GoogleErrorMeaning): boolean =>
  meaning === 'transient' || meaning === 'rate_limited';
