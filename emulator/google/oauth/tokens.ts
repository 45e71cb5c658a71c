/** Authorization codes, access tokens, refresh tokens and grants, with Google's lifetimes and limits. */
import { createHash } from 'node:crypto';
import { OAuthError } from '../errors.ts';
import { randomToken } from '../ids.ts';
import type { TokenOptions } from '../options.ts';
import type { TokenResponse } from '../types.ts';
import { IdTokenSigner } from './id-tokens.ts';

export interface AccessToken {
  token: string;
  userId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  /** The refresh token it was minted with (or alongside); revoking one kills the other. */
  family?: string;
  revoked: boolean;
  offline: boolean;
}

/** The scopes a user has granted a client so far (kept across tokens until revoked). */
interface Grant {
  userId: string;
  clientId: string;
  scopes: Set<string>;
}

interface RefreshToken {
  token: string;
  userId: string;
  clientId: string;
  scopes: string[];
  issuedAt: number;
  dead: boolean;
}

interface AuthorizationCode {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  issueRefreshToken: boolean;
  expiresAt: number;
  used: boolean;
}

export interface ConsentInput {
  userId: string;
  clientId: string;
  requested: string[];
  /** What the user left ticked on the consent form (defaults to everything requested). */
  ticked?: string[];
  /** A limit set by a test (`grantNextScopes`); undefined when none is set. */
  limit?: string[] | undefined;
  includeGrantedScopes: boolean;
}

/** The key of a user and client in the maps below (never read back: the records carry both by name). */
const pairKey = (userId: string, clientId: string) => `${userId}|${clientId}`;

const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);
const TOKEN_EXPIRED_OR_REVOKED = 'Token has been expired or revoked.';

export class TokenStore {
  private readonly idTokens = new IdTokenSigner();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  /** Live refresh tokens per user+client, oldest first (for the per-client limit). */
  private readonly refreshByPair = new Map<string, string[]>();
  private readonly codes = new Map<string, AuthorizationCode>();
  /** Per user+client. */
  private readonly grants = new Map<string, Grant>();

  constructor(
    private readonly options: TokenOptions,
    private readonly now: () => number,
    /** The Google Cloud project an OAuth client belongs to (revocation is per project). */
    private readonly projectOf: (clientId: string) => string = (clientId) => clientId,
  ) {}

  hasGrant(userId: string, clientId: string): boolean {
    return this.grants.has(pairKey(userId, clientId));
  }

  /** Records a consent; returns the scopes the tokens will carry. */
  consent(input: ConsentInput): string[] {
    const { userId, clientId } = input;
    let granted = input.requested;
    if (input.ticked) granted = granted.filter((scope) => input.ticked?.includes(scope));
    if (input.limit) granted = granted.filter((scope) => input.limit?.includes(scope));
    const previous = this.grants.get(pairKey(userId, clientId))?.scopes ?? new Set<string>();
    const scopes = new Set([...previous, ...granted]);
    this.grants.set(pairKey(userId, clientId), { userId, clientId, scopes });
    return input.includeGrantedScopes ? [...scopes] : granted;
  }

  createCode(input: Omit<AuthorizationCode, 'code' | 'expiresAt' | 'used'>): string {
    const code = randomToken('4/0A', 40);
    this.codes.set(code, {
      ...input,
      code,
      expiresAt: this.now() + this.options.authorizationCodeLifetimeSeconds * 1000,
      used: false,
    });
    return code;
  }

