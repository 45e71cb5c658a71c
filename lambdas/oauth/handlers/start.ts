import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import { z } from 'zod';
import { HttpRefusal } from '../../shared/adapters/http/refusal.ts';
import { clientIp, header, parseInput, queryParameters } from '../../shared/adapters/http/request.ts';
import { redirectResponse } from '../../shared/adapters/http/responses.ts';
import { startConnect } from '../use-cases/start-connect.ts';
import { type RouteContext, route } from './route.ts';

/** Lengths well above any real value; longer input is refused before any work. */
const startInput = z.object({
  token: z.string().max(1024).optional(),
  return_to: z.string().max(4096).optional(),
});

/** GET /api/google-oauth/start?token=...&return_to=... : 302 to Google's consent page. */
export const startFromQuery = (context: RouteContext) =>
  route('html', context, async (event, deps) => {
    const input = parseInput(startInput, queryParameters(event));
    return redirectTo(
      await startConnect(deps, { feedToken: input.token, returnTo: input.return_to, ip: clientIp(event) }),
    );
  });

/**
 * POST /api/google-oauth/start (form): the same, keeping the token out of URLs and access logs. A form posted
 * from a page outside the allow-list (a cross-site form planting someone else's token) is refused.
 */
export const startFromForm = (context: RouteContext) =>
  route('html', context, async (event, deps) => {
    const origin = header(event, 'origin');
    const allowedOrigins = deps.config.oauth.returnToAllowList.map((entry) => new URL(entry).origin);
    if (origin !== undefined && !allowedOrigins.includes(origin)) {
      throw new HttpRefusal(
        403,
        'forbidden_origin',
        'This form may only be sent from the service’s own pages.',
      );
    }
    const input = parseInput(startInput, event.body);
    return redirectTo(
      await startConnect(deps, { feedToken: input.token, returnTo: input.return_to, ip: clientIp(event) }),
    );
  }).use(httpUrlencodeBodyParser());

function redirectTo(outcome: Awaited<ReturnType<typeof startConnect>>) {
  return redirectResponse(outcome.authorizationUrl, [outcome.bindingCookie]);
}
