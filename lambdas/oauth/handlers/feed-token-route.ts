import { bearerToken, clientIp } from '../../shared/adapters/http/request.ts';
import { jsonResponse } from '../../shared/adapters/http/responses.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import type { FeedTokenInput } from '../use-cases/authenticate.ts';
import { signedRequest } from './host-signed.ts';
import { type RouteContext, route } from './route.ts';

/** Where a feed-token route answers, and the HTTP status of its success. */
export interface FeedTokenEndpoint {
  method: 'GET' | 'POST';
  /** The route's own path: the one the host signs. */
  path: string;
  status: number;
}

/**
 * A JSON route whose request names its subscriber by `Authorization: Bearer <feed token>`, signed by the host or
 * not: the use case gets the token, the client's address and the signed request, and its outcome is the body.
 */
export const feedTokenRoute = <Outcome>(
  context: RouteContext,
  endpoint: FeedTokenEndpoint,
  useCase: (deps: OAuthDependencies, input: FeedTokenInput) => Promise<Outcome>,
) =>
  route('json', context, async (event, deps) =>
    jsonResponse(
      endpoint.status,
      await useCase(deps, {
        feedToken: bearerToken(event),
        ip: clientIp(event),
        signed: signedRequest(event, endpoint.method, endpoint.path),
      }),
    ),
  );
