import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext, restEvent } from './api-gateway-event.ts';

/** A Lambda handler behind API Gateway's proxy integration (REST API, payload v1). */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** API Gateway's own limit on a request body. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);

export async function readBody(request: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLargeError(`request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The REST API (v1) proxy event API Gateway would build for this request: headers as the client sent them
 * (repeated ones in the multi-value map), the query decoded, the body as UTF-8 text (no binary media types), the
 * caller's address as the source IP.
 */
export function eventFromRequest(
  request: IncomingMessage,
  body: Buffer,
  stage = 'local',
): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = (request.method ?? 'GET').toUpperCase();
  // Null-prototype maps: a client's `__proto__` or `constructor` is a name like any other, not the object's
  // prototype (`?__proto__=` would otherwise fail the request with a 500).
  const headers: Record<string, string[]> = Object.create(null);
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    headers[name] = [...(headers[name] ?? []), request.rawHeaders[i + 1] as string];
  }
  const query: Record<string, string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) query[name] = [...(query[name] ?? []), value];
  return restEvent({
    method: (METHODS.has(method) ? method : 'GET') as 'GET',
    path: url.pathname,
    ...(url.search ? { query } : {}),
    headers,
    ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
    sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    userAgent: request.headers['user-agent'] ?? '',
    stage,
  });
}

/** Writes a proxy result as API Gateway does: every header of both maps (Set-Cookie repeated), the body decoded. */
export function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing) delete headers[existing];
    headers[name] = values.map(String);
  }
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode, { ...headers, 'Content-Length': String(body.length) });
  response.end(body);
}

/** Serves one request with a proxy handler, as API Gateway invokes the function behind a route. */
export async function invokeProxy(
  handler: ProxyHandler,
  functionName: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request);
  const result = await handler(eventFromRequest(request, body), lambdaContext(functionName));
  writeResult(response, result);
}
