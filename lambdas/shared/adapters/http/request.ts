import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { invalidFields, safeName } from '../../input.ts';
import { HttpRefusal } from './refusal.ts';

/**
 * Reading a REST API (v1) proxy event safely. API Gateway sends `null` for absent maps; duplicated parameters
 * appear only in the multi-value maps and are refused (RFC 6749: a parameter must not appear twice).
 */

/** The caller's IP as API Gateway saw it (X-Forwarded-For is client-controlled and ignored). */
export function clientIp(event: APIGatewayProxyEvent): string {
  return event.requestContext?.identity?.sourceIp || 'unknown';
}

export function queryParameters(event: APIGatewayProxyEvent): Record<string, string> {
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multi)) {
    if ((values?.length ?? 0) > 1) {
      throw new HttpRefusal(
        400,
        'duplicate_parameter',
        `The parameter "${safeName(name)}" appears more than once.`,
      );
    }
  }
  return { ...(event.queryStringParameters ?? {}) } as Record<string, string>;
}

/** A header, after http-header-normalizer lower-cased the names. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const value = event.headers?.[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** The headers the routes read, bounded in size (others pass through untouched). */
const routeHeaders = z.looseObject({
  authorization: z.string().max(2048).optional(),
  cookie: z.string().max(16_384).optional(),
  origin: z.string().max(2048).optional(),
  referer: z.string().max(4096).optional(),
  'sec-fetch-site': z.string().max(64).optional(),
  'content-type': z.string().max(256).optional(),
});

/** Validates the headers the routes read (names lower-cased by http-header-normalizer). */
export function checkHeaders(event: APIGatewayProxyEvent): void {
  parseInput(routeHeaders, event.headers ?? {}, 'invalid_header');
}

/** What follows `Bearer ` in the Authorization header (checked by the caller), or undefined without one. */
export function bearerToken(event: APIGatewayProxyEvent): string | undefined {
  return /^Bearer[ \t]+(.*)$/is.exec(header(event, 'authorization') ?? '')?.[1]?.trim();
}

/** Cookies of the request (the header may be split across multi-value entries). */
export function requestCookies(event: APIGatewayProxyEvent): Map<string, string> {
  // API Gateway fills both maps; the multi-value one keeps every line when the browser sent several.
  const lines = event.multiValueHeaders?.cookie ?? [header(event, 'cookie') ?? ''];
  const cookies = new Map<string, string>();
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      // A cookie sent twice (one perhaps planted by a sibling domain) makes the binding ambiguous: keep none.
      cookies.set(name, cookies.has(name) ? '' : pair.slice(separator + 1).trim());
    }
  }
  return cookies;
}

/** Validates with a schema; a failure names the offending fields, never their values. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code = 'invalid_request',
): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new HttpRefusal(400, code, invalidInputMessage(invalidFields(result.error)));
}

/** The sentence of an invalid input: the fields (plain names, see invalidFields), never their values. */
export const invalidInputMessage = (fields: readonly string[] = []): string =>
  `Invalid or missing: ${fields.join(', ')}.`;
