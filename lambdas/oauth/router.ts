import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { renderErrors } from '../shared/adapters/http/middleware.ts';
import type { OAuthDependencies } from './dependencies.ts';
import { callback } from './handlers/callback.ts';
import { disconnectRoute } from './handlers/disconnect.ts';
import { OAUTH_REFUSALS } from './handlers/refusal-answers.ts';
import type { RouteContext } from './handlers/route.ts';
import { startFromForm, startFromQuery } from './handlers/start.ts';
import { statusRoute } from './handlers/status.ts';
import { syncNowRoute } from './handlers/sync-now.ts';
import { DISCONNECT_PATH, OAUTH_BASE_PATH, STATUS_PATH, SYNC_NOW_PATH } from './paths.ts';

export { OAUTH_BASE_PATH, SYNC_NOW_PATH } from './paths.ts';

/**
 * The OAuth Lambda: one router over the OAuth routes and "sync now" (API Gateway REST API, proxy integration). Headers are
 * lower-cased first; log keys (the subscriber id) are reset after every request.
 */
export function createOAuthHandler(dependencies: () => OAuthDependencies, logger: Logger) {
  const context: RouteContext = { dependencies, logger };
  const routes = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>([
    { method: 'GET', path: `${OAUTH_BASE_PATH}/start`, handler: startFromQuery(context) },
    { method: 'POST', path: `${OAUTH_BASE_PATH}/start`, handler: startFromForm(context) },
    { method: 'GET', path: `${OAUTH_BASE_PATH}/callback`, handler: callback(context) },
    { method: 'POST', path: DISCONNECT_PATH, handler: disconnectRoute(context) },
    { method: 'GET', path: STATUS_PATH, handler: statusRoute(context) },
    { method: 'POST', path: SYNC_NOW_PATH, handler: syncNowRoute(context) },
  ]);
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>(routes)
      // Never the event: it holds feed tokens (query, form, Authorization) and OAuth codes.
      .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
      .use(httpHeaderNormalizer())
      .use(renderErrors({ kind: 'json', logger, refusals: OAUTH_REFUSALS }))
  );
}
