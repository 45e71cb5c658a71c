import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { HttpRefusal } from '../../shared/adapters/http/refusal.ts';
import {
  bearerToken,
  clientIp,
  header,
  parseInput,
  queryParameters,
} from '../../shared/adapters/http/request.ts';
import { jsonResponse } from '../../shared/adapters/http/responses.ts';
import { MAX_INTENT_LENGTH } from '../rules/connect-intent.ts';
import { DISCONNECT_PATH } from '../rules/paths.ts';
import { disconnect } from '../use-cases/disconnect.ts';
import { signedRequest } from './host-signed.ts';
import { type RouteContext, route } from './route.ts';

const MAX_BODY_BYTES = 4096;
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const intent = z.string().min(1).max(MAX_INTENT_LENGTH);
const disconnectQuery = z.object({ deleteCalendar: flag.optional(), intent: intent.optional() });
const disconnectBody = z.strictObject({ deleteCalendar: z.boolean().optional(), intent: intent.optional() });

/**
 * POST /api/google-oauth/disconnect with `Authorization: Bearer <feed token>`; `deleteCalendar=true` as a query
 * parameter or in a JSON body also deletes the dedicated calendar. The host's intent (`disconnect`, or
 * `delete_calendar` with deleteCalendar=true) goes in the JSON body or the query as `intent`.
 */
export const disconnectRoute = (context: RouteContext) =>
  route('json', context, async (event, deps) => {
    const query = parseInput(disconnectQuery, queryParameters(event));
    const body = parseInput(disconnectBody, jsonBody(event));
    const outcome = await disconnect(deps, {
      feedToken: bearerToken(event),
      deleteCalendar: query.deleteCalendar ?? body.deleteCalendar ?? false,
      intent: body.intent ?? query.intent,
      ip: clientIp(event),
      signed: signedRequest(event, 'POST', DISCONNECT_PATH),
    });
    return jsonResponse(200, outcome);
  });

/** The JSON body, `{}` when empty; a clear 4xx for anything else (the parser's message may quote the body). */
function jsonBody(event: APIGatewayProxyEvent): unknown {
  const raw =
    event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (!raw || raw.trim() === '') return {};
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new HttpRefusal(413, 'too_large', 'The request body is too large.');
  }
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new HttpRefusal(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpRefusal(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}
