import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { renderErrors } from '../shared/adapters/http/middleware.ts';
import { routerEntries } from '../shared/routes.ts';
import type { NotifyDependencies } from './dependencies.ts';
import { notifyRoute } from './handlers/notify.ts';
import { NOTIFY_REFUSALS } from './handlers/refusal-answers.ts';

/**
 * The change-notification Lambda (API Gateway REST API, proxy integration): one route, called by the ICS
 * service. Never logs the event (it holds the signature); errors render as JSON.
 */
export function createNotifyHandler(dependencies: () => NotifyDependencies, logger: Logger) {
  const routes = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(
    routerEntries('notify', {
      notify: (event: APIGatewayProxyEvent) => notifyRoute(event, dependencies()),
    }),
  );
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(routes)
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(httpHeaderNormalizer())
    .use(renderErrors({ kind: 'json', logger, refusals: NOTIFY_REFUSALS }));
}
