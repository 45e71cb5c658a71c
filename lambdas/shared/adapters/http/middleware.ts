import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describeError, Refusal } from '../../errors.ts';
import { SecretNotSetError } from '../secrets/secret-not-set.ts';
import {
  asFrameworkRefusal,
  HttpRefusal,
  httpRefusalFor,
  isHttpRefusal,
  type RefusalAnswers,
} from './refusal.ts';
import { type HtmlPage, htmlResponse, jsonResponse, STRICT_TRANSPORT_SECURITY } from './responses.ts';

export type ResponseKind = 'html' | 'json';

export interface RefusalRenderingOptions {
  kind: ResponseKind;
  logger: Logger;
  /** How the function answers its use cases' refusals (a code it does not answer renders as a 500). */
  refusals: RefusalAnswers;
  /** HTML pages: where "back" leads. */
  backLink?: () => HtmlPage['link'];
}

const UNEXPECTED = new HttpRefusal(
  500,
  'internal_error',
  'Something went wrong on our side. Please try again later.',
);

/**
 * Turns every error into an answer of the route's kind (HTML page for browser routes, JSON for API routes): a
 * refusal (a use case's, answered from `refusals`, or a handler's own HttpRefusal) shows its code and sentence;
 * anything unexpected becomes a generic 500 without detail. Logs a safe description of the error, never the
 * error object (its message, stack or cause may hold input).
 */
export function renderErrors(
  options: RefusalRenderingOptions,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    // Every answer of a route carries HSTS, pages a handler builds without responses.ts too (responses.ts
    // already sets it on the answers it builds; this catches the rest).
    after: (request) => {
      const { response } = request;
      if (response && !response.headers?.['Strict-Transport-Security']) {
        response.headers = { ...response.headers, 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY };
      }
    },
    onError: (request) => {
      const { error } = request;
      const refusal = asRefusal(error, options.refusals);
      if (error instanceof SecretNotSetError) {
        // The operator's to-do, named: the secret still holds the stack's placeholder.
        options.logger.error('secret not set yet', { secret: error.secretId, what: error.what });
      } else if (refusal) {
        options.logger.info('request refused', { status: refusal.statusCode, code: refusal.code });
      } else {
        options.logger.error('request failed', describeError(error));
      }
      request.response = render(refusal ?? UNEXPECTED, options);
    },
  };
}

function asRefusal(error: unknown, answers: RefusalAnswers): HttpRefusal | undefined {
  if (isHttpRefusal(error)) return error;
  if (error instanceof Refusal) return httpRefusalFor(answers, error);
  return asFrameworkRefusal(error);
}

function render(
  refusal: HttpRefusal,
  options: Omit<RefusalRenderingOptions, 'logger' | 'refusals'>,
): APIGatewayProxyResult {
  if (options.kind === 'json') {
    return jsonResponse(
      refusal.statusCode,
      { error: refusal.code, message: refusal.publicMessage },
      refusal.headers,
    );
  }
  const title =
    refusal.statusCode === 429 ? 'Please wait' : refusal.statusCode >= 500 ? 'Sorry' : 'Not possible';
  const link = options.backLink?.();
  return htmlResponse(
    refusal.statusCode,
    { title, message: refusal.publicMessage, ...(link ? { link } : {}) },
    refusal.headers,
  );
}
