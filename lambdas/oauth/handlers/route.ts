import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type ResponseKind, renderErrors } from '../../shared/adapters/http/middleware.ts';
import { checkHeaders } from '../../shared/adapters/http/request.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { OAUTH_REFUSALS } from './refusal-answers.ts';

export type RouteHandler = (
  event: APIGatewayProxyEvent,
  deps: OAuthDependencies,
) => Promise<APIGatewayProxyResult>;

export interface RouteContext {
  /** Built on first use, once per warm container. */
  dependencies: () => OAuthDependencies;
  logger: Logger;
}

/**
 * A route as a middy handler: the headers it reads are validated first, and errors (the use cases' refusals
 * answered from OAUTH_REFUSALS) render as HTML (browser routes) or JSON (API routes).
 */
export function route(kind: ResponseKind, context: RouteContext, handle: RouteHandler) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(async (event: APIGatewayProxyEvent) => {
    checkHeaders(event);
    return handle(event, context.dependencies());
  }).use(
    renderErrors({
      kind,
      logger: context.logger,
      refusals: OAUTH_REFUSALS,
      backLink: () => {
        try {
          return { href: context.dependencies().config.oauth.defaultReturnTo, text: 'Back to your settings' };
        } catch {
          return undefined; // the configuration itself is broken: the page goes without a link
        }
      },
    }),
  );
}
