import { HOST_REQUEST_REFUSALS } from '../../shared/adapters/http/host-signature.ts';
import { RATE_LIMITED, type RefusalAnswer, type RefusalAnswers } from '../../shared/adapters/http/refusal.ts';
import type { HostRequestRefusalCode } from '../../shared/use-cases/authenticate-host-request.ts';
import type { RefusalCode } from '../rules/refusals.ts';

/** A passing failure: 503, try again in a minute. */
const unavailable = (message: string): RefusalAnswer => ({
  status: 503,
  message,
  headers: { 'Retry-After': '60' },
});

/** How the OAuth routes answer each refusal of their use cases: the status and the sentence the subscriber sees. */
export const OAUTH_REFUSALS = {
  rate_limited: RATE_LIMITED,
  // A host-signed request (status, "sync now", disconnect) whose signature or nonce is refused.
  ...HOST_REQUEST_REFUSALS,
  missing_token: {
    status: 401,
    message: 'Send your calendar link token as "Authorization: Bearer <token>".',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  invalid_token: {
    status: 401,
    message: 'This calendar link is not valid or no longer active.',
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  },
  feed_unavailable: unavailable(
    'Your calendar link could not be checked right now. Please try again in a minute.',
  ),
  state_missing: {
    status: 400,
    message: 'This sign-in response is incomplete. Please start connecting again.',
  },
  state_invalid: {
    status: 400,
    message: 'This sign-in attempt is unknown or was already used. Please start connecting again.',
  },
  state_expired: {
    status: 400,
    message: 'This sign-in attempt took too long and expired. Please start connecting again.',
  },
  not_connected: {
    status: 409,
    message: 'This calendar link is not connected to Google Calendar. Connect it first, then sync.',
  },
  needs_reauth: {
    status: 409,
    message: 'Google no longer accepts this connection. Please connect Google Calendar again, then sync.',
  },
  sync_unavailable: unavailable('The sync could not be requested right now. Please try again in a minute.'),
  sync_running: {
    status: 409,
    message: 'Your calendar is being updated right now. Please try again in a minute.',
  },
  feed_gone: {
    status: 409,
    message:
      'Your calendar link stopped working, so syncing stopped. Please connect Google Calendar again, then sync.',
  },
  calendar_missing: {
    status: 409,
    message:
      'Your Google calendar for this feed was deleted, so syncing stopped. Connect Google Calendar again to make a new one.',
  },
  intent_required: {
    status: 403,
    message: 'This action must be confirmed from your calendar settings page. Please start it there again.',
  },
  intent_malformed: {
    status: 400,
    message: 'The confirmation sent with this request is not in the expected format.',
  },
  intent_unknown_key: {
    status: 403,
    message: 'The confirmation sent with this request was signed with an unknown key.',
  },
  intent_bad_signature: { status: 403, message: 'The confirmation sent with this request is not genuine.' },
  intent_wrong_action: {
    status: 403,
    message: 'The confirmation sent with this request was made for another action.',
  },
  intent_wrong_feed: {
    status: 403,
    message: 'The confirmation sent with this request was made for another calendar link.',
  },
  intent_wrong_return_to: {
    status: 403,
    message: 'The confirmation sent with this request was made for another return page.',
  },
  intent_expired: {
    status: 403,
    message: 'This confirmation has expired. Please go back to your calendar settings page and try again.',
  },
  intent_too_long: {
    status: 403,
    message: 'The confirmation sent with this request is valid for longer than 10 minutes.',
  },
  intent_used: {
    status: 409,
    message:
      'This confirmation was already used. Please go back to your calendar settings page and try again.',
  },
  intent_keys_unavailable: unavailable(
    'This request could not be confirmed right now. Please try again in a minute.',
  ),
  browser_mismatch: {
    status: 400,
    message:
      'This sign-in attempt was started in another browser. Please start connecting again in this browser.',
  },
} satisfies RefusalAnswers<RefusalCode | HostRequestRefusalCode | 'rate_limited'>;
