import { CodeChallengeMethod, type Credentials, OAuth2Client } from 'google-auth-library';
import type {
  GoogleClientCredentials,
  GoogleClientCredentialsSource,
} from '../../ports/google-client-credentials.ts';
import {
  type AuthorizationUrlRequest,
  type CodeExchange,
  type GrantedTokens,
  InvalidGrantError,
  type OAuthClient,
  OAuthRequestError,
  OAuthUnavailableError,
  type RefreshedAccessToken,
} from '../../ports/oauth-client.ts';
import type { GoogleEndpoints } from './endpoints.ts';
import { googleFailureOf } from './requests.ts';

/** `refreshTokenNoCache` is protected; the adapter keeps its own per-subscriber cache and dedup. */
class TokenEndpointClient extends OAuth2Client {
  refreshWith(refreshToken: string) {
    return this.refreshTokenNoCache(refreshToken);
  }
}

export interface GoogleOAuthClientOptions {
  credentials: GoogleClientCredentialsSource;
  endpoints: GoogleEndpoints;
  /** The callback URL registered with the OAuth client (the connect flow only; refreshing needs none). */
  redirectUri?: string;
  /** Per HTTP call to Google (the library retries 5xx/429 within it). */
  timeoutMs?: number;
  /** The service's clock, on which access tokens expire (the system clock when omitted). */
  now?: () => Date;
}

/**
 * Google's OAuth endpoints through google-auth-library's OAuth2Client, which authenticates as the client (its
 * id and secret). Every failure becomes a typed error made only of an HTTP status and Google's error code
 * (requests.ts: the library's errors, whose request bodies and URLs hold tokens, are never passed on).
 */
export class GoogleOAuthClient implements OAuthClient {
  private client: { credentials: GoogleClientCredentials; oauth2: TokenEndpointClient } | undefined;

  constructor(private readonly options: GoogleOAuthClientOptions) {}

  async authorizationUrl({ state, codeChallenge, scopes }: AuthorizationUrlRequest): Promise<string> {
    const oauth2 = await this.oauth2();
    return oauth2.generateAuthUrl({
      response_type: 'code',
      access_type: 'offline', // a refresh token, for syncs without the user
      prompt: 'consent', // Google only returns a refresh token on consent
      include_granted_scopes: true,
      // `openid` adds an ID token to the code exchange, naming the Google account (`sub`) behind the grant: Google
      // revokes per grant, so the service must know which connections share one.
      scope: [...new Set([...scopes, 'openid'])],
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
    });
  }

  async exchangeCode({ code, codeVerifier }: CodeExchange): Promise<GrantedTokens> {
    const oauth2 = await this.oauth2();
    const { tokens } = await translated(() => oauth2.getToken({ code, codeVerifier }));
    const accessToken = requiredAccessToken(tokens);
    const granted: GrantedTokens = {
      accessToken,
      accessTokenExpiresAt: this.expiryOf(tokens),
      grantedScopes: (tokens.scope ?? '').split(/\s+/).filter(Boolean),
    };
    if (tokens.refresh_token) granted.refreshToken = tokens.refresh_token;
    const googleAccountId = accountOf(tokens.id_token, this.client?.credentials.clientId);
    if (googleAccountId) granted.googleAccountId = googleAccountId;
    return granted;
  }

  async refresh(refreshToken: string): Promise<RefreshedAccessToken> {
    const oauth2 = await this.oauth2();
    const { tokens } = await translated(() => oauth2.refreshWith(refreshToken));
    const refreshed: RefreshedAccessToken = {
      accessToken: requiredAccessToken(tokens),
      accessTokenExpiresAt: this.expiryOf(tokens),
    };
    if (tokens.refresh_token && tokens.refresh_token !== refreshToken)
      refreshed.refreshToken = tokens.refresh_token;
    return refreshed;
  }

  async revoke(token: string): Promise<void> {
    const oauth2 = await this.oauth2();
    try {
      await translated(() => oauth2.revokeToken(token));
    } catch (error) {
      // Google answers 400 invalid_token for a token that is already revoked or expired: the goal is reached.
      if (error instanceof OAuthRequestError && error.oauthError === 'invalid_token') return;
      throw error;
    }
  }

  /**
   * When the access token expires, on the service's clock. google-auth-library turns `expires_in` into an
   * `expiry_date` on the system clock; the lifetime is what Google said, so it is kept and counted from the
   * service's now (one clock for all of the service's time). Google always sends it, but assume an hour if not.
   */
  private expiryOf(tokens: Credentials): number {
    const lifetimeMs = typeof tokens.expiry_date === 'number' ? tokens.expiry_date - Date.now() : 3_600_000;
    return (this.options.now?.() ?? new Date()).getTime() + lifetimeMs;
  }

  /** One OAuth2Client per credentials (rebuilt if the secret rotates). */
  private async oauth2(): Promise<TokenEndpointClient> {
    const credentials = await this.options.credentials.get();
    const cached = this.client;
    if (
      cached &&
      cached.credentials.clientId === credentials.clientId &&
      cached.credentials.clientSecret === credentials.clientSecret
    ) {
      return cached.oauth2;
    }
    const { endpoints } = this.options;
    const oauth2 = new TokenEndpointClient({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      ...(this.options.redirectUri !== undefined && { redirectUri: this.options.redirectUri }),
      endpoints: {
        oauth2AuthBaseUrl: endpoints.oauth2AuthBaseUrl,
        oauth2TokenUrl: endpoints.oauth2TokenUrl,
        oauth2RevokeUrl: endpoints.oauth2RevokeUrl,
        tokenInfoUrl: endpoints.tokenInfoUrl,
      },
      transporterOptions: { timeout: this.options.timeoutMs ?? 10_000 },
    });
    this.client = { credentials, oauth2 };
    return oauth2;
  }
}

const ID_TOKEN_ISSUERS = new Set(['https://accounts.google.com', 'accounts.google.com']);

/**
 * The `sub` of the ID token the token endpoint returned. Its signature is not checked: it came straight from
 * Google's token endpoint over TLS, in answer to a request authenticated with the client secret, which Google's
 * OpenID Connect guide says is enough to trust it. `aud` and `iss` are still checked, so a token meant for
 * another client is never taken for this one's.
 */
function accountOf(idToken: string | null | undefined, clientId: string | undefined): string | undefined {
  if (!idToken) return undefined;
  let claims: { sub?: unknown; aud?: unknown; iss?: unknown };
  try {
    claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (claims.aud !== clientId || typeof claims.iss !== 'string' || !ID_TOKEN_ISSUERS.has(claims.iss))
    return undefined;
  return typeof claims.sub === 'string' && /^[\x21-\x7e]{1,255}$/.test(claims.sub) ? claims.sub : undefined;
}

function requiredAccessToken(tokens: Credentials): string {
  if (!tokens.access_token) throw new OAuthRequestError(200, 'no_access_token');
  return tokens.access_token;
}

/** Runs a call to Google and replaces any failure by a typed error that carries no request detail. */
async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translate(error);
  }
}

function translate(error: unknown): Error {
  const { status, oauthError } = googleFailureOf(error);
  if (oauthError === 'invalid_grant') return new InvalidGrantError();
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    return new OAuthUnavailableError(status);
  }
  // Only a short, known-shaped code goes into the message; anything else is summarised.
  const code = oauthError && /^[a-z_]{1,64}$/.test(oauthError) ? oauthError : 'unexpected_response';
  return new OAuthRequestError(status, code);
}
