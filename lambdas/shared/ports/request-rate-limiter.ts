/**
 * Requests per route and window: per client IP before any work, per subscriber as soon as it is known. Over a
 * limit a check throws Refusal('rate_limited'), saying in `retryAfterSeconds` when the window ends.
 */
export interface RequestRateLimiter<Route extends string> {
  checkIp(route: Route, ip: string): Promise<void>;
  checkSubscriber(route: Route, subscriberId: string): Promise<void>;
}
