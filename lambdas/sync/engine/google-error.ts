import { CalendarApiError } from '../../shared/ports/calendar-gateway.ts';
import { NeedsReauthError } from '../../shared/ports/oauth-client.ts';

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
 * - `daily_limit` (403 `dailyLimitExceeded`, the project's daily quota): the run stops; every subscriber waits
 *   for Google's reset (midnight Pacific Time), none is to blame;
 * - `access_refused` (401, 403 `insufficientPermissions` and the other refusals of the whole calendar or
 *   project): the run stops, every other call would get the same;
 * - `event_refused` (any other 403: `forbidden`, `requiredAccessLevel`...): Google refuses this one event (it is
 *   reported to answer so when updating an event the user deleted in the Calendar UI); the other writes go on
 *   once a probe showed the calendar itself is still open to the service;
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
  | 'daily_limit'
  | 'access_refused'
  | 'event_refused'
  | 'needs_reauth'
  | 'unexpected'
  | 'other';

/**
 * 403 reasons that refuse the whole calendar or project rather than one event: the token lacks the scope, or the
 * calendar is not one this client may write (`calendar.app.created` calendars belong to the client that made
 * them); the Calendar API is not enabled for the project; the credentials themselves.
 */
const CALENDAR_REFUSALS: ReadonlySet<string> = new Set([
  'insufficientPermissions',
  'accessNotConfigured',
  'authError',
]);

/** What an error thrown by a Google Calendar call means (pure: reads the error, nothing else). */
export function classifyGoogleError(error: unknown): GoogleErrorMeaning {
  if (error instanceof NeedsReauthError) return 'needs_reauth';
  if (!(error instanceof CalendarApiError)) return 'unexpected';
  if (error.isDailyLimit) return 'daily_limit';
  if (error.isUsageLimit) return 'usage_limit';
  if (error.isRateLimit) return 'rate_limited';
  switch (error.status) {
    case undefined:
    case 408:
      return 'transient';
    case 400:
      return 'invalid';
    case 401:
      return 'access_refused';
    case 403:
      return CALENDAR_REFUSALS.has(error.reason ?? '') ? 'access_refused' : 'event_refused';
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
