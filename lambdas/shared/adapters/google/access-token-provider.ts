import { BoundedCache } from '../../domain/bounded-cache.ts';
import type { Cipher } from '../../ports/cipher.ts';
import type { Connection, ConnectionStore } from '../../ports/connection-store.ts';
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
  /** Access tokens kept at most (the least recently used goes first); ACCESS_TOKEN_CACHE_CAPACITY by default. */
  cacheCapacity?: number;
}

/**
 * A warm container serves a random share of all subscribers: without a bound, the cache would grow with the
 * number of subscribers it ever saw (about 1 KB each), never with the number worth keeping.
 */
const ACCESS_TOKEN_CACHE_CAPACITY = 5_000;

interface CachedToken {
  accessToken: string;
  expiresAt: number;
  /** The stored refresh token it was minted from: a reconnect stores another one, and this entry is stale. */
  refreshTokenCiphertext: string;
}

/**
 * Access tokens for the sync: decrypts the stored refresh token, refreshes, and keeps the access token in this
 * warm container until shortly before it expires, keyed by the refresh token it came from (a reconnect, maybe
 * to another Google account, is never served the previous account's token). Concurrent callers for one refresh
 * token share one refresh. `invalid_grant` is final: the connection goes to needs_reauth (refresh-token
 * ciphertext scrubbed, scheduling stopped) and the caller gets NeedsReauthError; unless a reconnect stored a
 * new refresh token meanwhile, which is then used instead.
 */
export class CachingAccessTokenProvider implements AccessTokenProvider {
  private readonly cache: BoundedCache<string, CachedToken>;
  /** Keyed by refresh-token ciphertext. */
  private readonly inFlight = new Map<string, Promise<CachedToken>>();
  private readonly now: () => Date;

  constructor(private readonly options: CachingAccessTokenProviderOptions) {
    this.now = options.now ?? (() => new Date());
    this.cache = new BoundedCache(options.cacheCapacity ?? ACCESS_TOKEN_CACHE_CAPACITY);
  }

  async accessTokenFor(subscriberId: string, connection?: Connection): Promise<string> {
    const current = connection ?? (await this.options.connections.get(subscriberId));
    const ciphertext = refreshableCiphertext(subscriberId, current);
    const cached = this.cache.get(subscriberId);
    if (
      cached?.refreshTokenCiphertext === ciphertext &&
      cached.expiresAt - this.options.refreshMarginMs > this.now().getTime()
    )
      return cached.accessToken;
    return (await this.sharedRefresh(current as Connection)).accessToken;
  }

  /** Remembers a token obtained elsewhere (the connect callback's exchange), saving a refresh. */
  remember(
    subscriberId: string,
    refreshTokenCiphertext: string,
    accessToken: string,
    expiresAt: number,
  ): void {
    this.cache.set(subscriberId, { accessToken, expiresAt, refreshTokenCiphertext });
  }

  /** Drops the cached token (Google answered 401 to it, or the subscriber disconnected). */
  forget(subscriberId: string): void {
    this.cache.delete(subscriberId);
  }

  private sharedRefresh(connection: Connection): Promise<CachedToken> {
    const key = connection.refreshTokenCiphertext as string;
    let refreshing = this.inFlight.get(key);
    if (!refreshing) {
      refreshing = this.refresh(connection, true).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, refreshing);
    }
    return refreshing;
  }

  private async refresh(connection: Connection, mayRetry: boolean): Promise<CachedToken> {
    const { subscriberId } = connection;
    const ciphertext = refreshableCiphertext(subscriberId, connection);
    const { connections, cipher, oauth } = this.options;
    const context = { subscriberId, purpose: 'google_refresh_token' } as const;
    const refreshToken = await cipher.decrypt(ciphertext, context);
    let refreshed: Awaited<ReturnType<OAuthClient['refresh']>>;
    try {
      refreshed = await oauth.refresh(refreshToken);
    } catch (error) {
      if (!(error instanceof InvalidGrantError)) throw error;
      if (await connections.markNeedsReauth(subscriberId, ciphertext, this.now())) {
        this.forgetIfFrom(subscriberId, ciphertext);
        this.options.onNeedsReauth?.(subscriberId);
        throw new NeedsReauthError(subscriberId);
      }
      // The refused token is no longer the stored one: a reconnect replaced it (or a disconnect removed it).
      const latest = await connections.get(subscriberId);
      if (!mayRetry || latest?.refreshTokenCiphertext === ciphertext)
        throw new NeedsReauthError(subscriberId);
      return this.refresh(latest as Connection, false);
    }
    let current = ciphertext;
    if (refreshed.refreshToken) {
      // Google rotated the refresh token: the old one stops working, so the new one must be kept.
      current = await cipher.encrypt(refreshed.refreshToken, context);
      await connections.save(
        { ...connection, refreshTokenCiphertext: current, updatedAt: this.now().toISOString() },
        connection.version,
      );
    }
    const token = {
      accessToken: refreshed.accessToken,
      expiresAt: refreshed.accessTokenExpiresAt,
      refreshTokenCiphertext: current,
    };
    this.cache.set(subscriberId, token);
    return token;
  }

  private forgetIfFrom(subscriberId: string, ciphertext: string): void {
    if (this.cache.get(subscriberId)?.refreshTokenCiphertext === ciphertext) this.cache.delete(subscriberId);
  }
}

/** The refresh-token ciphertext of a connection the sync may use; NeedsReauthError otherwise. */
function refreshableCiphertext(subscriberId: string, connection: Connection | undefined): string {
  if (connection?.status !== 'connected' || !connection.refreshTokenCiphertext) {
    throw new NeedsReauthError(subscriberId);
  }
  return connection.refreshTokenCiphertext;
}
