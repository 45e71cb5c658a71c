import { createHash } from 'node:crypto';
import type { ConnectionStatusView } from '../../lambdas/oauth/use-cases/connection-status.ts';
import type { SyncOutcome } from '../../lambdas/shared/domain/sync-result.ts';
import type { HostEvent } from '../../lambdas/shared/ports/host-events.ts';
import type { Answer } from '../demo-host/service-client.ts';
import { escapeHtml, timeHtml } from './layout.ts';

/** What the page shows, by the connection's state (`unknown`: the status could not be read). */
export type PanelKind = ConnectionStatusView['status'] | 'unknown';

export const panelKind = (answer: Answer<ConnectionStatusView>): PanelKind =>
  answer.ok ? answer.body.status : 'unknown';

const OUTCOMES: Record<SyncOutcome, string> = {
  synced: 'the calendar equals the feed',
  unchanged: 'the feed had not changed',
  partial: 'some changes failed: the next sync retries them',
  feed_error: 'the feed could not be read, nothing was removed',
  deletions_held: 'removals held back until the next sync sees the same feed',
  calendar_missing: 'the calendar was deleted in Google',
  cooling_down: "paused after Google's usage limits",
  needs_reauth: 'Google refused access',
  busy: 'another sync was running',
};

const HOST_EVENTS: Record<string, string> = {
  connected: 'connected',
  replaced: 'connected again',
  disconnected: 'disconnected',
  needs_reauth: 'needs a reconnect',
  feed_gone: 'the calendar link stopped working',
  calendar_missing: 'the Google calendar was deleted',
};

/**
 * The status of the subscriber's Google connection as the host shows it: state, last sync, event count,
 * warnings, and what the service last told the host. Only words and times: it is re-rendered while the
 * subscriber watches (a polite live region), so it holds no control.
 */
export function statusPanel(answer: Answer<ConnectionStatusView>, hostEvent?: HostEvent): string {
  if (!answer.ok) {
    const retry = answer.retryAfterSeconds ? ` It is checked again in ${answer.retryAfterSeconds} s.` : '';
    return `<p><span class="badge neutral">Status unavailable</span> ${escapeHtml(answer.message)}${retry}</p>`;
  }
  const view = answer.body;
  const rows: [string, string][] = [['Status', stateBadge(view)]];
  if (view.connectedAt) rows.push(['Connected since', timeHtml(view.connectedAt)]);
  if (view.googleAccountChangedAt) {
    rows.push([
      'Google account',
      `changed to a different account on ${timeHtml(view.googleAccountChangedAt)}`,
    ]);
  }
  if (view.needsReauthSince) rows.push(['Access lost', timeHtml(view.needsReauthSince)]);
  if (view.feedGoneSince) rows.push(['Feed unreachable since', timeHtml(view.feedGoneSince)]);
  if (view.calendarMissingSince) rows.push(['Calendar deleted', timeHtml(view.calendarMissingSince)]);
  if (view.abandonedCalendarId) {
    rows.push([
      'Previous calendar',
      `<code>${escapeHtml(view.abandonedCalendarId)}</code> is no longer reachable by this service (its Google app changed); a new calendar replaced it. Remove the old one in Google Calendar.`,
    ]);
  }
  if (view.status !== 'not_connected') {
    rows.push(['Last sync', lastSync(view)]);
    rows.push([
      'Events in Google',
      view.eventCount === undefined ? 'not counted yet' : `${view.eventCount} (a series counts once)`,
    ]);
    rows.push(['Warnings', warnings(view)]);
  }
  if (view.heldDeletions > 0) {
    rows.push([
      'Held back',
      `${view.heldDeletions} deletions wait for the next sync to see the same shrunken feed`,
    ]);
  }
  if (view.coolDownUntil) rows.push(['Paused until', timeHtml(view.coolDownUntil)]);
  if (hostEvent) {
    const said = HOST_EVENTS[hostEvent.event] ?? hostEvent.event;
    rows.push(['Last message to this site', `${escapeHtml(said)} (${timeHtml(hostEvent.at)})`]);
  }
  return `<dl class="status">${rows.map(([term, detail]) => `<dt>${term}</dt><dd>${detail}</dd>`).join('')}</dl>`;
}

function stateBadge(view: ConnectionStatusView): string {
  switch (view.status) {
    case 'connected':
      return '<span class="badge good">Connected</span>';
    case 'needs_reauth':
      return '<span class="badge bad">Needs reconnecting</span> Google no longer accepts this connection: connect again to resume syncing.';
    case 'feed_gone':
      return '<span class="badge bad">Feed gone</span> Your calendar link stopped working, so syncing stopped. Connect again once it works.';
    case 'calendar_missing':
      return '<span class="badge bad">Calendar deleted</span> The Google calendar of this feed was deleted, so syncing stopped. Connect again to make a new one.';
    default:
      return '<span class="badge neutral">Not connected</span>';
  }
}

function lastSync(view: ConnectionStatusView): string {
  const last = view.lastSync;
  if (!last) return view.status === 'connected' ? 'not yet: the first sync runs in a moment' : 'none';
  const outcome = OUTCOMES[last.outcome] ?? last.outcome;
  const errors = last.errors.length > 0 ? ` ${escapeHtml(last.errors.join(' '))}` : '';
  const counts = `${last.created} added, ${last.updated} updated, ${last.deleted} removed`;
  return `${timeHtml(last.finishedAt ?? last.startedAt)}: ${escapeHtml(outcome)} (${counts}).${errors}`;
}

function warnings(view: ConnectionStatusView): string {
  const list = view.lastSync?.warnings ?? [];
  if (list.length === 0) return 'none';
  return `<ul>${list.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`;
}

/** A short fingerprint of a rendered panel: the page script replaces the panel only when it changes. */
export const panelVersion = (html: string): string =>
  createHash('sha256').update(html).digest('base64url').slice(0, 16);

/** The live region holding the panel, with the fingerprint of what it shows. */
export const statusRegion = (html: string): string =>
  `<div id="sync-status" aria-live="polite" data-version="${panelVersion(html)}">${html}</div>`;
