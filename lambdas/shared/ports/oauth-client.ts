import { SafeMessageError } from '../errors.ts';

/**
 * Google's OAuth 2.0 endpoints as the service uses them (authorization code flow with PKCE S256, refresh,
 * revoke). Errors are typed so callers can tell a final refusal from a passing failure; no error ever carries
 * a token, a code or a URL containing one.
 */
export interface AuthorizationUrlRequest {
  state: string;
  codeChallenge: string;
  scopes: readonly string[];
}

export interface CodeExchange {
  code: string;
  codeVerifier: string;
}

export interface GrantedTokens {
  accessToken: string;
  /** Absent when Google did not mint one (it only does on consent). */
  refreshToken?: string;
  /** Epoch milliseconds. */
  accessTokenExpiresAt: number;
  /** Scopes actually granted (the user may untick some on the consent screen). */
  grantedScopes: string[];
  /**
   * The Google account the grant belongs to: the `sub` of the ID token the `openid` scope brings (Google's stable,
   * never reused account id). Absent when Google sent no ID token. Never an e-mail address.
   */
  googleAccountId?: string;
}

export interface RefreshedAccessToken {
  accessToken: string;
  accessTokenExpiresAt: number;
  /** Set when Google rotated the refresh token: the new one must replace the stored one. */
  refreshToken?: string;
}

export interface OAuthClient {
  authorizationUrl(request: AuthorizationUrlRequest): Promise<string>;
  exchangeCode(exchange: CodeExchange): Promise<GrantedTokens>;
  refresh(refreshToken: string): Promise<RefreshedAccessToken>;
  /** Revokes the token (and the grant it belongs to). Revoking an already invalid token succeeds. */
  revoke(token: string): Promise<void>;
}

/**
 * Google answered `invalid_grant`: the code is used, expired or does not match the PKCE verifier, or the refresh
 * token is revoked or expired. Final: retrying cannot help.
 */
export class InvalidGrantError extends SafeMessageError {
  override readonly name = 'InvalidGrantError';
  constructor(detail = 'Google refused the grant (invalid_grant)') {
    super(detail);
  }
}

/** Google could not be reached or answered 429/5xx: trying again later may work. */
export class OAuthUnavailableError extends SafeMessageError {
  override readonly name = 'OAuthUnavailableError';
  constructor(readonly status: number | undefined) {
    super(
      status ? `Google's OAuth endpoint answered ${status}` : "Google's OAuth endpoint could not be reached",
    );
  }
}

/** Any other refusal (invalid_client, invalid_request...): a configuration problem, not the user's. */
export class OAuthRequestError extends SafeMessageError {
  override readonly name = 'OAuthRequestError';
  constructor(
    readonly status: number | undefined,
    readonly oauthError: string,
  ) {
    super(`Google refused the OAuth request (${oauthError}${status ? `, HTTP ${status}` : ''})`);
  }
}

/**
 * The subscriber has to connect again before anything can be done in Google for them: no connection, the
 * connection is in needs_reauth, or Google just refused its refresh token. The sync reports `needs_reauth`.
 */
export class NeedsReauthError extends SafeMessageError {
  override readonly name = 'NeedsReauthError';
  constructor(readonly subscriberId: string) {
    super('the Google connection needs to be authorised again');
  }
}
