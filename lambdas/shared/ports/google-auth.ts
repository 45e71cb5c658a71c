/** Gives a valid Google access token for a subscriber (decrypts, refreshes and caches behind the scenes). */
export interface AccessTokenProvider {
  accessTokenFor(subscriberId: string): Promise<string>;
}
