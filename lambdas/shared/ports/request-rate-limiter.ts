/**
 * Requests per route and window. Over a limit a check throws Refusal('rate_limited'), saying in
 * `retryAfterSeconds` when the window ends.
 *
 * Per client IP only failures count: a request that fails authentication (a wrong feed token or intent, a bad
 * signature) adds one, and an IP that used up its failures is refused before any work. Per subscriber, a request
 * counts once it is proven (the feed token, the intent where one is needed). Requests the host signed count per
 * key id and per subscriber in counters of their own, never per IP: a leaked feed token or a noisy neighbour on
 * the host's addresses cannot spend the host's budget.
 */
export interface RequestRateLimiter<Route extends string> {
  /** Refuses an IP that failed authentication too often in this window; counts nothing. */
  refuseExhaustedIp(route: Route, ip: string): Promise<void>;
  /** Counts a failed authentication of the IP; refuses once the failures are over the limit. */
  countIpFailure(route: Route, ip: string): Promise<void>;
  /** A proven, unsigned request of the subscriber. */
  checkSubscriber(route: Route, subscriberId: string): Promise<void>;
  /** A request the host signed with this key. */
  checkHostKey(route: Route, keyId: string): Promise<void>;
  /** A request the host signed for the subscriber. */
  checkHostSubscriber(route: Route, subscriberId: string): Promise<void>;
}
