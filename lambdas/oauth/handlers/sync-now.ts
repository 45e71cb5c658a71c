import { SYNC_NOW_PATH } from '../rules/paths.ts';
import { syncNow } from '../use-cases/sync-now.ts';
import { feedTokenRoute } from './feed-token-route.ts';
import type { RouteContext } from './route.ts';

/** POST /api/google-sync with `Authorization: Bearer <feed token>`, signed by the host or not: 202, queued. */
export const syncNowRoute = (context: RouteContext) =>
  feedTokenRoute(context, { method: 'POST', path: SYNC_NOW_PATH, status: 202 }, syncNow);
