import { createHmac } from 'node:crypto';

/**
 * The subscriber's identity is the token of their personal ICS URL. The service keeps it only encrypted and keys
 * everything by `subscriberId = HMAC-SHA256(server secret, token)`, so a table read never yields a usable token.
 *
 * Keyed hashes under the server secret: the subscriberId of a feed token, the lookup key of a feed token's
 * SHA-256, the key of a Google account, and the key of a client IP in the rate-limit counters
 * (domain-separated: a feed token never contains ':').
 */
export class SubscriberIdentity {
  private secret: Promise<string> | undefined;

  constructor(private readonly loadSecret: () => Promise<string>) {}

  async subscriberIdFor(feedToken: string): Promise<string> {
    return this.hmac(feedToken);
  }

  /**
   * The connection's `feedLookupKey` for a feed token's SHA-256 (lower-case hex), the form in which the ICS
   * service names changed feeds. Keyed, so a leaked table does not even give the plain digest of a token.
   */
  async feedLookupKey(feedTokenSha256Hex: string): Promise<string> {
    return this.hmac(`feed-sha256:${feedTokenSha256Hex.toLowerCase()}`);
  }

  /**
   * The connection's `googleAccountKey` for the `sub` of a grant's ID token: tells which connections share a
   * Google account (and so a grant, which Google revokes as a whole) without storing the account id itself.
   */
  async googleAccountKey(googleAccountId: string): Promise<string> {
    return this.hmac(`google-sub:${googleAccountId}`);
  }

  async ipKey(ip: string): Promise<string> {
    return (await this.hmac(`ip:${ip}`)).slice(0, 32);
  }

  private async hmac(value: string): Promise<string> {
    // Loaded once per container; a failed load is retried on the next call.
    this.secret ??= this.loadSecret().catch((error: unknown) => {
      this.secret = undefined;
      throw error;
    });
    return createHmac('sha256', await this.secret)
      .update(value, 'utf8')
      .digest('hex');
  }
}
