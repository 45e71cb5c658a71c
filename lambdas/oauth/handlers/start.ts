import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import * as z from 'zod';
import { GOOGLE_ENDPOINTS } from '../../shared/adapters/google/endpoints.ts';
import { HttpRefusal } from '../../shared/adapters/http/refusal.ts';
import { clientIp, header, parseInput, queryParameters } from '../../shared/adapters/http/request.ts';
import { redirectResponse } from '../../shared/adapters/http/responses.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { MAX_INTENT_LENGTH } from '../rules/connect-intent.ts';
import { prepareConnect, startConnect } from '../use-cases/start-connect.ts';
import { confirmationPage } from './confirmation-page.ts';
import { type RouteContext, route } from './route.ts';

/** Lengths well above any real value; longer input is refused before any work. */
const startInput = z.object({
  token: z.string().max(1024).optional(),
  return_to: z.string().max(4096).optional(),
  intent: z.string().max(MAX_INTENT_LENGTH).optional(),
});

/**
 * GET /api/google-oauth/start?token=...&intent=...&return_to=... : never goes to Google by itself. It shows a
 * confirmation page naming the feed's calendar, whose button posts the same fields to POST start: a link mailed
 * or planted with someone else's token (and even their intent) connects nothing unless the visitor reads the
 * page and presses the button. The intent is checked here without being used up. A link followed from another
 * site (`Sec-Fetch-Site: cross-site`) is still refused unless that site is one of the service's own pages.
 */
export const startFromQuery = (context: RouteContext) =>
  route('html', context, async (event, deps) => {
    // Turned off (CONNECT_LINK=false): no link can start a connect, whatever it carries; nothing is read.
    if (!deps.config.oauth.connectLink) {
      throw new HttpRefusal(
        404,
        'connect_link_off',
        'Connecting by link is turned off: use the Connect button on your calendar service’s settings page.',
      );
    }
    const crossSite = header(event, 'sec-fetch-site')?.trim().toLowerCase() === 'cross-site';
    if (crossSite && !isOwnPage(deps, originOf(header(event, 'referer')))) {
      throw forbiddenOrigin('This link may only be opened from the service’s own pages.');
    }
    const input = parseInput(startInput, queryParameters(event));
    const outcome = await prepareConnect(deps, startRequest(event, input));
    return confirmationPage({
      calendarName: outcome.calendarName,
      hostLabel: outcome.hostLabel,
      googleCalendarName: deps.config.calendar.name,
      fields: { token: input.token, intent: input.intent, return_to: input.return_to },
      cancelHref: outcome.returnTo,
      formActionOrigins: [googleConsentOrigin(deps)],
    });
  });

/**
 * POST /api/google-oauth/start (form): 302 to Google's consent page, with the host's connect intent (used up
 * here). Browsers send an Origin with every form POST: a form without one, or posted from a page that is neither
 * on the allow-list nor this service's confirmation page (a cross-site form planting someone else's token), is
 * refused.
 */
export const startFromForm = (context: RouteContext) =>
  route('html', context, async (event, deps) => {
    if (!isOwnPage(deps, originOf(header(event, 'origin')))) {
      throw forbiddenOrigin('This form may only be sent from the service’s own pages.');
    }
    const input = parseInput(startInput, event.body);
    return redirectTo(await startConnect(deps, startRequest(event, input)));
  }).use(httpUrlencodeBodyParser());

function startRequest(event: Parameters<typeof clientIp>[0], input: z.infer<typeof startInput>) {
  return { feedToken: input.token, returnTo: input.return_to, intent: input.intent, ip: clientIp(event) };
}

/** The origin of Google's consent page (the emulator's in tests and local runs). */
function googleConsentOrigin(deps: OAuthDependencies): string {
  return new URL(deps.config.google.apiBaseUrl ?? GOOGLE_ENDPOINTS.oauth2AuthBaseUrl).origin;
}

function redirectTo(outcome: Awaited<ReturnType<typeof startConnect>>) {
  return redirectResponse(outcome.authorizationUrl, [outcome.bindingCookie]);
}

/**
 * Whether the origin is one of the pages a connect may be started from: the return_to allow-list's, or this
 * service's own (the confirmation page; the callback URL is on it).
 */
function isOwnPage(deps: OAuthDependencies, origin: string | undefined): boolean {
  const { returnToAllowList, redirectUri } = deps.config.oauth;
  return (
    origin !== undefined &&
    (origin === new URL(redirectUri).origin ||
      returnToAllowList.some((entry) => new URL(entry).origin === origin))
  );
}

/** The origin of an Origin or Referer header value; undefined when absent, opaque (`null`) or unparsable. */
function originOf(value: string | undefined): string | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const { origin } = new URL(value);
  return origin === 'null' ? undefined : origin;
}

function forbiddenOrigin(message: string): HttpRefusal {
  return new HttpRefusal(403, 'forbidden_origin', message);
}
