import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { renderErrors } from '../shared/adapters/http/middleware.ts';
import { routerEntries } from '../shared/routes.ts';
import type { OAuthDependencies } from './dependencies.ts';
import { callback } from './handlers/callback.ts';
import { disconnectRoute } from './handlers/disconnect.ts';
import { OAUTH_REFUSALS } from './handlers/refusal-answers.ts';
import type { RouteContext } from './handlers/route.ts';
import { startFromForm, startFromQuery } from './handlers/start.ts';
import { statusRoute } from './handlers/status.ts';
import { syncNowRoute } from './handlers/sync-now.ts';

export { SYNC_NOW_PATH } from './rules/paths.ts';

/**
 * The OAuth Lambda: one router over the OAuth routes and "sync now" (API Gateway REST API, proxy integration). Headers are
 * lower-cased first; log keys (the subscriber id) are reset after every request.
 */
export function createOAuthHandler(dependencies: () => OAuthDependencies, logger: Logger) {
  const context: RouteContext = { dependencies, logger };
  // Paths and methods from the route table (shared/routes.ts): a route there without a handler does not compile.
  const routes = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(
    routerEntries('oauth', {
      startFromQuery: startFromQuery(context),
      startFromForm: startFromForm(context),
      callback: callback(context),
      disconnect: disconnectRoute(context),
      status: statusRoute(context),
      syncNow: syncNowRoute(context),
    }),
  );
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>(routes)
      // Never the event: it holds feed tokens (query, form, Authorization) and OAuth codes.
      .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
      .use(httpHeaderNormalizer())
      .use(renderErrors({ kind: 'json', logger, refusals: OAUTH_REFUSALS }))
  );
}
