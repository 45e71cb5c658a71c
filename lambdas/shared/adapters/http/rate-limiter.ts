import { isIPv4, isIPv6 } from 'node:net';
import { Refusal } from '../../errors.ts';
import type { RateLimitStore } from '../../ports/rate-limit-store.ts';
import type { RequestRateLimiter } from '../../ports/request-rate-limiter.ts';

/** The limits of requests the host signed (docs/operating.md, "Signed requests from the host"). */
export interface HostLimits {
  /** Per host key id and window: sized for every subscriber of the host, called from a few servers. */
  perKey: number;
  /** Per subscriber and window, apart from the subscriber's unsigned requests. */
  perSubscriber?: number;
}

/**
 * Requests per window of each route: failed authentications per client IP, proven requests per subscriber, and
 * (for routes the host calls) signed requests per host key and per subscriber.
 */
interface RateLimits<Route extends string> {
  windowSeconds: number;
  routes: Record<Route, { perIp: number; perSubscriber?: number; host?: HostLimits }>;
}

export interface RateLimiterOptions<Route extends string> {
  store: RateLimitStore;
  limits: RateLimits<Route>;
  /** Keyed hash of a client IP, so counters never hold addresses. */
  hashIp: (ip: string) => Promise<string>;
  now?: () => Date;
}

/**
 * Per-route fixed-window limits (the port describes what each counter counts). Over the limit:
 * Refusal('rate_limited') with the seconds to the window's end (the routes answer 429 with Retry-After).
 */
export class RateLimiter<Route extends string> implements RequestRateLimiter<Route> {
  private readonly now: () => Date;

  constructor(private readonly options: RateLimiterOptions<Route>) {
    this.now = options.now ?? (() => new Date());
  }

  async refuseExhaustedIp(route: Route, ip: string): Promise<void> {
    for (const { bucket, limit } of await this.ipBuckets(route, ip)) {
      const now = this.now();
      const { count, windowEndsAt } = await this.options.store.current(
        bucket,
        this.options.limits.windowSeconds,
        now,
      );
      // This request would be one more.
      if (count >= limit) throw rateLimited(windowEndsAt, now);
    }
  }

  async countIpFailure(route: Route, ip: string): Promise<void> {
    for (const { bucket, limit } of await this.ipBuckets(route, ip)) await this.check(bucket, limit);
  }

  async checkSubscriber(route: Route, subscriberId: string): Promise<void> {
    const { perSubscriber } = this.options.limits.routes[route];
    if (perSubscriber === undefined) throw new Error(`no per-subscriber limit for the ${route} route`);
    await this.check(`${route}#sub#${subscriberId}`, perSubscriber);
  }

  async checkHostKey(route: Route, keyId: string): Promise<void> {
    await this.check(`${route}#hostkey#${keyId}`, this.hostLimits(route).perKey);
  }

  async checkHostSubscriber(route: Route, subscriberId: string): Promise<void> {
    const { perSubscriber } = this.hostLimits(route);
    if (perSubscriber === undefined) throw new Error(`no per-subscriber host limit for the ${route} route`);
    await this.check(`${route}#hostsub#${subscriberId}`, perSubscriber);
  }

  private hostLimits(route: Route): HostLimits {
    const { host } = this.options.limits.routes[route];
    if (!host) throw new Error(`no host limits for the ${route} route`);
    return host;
  }

  /** The IP's own counter, and for IPv6 the one of its /48 too. */
  private async ipBuckets(route: Route, ip: string): Promise<{ bucket: string; limit: number }[]> {
    const { perIp } = this.options.limits.routes[route];
    const buckets = [
      { bucket: `${route}#ip#${await this.options.hashIp(rateLimitedAddress(ip))}`, limit: perIp },
    ];
    const allocation = ipv6Allocation(ip);
    if (allocation !== undefined) {
      buckets.push({
        bucket: `${route}#ip48#${await this.options.hashIp(allocation)}`,
        limit: perIp * IPV6_48_FACTOR,
      });
    }
    return buckets;
  }

  private async check(bucket: string, limit: number): Promise<void> {
    const now = this.now();
    const { count, windowEndsAt } = await this.options.store.increment(
      bucket,
      this.options.limits.windowSeconds,
      now,
    );
    if (count > limit) throw rateLimited(windowEndsAt, now);
  }
}

function rateLimited(windowEndsAt: number, now: Date): Refusal<'rate_limited'> {
  const retryAfterSeconds = Math.max(1, windowEndsAt - Math.floor(now.getTime() / 1000));
  return new Refusal('rate_limited', { retryAfterSeconds });
}

/**
 * What a per-IP limit counts: an IPv4 address as is, an IPv6 address by its /64 prefix (one subscriber line or
 * host commonly holds a whole /64, so counting single addresses would let it rotate past the limit). An
 * IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function rateLimitedAddress(ip: string): string {
  const address = ip.split('%')[0] ?? ip; // without a zone index
  if (!isIPv6(address)) return ip;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 6).join(':') === '0:0:0:0:0:ffff') {
    const [high = 0, low = 0] = groups.slice(6).map((group) => Number.parseInt(group, 16));
    const mapped = [high >> 8, high & 255, low >> 8, low & 255].join('.');
    if (isIPv4(mapped)) return mapped;
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/**
 * The secondary limit of an IPv6 /48 is this many times the per-IP one. A /48 is what a site or a customer is
 * typically allocated (65,536 /64s): per /64 buckets alone let one allocation rotate through fresh buckets
 * without end. A few times the per-IP limit still leaves room for several real clients behind one allocation.
 */
export const IPV6_48_FACTOR = 4;

/** The /48 of an IPv6 address (`2001:db8:1::/48`); undefined for IPv4, IPv4-mapped IPv6 and anything else. */
export function ipv6Allocation(ip: string): string | undefined {
  const address = ip.split('%')[0] ?? ip;
  if (!isIPv6(address)) return undefined;
  const bucket = rateLimitedAddress(ip);
  if (!bucket.endsWith('::/64')) return undefined; // an IPv4-mapped address counts as IPv4
  return `${ipv6Groups(address).slice(0, 3).join(':')}::/48`;
}

/** The eight 16-bit groups of a valid IPv6 address, lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const parts = (text: string) => (text === '' ? [] : text.split(':').flatMap(embeddedIPv4AsGroups));
  const front = parts(head);
  const back = tail === undefined ? [] : parts(tail);
  const zeros = Array.from({ length: 8 - front.length - back.length }, () => '0');
  return [...front, ...zeros, ...back].map((group) => Number.parseInt(group, 16).toString(16));
}

function embeddedIPv4AsGroups(part: string): string[] {
  if (!part.includes('.')) return [part];
  const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