  redeemCode(input: {
    code: string;
    clientId: string;
    redirectUri?: string;
    codeVerifier?: string;
  }): TokenResponse {
    const code = this.codes.get(input.code);
    if (!code || code.clientId !== input.clientId) throw invalidGrant('Malformed auth code.');
    if (code.used || code.expiresAt <= this.now()) throw invalidGrant('Bad Request');
    if (input.redirectUri !== code.redirectUri)
      throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.codeChallenge !== undefined) {
      if (!input.codeVerifier) throw invalidGrant('Missing code verifier.');
      if (!verifierMatches(input.codeVerifier, code.codeChallenge, code.codeChallengeMethod ?? 'plain')) {
        throw invalidGrant('Invalid code verifier.');
      }
    }
    // Single use: a failed verifier check above leaves the code usable, as the legitimate client may still come.
    code.used = true;
    return this.issue(code.userId, code.clientId, code.scopes, code.issueRefreshToken);
  }

  /** Mints an access token (and a refresh token when asked), enforcing the per-client refresh token limit. */
  issue(userId: string, clientId: string, scopes: string[], withRefreshToken: boolean): TokenResponse {
    let family: string | undefined;
    if (withRefreshToken) family = this.mintRefreshToken(userId, clientId, scopes);
    const access = this.mintAccessToken(userId, clientId, scopes, family);
    return {
      ...this.tokenResponse(access),
      ...(family ? { refresh_token: family } : {}),
      // Google's token endpoint adds an ID token when the grant includes `openid` (OpenID Connect guide,
      // "Exchange code for access token and ID token").
      ...(scopes.includes('openid') ? { id_token: this.idTokens.sign(userId, clientId, this.now()) } : {}),
    };
  }

  refresh(input: { refreshToken: string; clientId: string; scope?: string[] }): TokenResponse {
    const refresh = this.refreshTokens.get(input.refreshToken);
    if (!refresh || refresh.dead) throw invalidGrant(TOKEN_EXPIRED_OR_REVOKED);
    if (refresh.clientId !== input.clientId) throw new OAuthError(401, 'unauthorized_client', 'Unauthorized');
    // A refresh may ask for a subset of the granted scopes, never more.
    let scopes = refresh.scopes;
    if (input.scope?.length) {
      if (input.scope.some((scope) => !refresh.scopes.includes(scope))) {
        throw new OAuthError(400, 'invalid_scope', 'Some requested scopes were invalid.');
      }
      scopes = input.scope;
    }
    return this.tokenResponse(this.mintAccessToken(refresh.userId, refresh.clientId, scopes, refresh.token));
  }

  /** The token endpoint's answer for a new access token. */
  private tokenResponse(access: AccessToken): TokenResponse {
    return {
      access_token: access.token,
      expires_in: this.options.accessTokenLifetimeSeconds,
      scope: access.scopes.join(' '),
      token_type: 'Bearer',
    };
  }

  /** A live access token, or undefined (unknown, revoked or expired). */
  authenticate(token: string): AccessToken | undefined {
    const access = this.accessTokens.get(token);
    if (!access || access.revoked || access.expiresAt <= this.now()) return undefined;
    return access;
  }

  /**
   * Revokes an access or refresh token; false when the token is unknown or already dead. By default (`grant`)
   * the whole grant goes, as Google documents: "Revocation removes all OAuth 2.0 scopes previously granted to a
   * project, invalidating any issued access or refresh tokens for all clients registered under that project"
   * (OAuth 2.0 web-server guide, token revocation). `token` kills only the token's family.
   */
  revoke(token: string): boolean {
    const access = this.accessTokens.get(token);
    const refresh = this.refreshTokens.get(token);
    const live = (access && !access.revoked && access.expiresAt > this.now()) || (refresh && !refresh.dead);
    if (!live) return false;
    const owner = access ?? (refresh as RefreshToken);
    if (this.options.revocation === 'grant') {
      this.revokeProjectGrant(owner.userId, this.projectOf(owner.clientId));
      return true;
    }
    const family = access ? access.family : refresh?.token;
    if (access) access.revoked = true;
    if (family) this.killFamily(family);
    this.grants.delete(pairKey(owner.userId, owner.clientId));
    return true;
  }

  /** Revokes every token matching the filter; returns how many were live. */
  revokeAll(filter: { userId?: string; clientId?: string }): number {
    let count = 0;
    for (const access of this.accessTokens.values()) {
      if (!access.revoked && matches(access, filter)) {
        access.revoked = true;
        count += 1;
      }
    }
    for (const refresh of this.refreshTokens.values()) {
      if (!refresh.dead && matches(refresh, filter)) {
        refresh.dead = true;
        count += 1;
      }
    }
    for (const [key, grant] of this.grants) if (matches(grant, filter)) this.grants.delete(key);
    return count;
  }

  /** Every access and refresh token the user granted any client of the project dies, and the grants go. */
  private revokeProjectGrant(userId: string, projectId: string): void {
    const inGrant = (token: { userId: string; clientId: string }) =>
      token.userId === userId && this.projectOf(token.clientId) === projectId;
    for (const access of this.accessTokens.values()) if (inGrant(access)) access.revoked = true;
    for (const refresh of this.refreshTokens.values()) if (inGrant(refresh)) refresh.dead = true;
    for (const [key, grant] of this.grants) if (inGrant(grant)) this.grants.delete(key);
  }

  /** Makes matching tokens expire now; returns how many were live. */
  expire(filter: { userId?: string; clientId?: string; kind: 'access' | 'refresh' | 'all' }): number {
    const now = this.now();
    let count = 0;
    if (filter.kind !== 'refresh') {
      for (const access of this.accessTokens.values()) {
        if (!access.revoked && access.expiresAt > now && matches(access, filter)) {
          access.expiresAt = now;
          count += 1;
        }
      }
    }
    if (filter.kind !== 'access') {
      for (const refresh of this.refreshTokens.values()) {
        if (!refresh.dead && matches(refresh, filter)) {
          refresh.dead = true;
          count += 1;
        }
      }
    }
    return count;
  }

  private mintRefreshToken(userId: string, clientId: string, scopes: string[]): string {
    const key = pairKey(userId, clientId);
    const live = (this.refreshByPair.get(key) ?? []).filter((token) => !this.refreshTokens.get(token)?.dead);
    const token = randomToken('1//0g', 48);
    this.refreshTokens.set(token, { token, userId, clientId, scopes, issuedAt: this.now(), dead: false });
    live.push(token);
    // Google's limit: the newest token silently invalidates the oldest once there are too many.
    while (live.length > this.options.refreshTokensPerClientPerUser) {
      const oldest = live.shift() as string;
      this.killFamily(oldest);
    }
    this.refreshByPair.set(key, live);
    return token;
  }

  private mintAccessToken(userId: string, clientId: string, scopes: string[], family?: string): AccessToken {
    const access: AccessToken = {
      token: randomToken('ya29.a0', 96),
      userId,
      clientId,
      scopes,
      expiresAt: this.now() + this.options.accessTokenLifetimeSeconds * 1000,
      revoked: false,
      offline: family !== undefined,
      ...(family ? { family } : {}),
    };
    this.accessTokens.set(access.token, access);
    return access;
  }

  private killFamily(refreshToken: string): void {
    const refresh = this.refreshTokens.get(refreshToken);
    if (refresh) refresh.dead = true;
    for (const access of this.accessTokens.values())
      if (access.family === refreshToken) access.revoked = true;
  }
}

function matches(
  token: { userId: string; clientId: string },
  filter: { userId?: string; clientId?: string },
) {
  return (
    (!filter.userId || token.userId === filter.userId) &&
    (!filter.clientId || token.clientId === filter.clientId)
  );
}

function verifierMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (method === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}
