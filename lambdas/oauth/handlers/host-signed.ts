import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header } from '../../shared/adapters/http/request.ts';
import { SIGNATURE_HEADERS, type SignedRequest } from '../../shared/host-signature.ts';

/**
 * The request as the host signs it (the route's own path, the body bytes as sent), when it carries any of the
 * signature headers; undefined for an unsigned request. The use case checks it (use-cases/caller.ts).
 */
export function signedRequest(
  event: APIGatewayProxyEvent,
  method: 'GET' | 'POST',
  path: string,
): SignedRequest | undefined {
  const signed = Object.values(SIGNATURE_HEADERS).some((name) => header(event, name) !== undefined);
  if (!signed) return undefined;
  const body = event.body
    ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  return { method, path, header: (name) => header(event, name), body };
}
