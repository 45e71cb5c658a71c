import type { Connection } from './connection-store.ts';

/** Gives a valid Google access token for a subscriber (decrypts, refreshes and caches behind the scenes). */
export interface AccessTokenProvider {
  /**
   * `connection`: the subscriber's connection as the caller just read it (saves a read); without it the
   * provider reads the stored one. Either way a cached token is only given for the refresh token it came from.
   */
  accessTokenFor(subscriberId: string, connection?: Connection): Promise<string>;
}
