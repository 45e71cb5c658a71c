import { STATUS_PATH } from '../rules/paths.ts';
import { connectionStatus } from '../use-cases/connection-status.ts';
import { feedTokenRoute } from './feed-token-route.ts';
import type { RouteContext } from './route.ts';

/** GET /api/google-oauth/status with `Authorization: Bearer <feed token>`, signed by the host or not. */
export const statusRoute = (context: RouteContext) =>
  feedTokenRoute(context, { method: 'GET', path: STATUS_PATH, status: 200 }, connectionStatus);
