import * as z from 'zod';
import { clientIp, parseInput, queryParameters, requestCookies } from '../../shared/adapters/http/request.ts';
import { redirectResponse } from '../../shared/adapters/http/responses.ts';
import { completeConnect } from '../use-cases/complete-connect.ts';
import { type RouteContext, route } from './route.ts';

/** What Google sends back (other parameters, such as scope or authuser, are ignored). */
const callbackInput = z.object({
  state: z.string().max(256).optional(),
  code: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
});

/** GET /api/google-oauth/callback : 302 back to the return page with the outcome. */
export const callback = (context: RouteContext) =>
  route('html', context, async (event, deps) => {
    const input = parseInput(callbackInput, queryParameters(event));
    const outcome = await completeConnect(deps, {
      state: input.state,
      code: input.code,
      error: input.error,
      cookies: requestCookies(event),
      ip: clientIp(event),
    });
    return redirectResponse(outcome.location, outcome.cookies);
  });
