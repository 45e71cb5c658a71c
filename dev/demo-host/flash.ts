import type { Flash } from '../pages/subscription-page.ts';

/**
 * The message on top of the subscription page after an action, from the codes in its URL (never text from the
 * URL itself: a link cannot make the page say anything of its choosing).
 */
const CONNECT_FAILURES: Record<string, string> = {
  access_denied: 'You did not allow access on Google’s page, so nothing was connected.',
  insufficient_scope:
    'Google did not grant access to calendars (a box was unticked), so nothing was connected. Connect again and keep the calendar permission ticked.',
  no_refresh_token: 'Google did not grant lasting access. Please connect again.',
  authorization_failed: 'Google’s sign-in did not complete. Please connect again.',
  google_unavailable: 'Google could not be reached. Please try again in a minute.',
  calendar_unavailable: 'The calendar could not be created in your Google account. Please try again.',
  busy: 'Another connect finished at the same moment: this page shows the result.',
};

const REFUSALS: Record<string, string> = {
  rate_limited: 'Sync now works once a minute. Please try again shortly.',
  not_connected: 'Google Calendar is not connected. Connect it first.',
  needs_reauth: 'Google no longer accepts this connection. Please connect Google Calendar again.',
  feed_gone: 'Your calendar link stopped working, so syncing stopped. Please connect Google Calendar again.',
  sync_running: 'Your calendar is being updated right now. Please try again in a minute.',
  sync_unavailable: 'The sync could not be requested right now. Please try again in a minute.',
  unreachable: 'The sync service could not be reached. Is the local run still going?',
};

const DISCONNECTED: Record<string, string> = {
  deleted: 'Google Calendar is disconnected, and the calendar was deleted from your Google account.',
  kept: 'Google Calendar is disconnected. The calendar stays in your Google account, no longer updated.',
  already_gone: 'Google Calendar is disconnected (the calendar had already been deleted in Google).',
  delete_failed:
    'Google Calendar is disconnected, but the calendar could not be deleted: remove it in Google Calendar.',
  none: 'Google Calendar is disconnected.',
};

export function flashFrom(query: URLSearchParams): Flash | undefined {
  const google = query.get('google');
  if (google === 'connected') {
    return {
      kind: 'success',
      text: 'Google Calendar is connected. The first sync runs now; this page updates by itself.',
    };
  }
  if (google === 'error') {
    return {
      kind: 'error',
      text: CONNECT_FAILURES[query.get('reason') ?? ''] ?? 'Connecting did not complete. Please try again.',
    };
  }
  const sync = query.get('sync');
  if (sync === 'queued') {
    return { kind: 'success', text: 'Sync requested: your Google calendar is updated in a few seconds.' };
  }
  if (sync) return { kind: 'error', text: refusalText(sync) };
  const disconnected = query.get('disconnected');
  if (disconnected) return { kind: 'success', text: DISCONNECTED[disconnected] ?? DISCONNECTED.none ?? '' };
  const failed = query.get('failed');
  if (failed) return { kind: 'error', text: refusalText(failed) };
  if (query.get('feed') === 'changed') {
    return {
      kind: 'success',
      text: 'The feed changed and the sync service was told: watch the status below.',
    };
  }
  return undefined;
}

const refusalText = (code: string) =>
  REFUSALS[code] ?? `That did not work (${code.replace(/[^a-z_]/g, '').slice(0, 40)}). Please try again.`;
