/** The authorization endpoint: Google's consent page, and the form it posts back (the user's decision). */
import { randomBytes } from 'node:crypto';
import type { EmulatorCore } from '../core.ts';
import { parseForm } from '../http.ts';
import type { Reply, RequestContext } from '../routing.ts';
import type { RegisteredClient } from '../types.ts';
import { consentPage, errorPage } from './consent-page.ts';
import { isKnownScope, parseScopes } from './scopes.ts';

/** An authorization request shown on the consent page, waiting for the user's decision. */
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

const redirectTo = (redirectUri: string, params: Record<string, string | undefined>): Reply => {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return { status: 302, location: url.toString() };
};

/** `GET /o/oauth2/v2/auth` shows the consent page; `POST` of its form redirects back with a code or an error. */
export function authorizationEndpoint(core: EmulatorCore): {
  authorize: (context: RequestContext) => Reply;
  consent: (context: RequestContext) => Reply;
} {
  /** By the request id the consent page carries. */
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

  return { authorize, consent };
}
