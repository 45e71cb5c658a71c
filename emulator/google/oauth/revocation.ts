/** The revocation endpoint: an access or refresh token (and, as Google does, its whole grant) revoked. */
import type { EmulatorCore } from '../core.ts';
import { OAuthError } from '../errors.ts';
import { parseForm } from '../http.ts';
import type { Reply, RequestContext } from '../routing.ts';

/** `POST` or `GET /revoke` with `token` in the query or the form. */
export function revocationEndpoint(core: EmulatorCore): (context: RequestContext) => Reply {
  return (context) => {
    const value = context.query.get('token') ?? parseForm(context.body).get('token');
    if (!value) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: token');
    if (!core.tokens.revoke(value)) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    return { status: 200, json: {} };
  };
}
