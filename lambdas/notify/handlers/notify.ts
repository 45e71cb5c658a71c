import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { clientIp, header, parseInput } from '../../shared/adapters/http/request.ts';
import { jsonResponse } from '../../shared/adapters/http/responses.ts';
import type { NotifyDependencies } from '../dependencies.ts';
import { notifyChanges } from '../use-cases/notify-changes.ts';

/** The headers the route reads, bounded (names lower-cased by http-header-normalizer). */
const notifyHeaders = z.looseObject({
  'content-type': z.string().max(256).optional(),
  'x-signature-key-id': z.string().max(128).optional(),
  'x-signature-timestamp': z.string().max(32).optional(),
  'x-signature-nonce': z.string().max(256).optional(),
  'x-signature': z.string().max(128).optional(),
});

/** POST /api/google-sync/notify, signed by the ICS service: 202 with counts. */
export async function notifyRoute(event: APIGatewayProxyEvent, deps: NotifyDependencies) {
  parseInput(notifyHeaders, event.headers ?? {}, 'invalid_header');
  const outcome = await notifyChanges(deps, {
    ip: clientIp(event),
    contentType: header(event, 'content-type'),
    header: (name) => header(event, name),
    body: rawBody(event),
  });
  return jsonResponse(202, outcome);
}

/** The bytes the host signed: the body as sent (API Gateway base64-encodes binary media types). */
function rawBody(event: APIGatewayProxyEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}
