/** The token endpoint: an authorization code or a refresh token exchanged for tokens, by an authenticated client. */
import type { EmulatorCore } from '../core.ts';
import { OAuthError } from '../errors.ts';
import { parseForm } from '../http.ts';
import type { Reply, RequestContext } from '../routing.ts';
import type { RegisteredClient } from '../types.ts';
import { parseScopes } from './scopes.ts';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** `POST /token` with `grant_type` `authorization_code` or `refresh_token`. */
export function tokenEndpoint(core: EmulatorCore): (context: RequestContext) => Reply {
  return (context) => {
    const form = parseForm(context.body);
    const client = authenticateClient(core, context, form);
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code');
      if (!code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
      const redirectUri = form.get('redirect_uri') ?? undefined;
      const codeVerifier = form.get('code_verifier') ?? undefined;
      const tokens = core.tokens.redeemCode({
        code,
        clientId: client.clientId,
        ...(redirectUri === undefined ? {} : { redirectUri }),
        ...(codeVerifier === undefined ? {} : { codeVerifier }),
      });
      return { status: 200, json: tokens, headers: NO_STORE };
    }
    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token');
      if (!refreshToken)
        throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
      const scope = parseScopes(form.get('scope'));
      const tokens = core.tokens.refresh({ refreshToken, clientId: client.clientId, scope });
      return { status: 200, json: tokens, headers: NO_STORE };
    }
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  };
}

/** Client authentication: `client_secret` in the body (google-auth-library's default) or HTTP Basic. */
function authenticateClient(
  core: EmulatorCore,
  context: RequestContext,
  form: URLSearchParams,
): RegisteredClient {
  let clientId = form.get('client_id') ?? undefined;
  let clientSecret = form.get('client_secret') ?? undefined;
  const basic = /^Basic\s+(\S+)$/i.exec(context.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    clientId = decodeURIComponent(decoded.slice(0, colon));
    clientSecret = decodeURIComponent(decoded.slice(colon + 1));
  }
  if (!clientId) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
  const client = core.accounts.findClient(clientId);
  if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
  if (!clientSecret) throw new OAuthError(400, 'invalid_request', 'client_secret is missing.');
  if (clientSecret !== client.clientSecret) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
  return client;
}
