import { bearerToken, clientIp } from '../../shared/adapters/http/request.ts';
import { jsonResponse } from '../../shared/adapters/http/responses.ts';
import { STATUS_PATH } from '../paths.ts';
import { connectionStatus } from '../use-cases/connection-status.ts';
import { signedRequest } from './host-signed.ts';
import { type RouteContext, route } from './route.ts';

/** GET /api/google-oauth/status with `Authorization: Bearer <feed token>`, signed by the host or not. */
export const statusRoute = (context: RouteContext) =>
  route('json', context, async (event, deps) =>
    jsonResponse(
      200,
      await connectionStatus(deps, {
        feedToken: bearerToken(event),
        ip: clientIp(event),
        signed: signedRequest(event, 'GET', STATUS_PATH),
      }),
    ),
  );
