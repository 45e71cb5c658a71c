/** OAuth 2.0 endpoints as Google answers them: authorization page, token, revoke, tokeninfo. */
import { randomBytes } from 'node:crypto';
import type { EmulatorCore } from '../core.ts';
import { OAuthError } from '../errors.ts';
import { parseForm } from '../http.ts';
import type { Reply, RequestContext, Route } from '../routing.ts';
import type { RegisteredClient } from '../types.ts';
import { CONSENT_PATH, consentPage, errorPage } from './consent-page.ts';
import { isKnownScope, parseScopes } from './scopes.ts';

interface PendingAuthorization {
  client: RegisteredClient;
  redirectUri: string;
  scopes: string[];
  state?: string;
  offline: boolean;
  forceConsent: boolean;
  includeGrantedScopes: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  expiresAt: number;
}

/** A refused authorization request: shown on an error page, never redirected (as Google does). */
class AuthorizationRequestError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

const PKCE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

const redirectTo = (redirectUri: string, params: Record<string, string | undefined>): Reply => {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return { status: 302, location: url.toString() };
};

export function oauthRoutes(core: EmulatorCore): Route[] {
  const pending = new Map<string, PendingAuthorization>();

  function readAuthorizationRequest(query: URLSearchParams): PendingAuthorization {
    const client = core.accounts.findClient(query.get('client_id') ?? '');
    if (!client)
      throw new AuthorizationRequestError('invalid_client', 'The OAuth client was not found.', 401);
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!client.redirectUris.includes(redirectUri)) {
      throw new AuthorizationRequestError(
        'redirect_uri_mismatch',
        `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${redirectUri}`,
      );
    }
    if (query.get('response_type') !== 'code') {
      throw new AuthorizationRequestError(
        'unsupported_response_type',
        `Invalid response_type: ${query.get('response_type') ?? ''}`,
      );
    }
    const scopes = parseScopes(query.get('scope'));
    if (scopes.length === 0)
      throw new AuthorizationRequestError('invalid_request', 'Missing required parameter: scope');
    if (scopes.some((scope) => !isKnownScope(scope))) {
      throw new AuthorizationRequestError('invalid_scope', 'Some requested scopes were invalid.');
    }
    const accessType = query.get('access_type') ?? 'online';
    if (accessType !== 'online' && accessType !== 'offline') {
      throw new AuthorizationRequestError('invalid_request', `Invalid access_type: ${accessType}`);
    }
    const codeChallenge = query.get('code_challenge') ?? undefined;
    const method = query.get('code_challenge_method') ?? undefined;
    if (method !== undefined && codeChallenge === undefined) {
      throw new AuthorizationRequestError('invalid_request', 'Missing code_challenge.');
    }
    if (method !== undefined && method !== 'S256' && method !== 'plain') {
      throw new AuthorizationRequestError('invalid_request', `Invalid code_challenge_method: ${method}`);
    }
    if (codeChallenge !== undefined && !PKCE_CHALLENGE.test(codeChallenge)) {
      throw new AuthorizationRequestError('invalid_request', 'Invalid code_challenge.');
    }
    if (client.requirePkce && codeChallenge === undefined) {
      throw new AuthorizationRequestError(
        'invalid_request',
        'Missing code_challenge: this client requires PKCE.',
      );
    }
    const prompts = (query.get('prompt') ?? '').split(/\s+/);
    return {
      client,
      redirectUri,
      scopes,
      ...(query.get('state') === null ? {} : { state: query.get('state') as string }),
      offline: accessType === 'offline',
      forceConsent: prompts.includes('consent'),
      includeGrantedScopes: query.get('include_granted_scopes') === 'true',
      ...(codeChallenge === undefined
        ? {}
        : { codeChallenge, codeChallengeMethod: (method ?? 'plain') as 'S256' | 'plain' }),
      expiresAt: core.now() + core.options.tokens.authorizationCodeLifetimeSeconds * 1000,
    };
  }

  function authorize(context: RequestContext): Reply {
    let request: PendingAuthorization;
    try {
      request = readAuthorizationRequest(context.query);
    } catch (error) {
      if (error instanceof AuthorizationRequestError) {
        return { status: error.status, html: errorPage(error.error, error.description) };
      }
      throw error;
    }
    const requestId = randomBytes(24).toString('base64url');
    pending.set(requestId, request);
    const loginHint = context.query.get('login_hint') ?? undefined;
    const hinted = loginHint ? core.accounts.findUser(loginHint) : undefined;
    // The page shows the boxes a test asked the user to untick (grantNextScopes) unticked already.
    const limit = hinted ? core.accounts.peekNextGrant(hinted.id) : undefined;
    return {
      status: 200,
      html: consentPage({
        requestId,
        clientId: request.client.clientId,
        scopes: request.scopes,
        unticked: limit ? request.scopes.filter((scope) => !limit.includes(scope)) : [],
        users: core.accounts.allUsers(),
        ...(loginHint ? { loginHint } : {}),
      }),
    };
  }

  function consent(context: RequestContext): Reply {
    const form = parseForm(context.body);
    const requestId = form.get('request') ?? '';
    const request = pending.get(requestId);
    pending.delete(requestId);
    if (!request || request.expiresAt <= core.now()) {
      return {
        status: 400,
        html: errorPage('invalid_request', 'The authorization request has expired; start again.'),
      };
    }
    const ticked = form.getAll('scope');
    if (form.get('decision') !== 'allow' || ticked.length === 0) {
      return redirectTo(request.redirectUri, { error: 'access_denied', state: request.state });
    }
    const email = form.get('email')?.trim() || form.get('user') || '';
    if (!email) return { status: 400, html: errorPage('invalid_request', 'Choose an account.') };
    const user = core.accounts.findUser(email) ?? core.createUser({ email });
    const clientId = request.client.clientId;
    // Google hands out a refresh token on consent: the first one, or any forced by prompt=consent.
    const issueRefreshToken =
      request.offline && (request.forceConsent || !core.tokens.hasGrant(user.id, clientId));
    const granted = core.tokens.consent({
      userId: user.id,
      clientId,
      requested: request.scopes,
      ticked,
      limit: core.accounts.takeNextGrant(user.id),
      includeGrantedScopes: request.includeGrantedScopes,
    });
    const code = core.tokens.createCode({
      clientId,
      userId: user.id,
      redirectUri: request.redirectUri,
      scopes: granted,
      ...(request.codeChallenge ? { codeChallenge: request.codeChallenge } : {}),
      ...(request.codeChallengeMethod ? { codeChallengeMethod: request.codeChallengeMethod } : {}),
      issueRefreshToken,
    });
    return redirectTo(request.redirectUri, {
      code,
      state: request.state,
      scope: granted.join(' '),
      authuser: '0',
      prompt: 'consent',
    });
  }

  /** Client authentication: `client_secret` in the body (google-auth-library's default) or HTTP Basic. */
  function authenticateClient(context: RequestContext, form: URLSearchParams): RegisteredClient {
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(context.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (!clientId)
      throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
    const client = core.accounts.findClient(clientId);
    if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (!clientSecret) throw new OAuthError(400, 'invalid_request', 'client_secret is missing.');
    if (clientSecret !== client.clientSecret) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
    return client;
  }

  function token(context: RequestContext): Reply {
    const form = parseForm(context.body);
    const client = authenticateClient(context, form);
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
  }

  function revoke(context: RequestContext): Reply {
    const value = context.query.get('token') ?? parseForm(context.body).get('token');
    if (!value) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: token');
    if (!core.tokens.revoke(value)) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    return { status: 200, json: {} };
  }

  function tokenInfo(context: RequestContext): Reply {
    const bearer = /^Bearer\s+(\S+)$/i.exec(context.headers.authorization ?? '');
    const value =
      context.query.get('access_token') ?? parseForm(context.body).get('access_token') ?? bearer?.[1];
    const info = value ? core.tokens.authenticate(value) : undefined;
    if (!info) throw new OAuthError(400, 'invalid_token', 'Invalid Value');
    const user = core.accounts.userById(info.userId);
    const expiresIn = Math.max(0, Math.floor((info.expiresAt - core.now()) / 1000));
    const withEmail = info.scopes.some((scope) => scope === 'email' || scope.endsWith('/userinfo.email'));
    return {
      status: 200,
      json: {
        azp: info.clientId,
        aud: info.clientId,
        sub: user.id,
        scope: info.scopes.join(' '),
        exp: String(Math.floor(info.expiresAt / 1000)),
        expires_in: String(expiresIn),
        ...(withEmail ? { email: user.email, email_verified: 'true' } : {}),
        access_type: info.offline ? 'offline' : 'online',
      },
    };
  }

  const route = (method: Route['method'], path: string, name: string, handle: Route['handle']): Route => ({
    method,
    path: new RegExp(`^${path}$`),
    name,
    kind: 'oauth',
    handle,
  });
  return [
    route('GET', '/o/oauth2/v2/auth', 'oauth2.authorize', authorize),
    route('POST', CONSENT_PATH, 'oauth2.consent', consent),
    route('POST', '/token', 'oauth2.token', token),
    route('POST', '/revoke', 'oauth2.revoke', revoke),
    route('GET', '/revoke', 'oauth2.revoke', revoke),
    route('GET', '/tokeninfo', 'oauth2.tokeninfo', tokenInfo),
    route('POST', '/tokeninfo', 'oauth2.tokeninfo', tokenInfo),
  ];
}
