import type { APIGatewayProxyResult } from 'aws-lambda';
import { escapeHtml } from '../../shared/adapters/http/responses.ts';
import { displayText } from '../../shared/domain/calendar-name.ts';

export interface ConfirmationPage {
  /**
   * The feed's X-WR-CALNAME, unescaped (it is escaped here); undefined when the feed has none. Whoever writes the
   * feed chose it (a subscriber mailing their own link chooses what the victim reads), so it is labelled so.
   */
  calendarName: string | undefined;
  /** The host's name for the calendar, from its signed intent (`label`); shown as the host's word. */
  hostLabel?: string | undefined;
  /** The dedicated calendar's name in Google (CALENDAR_NAME). */
  googleCalendarName: string;
  /** The fields the form posts back, exactly as they came (token, intent, return_to). */
  fields: Record<string, string | undefined>;
  cancelHref: string;
  /** Origins the form may post to and be redirected to: this service's own, and Google's consent page. */
  formActionOrigins: string[];
}

/**
 * The page a start link shows instead of going to Google: a link (mailed, chatted, planted) can show it, but
 * only a person reading it and pressing the button connects, and the page names whose calendar it is. No script
 * at all; every value is escaped; the form posts the same fields to POST start (relative action, so a stage or
 * custom domain prefix is kept, and the feed token leaves the URL). form-action also lists Google: browsers
 * apply it to the redirect that answers the form.
 */
export function confirmationPage(page: ConfirmationPage): APIGatewayProxyResult {
  // Both names are someone else's text: no bidi overrides or invisible characters reach the page.
  const feedName = page.calendarName === undefined ? undefined : displayText(page.calendarName);
  const hostLabel = page.hostLabel === undefined ? undefined : displayText(page.hostLabel);
  const named = feedName
    ? ` (the feed names itself <strong>“${escapeHtml(feedName)}”</strong>, a name its owner chose)`
    : '';
  const calendar = hostLabel
    ? `the calendar your calendar service signed as <strong>“${escapeHtml(hostLabel)}”</strong>${named}`
    : feedName
      ? `the calendar <strong>“${escapeHtml(feedName)}”</strong> (its name as written in the feed, chosen by its owner)`
      : 'this calendar feed';
  const hidden = Object.entries(page.fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Connect Google Calendar</title></head>' +
    '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">' +
    '<h1>Connect Google Calendar</h1>' +
    `<p>You are about to connect ${calendar} to a Google account.</p>` +
    '<p>Google will ask you to choose an account and to allow access. This service then creates a calendar ' +
    `named “${escapeHtml(page.googleCalendarName)}” in that account and keeps it equal to this feed.</p>` +
    '<p><strong>Only continue if this is your own calendar.</strong> If someone sent you this link, do not ' +
    'continue: their calendar would be written into your Google account.</p>' +
    `<form method="post" action="start">${hidden}<button type="submit">Connect Google Calendar</button></form>` +
    `<p><a href="${escapeHtml(page.cancelHref)}">Cancel</a></p></body></html>`;
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `form-action 'self' ${page.formActionOrigins.join(' ')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    statusCode: 200,
    headers: {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      // Not no-referrer: with it browsers send `Origin: null` on the form's POST, which POST start refuses.
      // strict-origin sends the origin alone (never this URL, which holds the token and intent).
      'Referrer-Policy': 'strict-origin',
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp,
      'X-Frame-Options': 'DENY',
    },
    body,
  };
}
