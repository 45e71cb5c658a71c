import type { Cipher } from '../../ports/cipher.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import type { AccessTokenProvider } from '../../ports/google-auth.ts';
import { InvalidGrantError, NeedsReauthError, type OAuthClient } from '../../ports/oauth-client.ts';

export interface CachingAccessTokenProviderOptions {
  connections: ConnectionStore;
  cipher: Cipher;
  oauth: OAuthClient;
  /** Refresh this long before the access token expires (Google's library uses 5 minutes). */
  refreshMarginMs: number;
  now?: () => Date;
  /** Told when Google refused a refresh token (for a log line; never gets a token). */
  onNeedsReauth?: (subscriberId: string) => void;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/**
 * Access tokens for the sync: decrypts the stored refresh token, refreshes, and keeps the access token in this
 * warm container until shortly before it expires. Concurrent callers for one subscriber share one refresh.
 * `invalid_grant` is final: the connection goes to needs_reauth (refresh-token ciphertext scrubbed, scheduling
 * stopped) and the caller gets NeedsReauthError.
 */
export class CachingAccessTokenProvider implements AccessTokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();
  private readonly now: () => Date;

  constructor(private readonly options: CachingAccessTokenProviderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async accessTokenFor(subscriberId: string): Promise<string> {
    const cached = this.cache.get(subscriberId);
    if (cached && cached.expiresAt - this.options.refreshMarginMs > this.now().getTime())
      return cached.accessToken;
    let refreshing = this.inFlight.get(subscriberId);
    if (!refreshing) {
      refreshing = this.refresh(subscriberId).finally(() => this.inFlight.delete(subscriberId));
      this.inFlight.set(subscriberId, refreshing);
    }
    return (await refreshing).accessToken;
  }

  /** Remembers a token obtained elsewhere (the connect callback's exchange), saving a refresh. */
  remember(subscriberId: string, accessToken: string, expiresAt: number): void {
    this.cache.set(subscriberId, { accessToken, expiresAt });
  }

  /** Drops the cached token (Google answered 401 to it, or the subscriber disconnected). */
  forget(subscriberId: string): void {
    this.cache.delete(subscriberId);
  }

  private async refresh(subscriberId: string): Promise<CachedToken> {
    this.cache.delete(subscriberId);
    const { connections, cipher, oauth } = this.options;
    const connection = await connections.get(subscriberId);
    if (connection?.status !== 'connected' || !connection.refreshTokenCiphertext) {
      throw new NeedsReauthError(subscriberId);
    }
    const context = { subscriberId, purpose: 'google_refresh_token' } as const;
    const refreshToken = await cipher.decrypt(connection.refreshTokenCiphertext, context);
    let refreshed: Awaited<ReturnType<OAuthClient['refresh']>>;
    try {
      refreshed = await oauth.refresh(refreshToken);
    } catch (error) {
      if (!(error instanceof InvalidGrantError)) throw error;
      await connections.markNeedsReauth(subscriberId, this.now());
      this.options.onNeedsReauth?.(subscriberId);
      throw new NeedsReauthError(subscriberId);
    }
    if (refreshed.refreshToken) {
      // Google rotated the refresh token: the old one stops working, so the new one must be kept.
      const ciphertext = await cipher.encrypt(refreshed.refreshToken, context);
      await connections.save(
        { ...connection, refreshTokenCiphertext: ciphertext, updatedAt: this.now().toISOString() },
        connection.version,
      );
    }
    const token = { accessToken: refreshed.accessToken, expiresAt: refreshed.accessTokenExpiresAt };
    this.cache.set(subscriberId, token);
    return token;
  }
}
