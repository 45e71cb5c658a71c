import { HttpRefusal } from '../shared/adapters/http/refusal.ts';

/** Every refusal the OAuth routes can give, with its status and the sentence the subscriber sees. */
const CATALOG = {
  missing_token: [401, 'Send your calendar link token as "Authorization: Bearer <token>".'],
  invalid_token: [401, 'This calendar link is not valid or no longer active.'],
  feed_unavailable: [503, 'Your calendar link could not be checked right now. Please try again in a minute.'],
  state_missing: [400, 'This sign-in response is incomplete. Please start connecting again.'],
  state_invalid: [400, 'This sign-in attempt is unknown or was already used. Please start connecting again.'],
  state_expired: [400, 'This sign-in attempt took too long and expired. Please start connecting again.'],
  not_connected: [
    409,
    'This calendar link is not connected to Google Calendar. Connect it first, then sync.',
  ],
  needs_reauth: [
    409,
    'Google no longer accepts this connection. Please connect Google Calendar again, then sync.',
  ],
  sync_unavailable: [503, 'The sync could not be requested right now. Please try again in a minute.'],
  sync_running: [409, 'Your calendar is being updated right now. Please try again in a minute.'],
  feed_gone: [
    409,
    'Your calendar link stopped working, so syncing stopped. Please connect Google Calendar again, then sync.',
  ],
  intent_required: [
    403,
    'This action must be confirmed from your calendar settings page. Please start it there again.',
  ],
  intent_malformed: [400, 'The confirmation sent with this request is not in the expected format.'],
  intent_unknown_key: [403, 'The confirmation sent with this request was signed with an unknown key.'],
  intent_bad_signature: [403, 'The confirmation sent with this request is not genuine.'],
  intent_wrong_action: [403, 'The confirmation sent with this request was made for another action.'],
  intent_wrong_feed: [403, 'The confirmation sent with this request was made for another calendar link.'],
  intent_wrong_return_to: [403, 'The confirmation sent with this request was made for another return page.'],
  intent_expired: [
    403,
    'This confirmation has expired. Please go back to your calendar settings page and try again.',
  ],
  intent_too_long: [403, 'The confirmation sent with this request is valid for longer than 10 minutes.'],
  intent_used: [
    409,
    'This confirmation was already used. Please go back to your calendar settings page and try again.',
  ],
  intent_keys_unavailable: [
    503,
    'This request could not be confirmed right now. Please try again in a minute.',
  ],
  browser_mismatch: [
    400,
    'This sign-in attempt was started in another browser. Please start connecting again in this browser.',
  ],
} as const satisfies Record<string, readonly [number, string]>;

export type RefusalCode = keyof typeof CATALOG;

export function refusal(code: RefusalCode): HttpRefusal {
  const [status, message] = CATALOG[code];
  const headers: Record<string, string> = {};
  if (code === 'missing_token') headers['WWW-Authenticate'] = 'Bearer';
  if (code === 'invalid_token') headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  if (status === 503) headers['Retry-After'] = '60';
  return new HttpRefusal(status, code, message, headers);
}
