import { bearerToken, clientIp } from '../../shared/adapters/http/request.ts';
import { jsonResponse } from '../../shared/adapters/http/responses.ts';
import { SYNC_NOW_PATH } from '../paths.ts';
import { syncNow } from '../use-cases/sync-now.ts';
import { signedRequest } from './host-signed.ts';
import { type RouteContext, route } from './route.ts';

/** POST /api/google-sync with `Authorization: Bearer <feed token>`, signed by the host or not: 202, queued. */
export const syncNowRoute = (context: RouteContext) =>
  route('json', context, async (event, deps) =>
    jsonResponse(
      202,
      await syncNow(deps, {
        feedToken: bearerToken(event),
        ip: clientIp(event),
        signed: signedRequest(event, 'POST', SYNC_NOW_PATH),
      }),
    ),
  );
