import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import { z } from 'zod';
import { HttpRefusal } from '../../shared/adapters/http/refusal.ts';
import { clientIp, header, parseInput, queryParameters } from '../../shared/adapters/http/request.ts';
import { redirectResponse } from '../../shared/adapters/http/responses.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { startConnect } from '../use-cases/start-connect.ts';
import { type RouteContext, route } from './route.ts';

/** Lengths well above any real value; longer input is refused before any work. */
const startInput = z.object({
  token: z.string().max(1024).optional(),
  return_to: z.string().max(4096).optional(),
});

/**
 * GET /api/google-oauth/start?token=...&return_to=... : 302 to Google's consent page. A link followed from
 * another site (`Sec-Fetch-Site: cross-site`) is refused unless that site is one of the service's own pages
 * (its Referer origin is on the return_to allow-list): a link planted elsewhere with someone else's token would
 * connect the visitor's Google account to that feed.
 */
export const startFromQuery = (context: RouteContext) =>
  route('html', context, async (event, deps) => {
    const crossSite = header(event, 'sec-fetch-site')?.trim().toLowerCase() === 'cross-site';
    if (crossSite && !isOwnPage(deps, originOf(header(event, 'referer')))) {
      throw forbiddenOrigin('This link may only be opened from the service’s own pages.');
    }
    const input = parseInput(startInput, queryParameters(event));
    return redirectTo(
      await startConnect(deps, { feedToken: input.token, returnTo: input.return_to, ip: clientIp(event) }),
    );
  });

/**
 * POST /api/google-oauth/start (form): the same, keeping the token out of URLs and access logs. Browsers send an
 * Origin with every form POST: a form without one, or posted from a page outside the allow-list (a cross-site
 * form planting someone else's token), is refused.
 */
export const startFromForm = (context: RouteContext) =>
  route('html', context, async (event, deps) => {
    if (!isOwnPage(deps, originOf(header(event, 'origin')))) {
      throw forbiddenOrigin('This form may only be sent from the service’s own pages.');
    }
    const input = parseInput(startInput, event.body);
    return redirectTo(
      await startConnect(deps, { feedToken: input.token, returnTo: input.return_to, ip: clientIp(event) }),
    );
  }).use(httpUrlencodeBodyParser());

function redirectTo(outcome: Awaited<ReturnType<typeof startConnect>>) {
  return redirectResponse(outcome.authorizationUrl, [outcome.bindingCookie]);
}

/** Whether the origin is one of the pages a connect may be started from (the return_to allow-list's). */
function isOwnPage(deps: OAuthDependencies, origin: string | undefined): boolean {
  return (
    origin !== undefined &&
    deps.config.oauth.returnToAllowList.some((entry) => new URL(entry).origin === origin)
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
