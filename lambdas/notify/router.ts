import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { renderErrors } from '../shared/adapters/http/middleware.ts';
import type { NotifyDependencies } from './dependencies.ts';
import { notifyRoute } from './handlers/notify.ts';
import { NOTIFY_REFUSALS } from './handlers/refusal-answers.ts';
import { NOTIFY_PATH } from './use-cases/notify-changes.ts';

/**
 * The change-notification Lambda (API Gateway REST API, proxy integration): one route, called by the ICS
 * service. Never logs the event (it holds the signature); errors render as JSON.
 */
export function createNotifyHandler(dependencies: () => NotifyDependencies, logger: Logger) {
  const routes = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>([
    {
      method: 'POST',
      path: NOTIFY_PATH,
      handler: (event: APIGatewayProxyEvent) => notifyRoute(event, dependencies()),
    },
  ]);
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(routes)
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(httpHeaderNormalizer())
    .use(renderErrors({ kind: 'json', logger, refusals: NOTIFY_REFUSALS }));
}
