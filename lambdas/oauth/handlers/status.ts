import { bearerToken, clientIp } from '../../shared/adapters/http/request.ts';
import { jsonResponse } from '../../shared/adapters/http/responses.ts';
import { connectionStatus } from '../use-cases/connection-status.ts';
import { type RouteContext, route } from './route.ts';

/** GET /api/google-oauth/status with `Authorization: Bearer <feed token>`. */
export const statusRoute = (context: RouteContext) =>
  route('json', context, async (event, deps) =>
    jsonResponse(200, await connectionStatus(deps, { feedToken: bearerToken(event), ip: clientIp(event) })),
  );
