import { bearerToken, clientIp } from '../../shared/adapters/http/request.ts';
import { jsonResponse } from '../../shared/adapters/http/responses.ts';
import { syncNow } from '../use-cases/sync-now.ts';
import { type RouteContext, route } from './route.ts';

/** POST /api/google-sync with `Authorization: Bearer <feed token>`: 202, the sync is queued. */
export const syncNowRoute = (context: RouteContext) =>
  route('json', context, async (event, deps) =>
    jsonResponse(202, await syncNow(deps, { feedToken: bearerToken(event), ip: clientIp(event) })),
  );
