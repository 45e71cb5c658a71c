import type { ConnectionStatusView } from '../../lambdas/oauth/use-cases/connection-status.ts';
import type { HostEvent } from '../../lambdas/shared/ports/host-events.ts';
import type { Answer } from '../demo-host/service-client.ts';
import { escapeHtml, flashHtml, page } from './layout.ts';
import { panelKind, statusPanel, statusRegion } from './status-panel.ts';

export interface Flash {
  kind: 'success' | 'error';
  text: string;
}

export interface SubscriptionPageInput {
  /** The service's API, where the connect form posts. */
  apiBaseUrl: string;
  feedToken: string;
  feedUrl: string;
  /** The feed's own name (X-WR-CALNAME). */
  calendarName: string;
  /** The name of the dedicated calendar in Google (CALENDAR_NAME). */
  googleCalendarName: string;
  /** A fresh connect intent for this rendering, bound to `returnTo`. */
  connectIntent: string;
  returnTo: string;
  status: Answer<ConnectionStatusView>;
  hostEvent?: HostEvent;
  flash?: Flash;
  /** Where the subscriber sees their Google calendar (the emulator's page in the local run). */
  googleLink: { href: string; text: string };
}

/**
 * The demo host's subscription page: the feed with its "Add to" buttons and "Connect Google Calendar", and once
 * connected the status, "Sync now" and "Disconnect". Every action is a plain form (no script needed); the page's
 * small script only keeps the status current.
 */
export function subscriptionPage(input: SubscriptionPageInput): string {
  const kind = panelKind(input.status);
  const connected =
    kind === 'connected' || kind === 'needs_reauth' || kind === 'feed_gone' || kind === 'calendar_missing';
  const main = `<h1>Your calendar subscription</h1>
${flashHtml(input.flash)}
<section aria-labelledby="feed-heading">
<h2 id="feed-heading">${escapeHtml(input.calendarName)}</h2>
<p>Your personal calendar link: <code>${escapeHtml(input.feedUrl)}</code></p>
<ul class="actions" aria-label="Add this calendar">
<li><a class="button" href="${escapeHtml(webcalUrl(input.feedUrl))}">Add to Apple Calendar</a></li>
<li><a class="button" href="${escapeHtml(outlookUrl(input.feedUrl, input.calendarName))}">Add to Outlook</a></li>
${kind === 'connected' ? '' : `<li>${connectForm(input, connected ? 'Reconnect Google Calendar' : 'Connect Google Calendar')}</li>`}
</ul>
<p class="hint">${kind === 'connected' ? 'Your Google Calendar is connected and updates by itself (status below).' : 'Google asks you to sign in once; after that your Google Calendar stays up to date by itself.'}</p>
</section>
<section aria-labelledby="google-heading">
<h2 id="google-heading">Google Calendar</h2>
${statusRegion(statusPanel(input.status, input.hostEvent))}
${connected ? connectedActions(input) : ''}
<p><a href="${escapeHtml(input.googleLink.href)}">${escapeHtml(input.googleLink.text)}</a></p>
</section>
<section aria-labelledby="try-heading">
<h2 id="try-heading">Try a change</h2>
<p>Change the feed as the ICS service would: the host tells the sync service at once, and the change reaches
Google within seconds, with no button pressed.</p>
<ul class="actions">
<li><form method="post" action="/demo/feed-change"><button type="submit" class="button">Add an event to the feed</button></form></li>
<li><a class="button" href="/demo/edit">Edit the feed</a></li>
</ul>
</section>`;
  return page({ title: 'Your calendar subscription', main, script: true, data: { status: kind } });
}

/** The form docs/integrating.md shows for a host's page: token, return_to and a fresh connect intent, posted to start. */
function connectForm(input: SubscriptionPageInput, label: string): string {
  return `<form method="post" action="${escapeHtml(input.apiBaseUrl)}/api/google-oauth/start">
<input type="hidden" name="token" value="${escapeHtml(input.feedToken)}">
<input type="hidden" name="return_to" value="${escapeHtml(input.returnTo)}">
<input type="hidden" name="intent" value="${escapeHtml(input.connectIntent)}">
<button type="submit" class="button primary">${escapeHtml(label)}</button>
</form>`;
}

function connectedActions(input: SubscriptionPageInput): string {
  const syncNow =
    panelKind(input.status) === 'connected'
      ? `<form method="post" action="/demo/sync"><button type="submit" class="button">Sync now</button></form>`
      : '';
  return `<div class="actions">${syncNow}</div>
<form method="post" action="/demo/disconnect">
<fieldset>
<legend>Disconnect Google Calendar</legend>
<p class="hint">Syncing stops and this site forgets your Google access.</p>
<div class="check"><input type="checkbox" id="delete-calendar" name="deleteCalendar" value="true">
<label for="delete-calendar">Also delete the “${escapeHtml(input.googleCalendarName)}” calendar from my Google account</label></div>
<button type="submit" class="button danger">Disconnect</button>
</fieldset>
</form>`;
}

const webcalUrl = (feedUrl: string) => feedUrl.replace(/^https?:/, 'webcal:');

const outlookUrl = (feedUrl: string, name: string) =>
  `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(feedUrl)}&name=${encodeURIComponent(name)}`;
