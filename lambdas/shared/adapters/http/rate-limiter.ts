import type { Config, RateLimitedRoute } from '../../config.ts';
import type { RateLimitStore } from '../../ports/rate-limit-store.ts';
import { HttpRefusal } from './refusal.ts';

export interface RateLimiterOptions {
  store: RateLimitStore;
  limits: Config['rateLimits'];
  /** Keyed hash of a client IP, so counters never hold addresses. */
  hashIp: (ip: string) => Promise<string>;
  now?: () => Date;
}

/**
 * Per-route limits per client IP and per subscriber (fixed windows). Over the limit: 429 with Retry-After.
 * The IP check runs before any work; the subscriber check as soon as the subscriber is known.
 */
export class RateLimiter {
  private readonly now: () => Date;

  constructor(private readonly options: RateLimiterOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async checkIp(route: RateLimitedRoute, ip: string): Promise<void> {
    const { perIp } = this.options.limits.routes[route];
    await this.check(`${route}#ip#${await this.options.hashIp(ip)}`, perIp);
  }

  async checkSubscriber(route: RateLimitedRoute, subscriberId: string): Promise<void> {
    const { perSubscriber } = this.options.limits.routes[route];
    await this.check(`${route}#sub#${subscriberId}`, perSubscriber);
  }

  private async check(bucket: string, limit: number): Promise<void> {
    const now = this.now();
    const { count, windowEndsAt } = await this.options.store.increment(
      bucket,
      this.options.limits.windowSeconds,
      now,
    );
    if (count <= limit) return;
    const retryAfter = Math.max(1, windowEndsAt - Math.floor(now.getTime() / 1000));
    throw new HttpRefusal(429, 'rate_limited', 'Too many requests. Please wait a moment and try again.', {
      'Retry-After': String(retryAfter),
    });
  }
}
