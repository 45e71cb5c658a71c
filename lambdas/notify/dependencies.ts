import type { Logger } from '@aws-lambda-powertools/logger';
import type { RateLimitStore } from '../shared/ports/rate-limit-store.ts';
import type { RequestRateLimiter } from '../shared/ports/request-rate-limiter.ts';
import type { SubscriberLookup } from '../shared/ports/subscriber-lookup.ts';
import type { SyncQueue } from '../shared/ports/sync-queue.ts';
import type { HostRequestDependencies } from '../shared/use-cases/authenticate-host-request.ts';
import type { NotifyConfig } from './config.ts';

/** What the change-notification function uses; compose.ts builds it from its configuration. */
export interface NotifyDependencies extends HostRequestDependencies {
  config: NotifyConfig;
  /** The keyed hash a connection is found by (SubscriberIdentity). */
  identity: { feedLookupKey(feedTokenSha256Hex: string): Promise<string> };
  subscribers: SubscriberLookup;
  rateLimiter: RequestRateLimiter<'notify'>;
  /** Per-subscriber notification counters (the rate-limit table's fixed windows): the deduplication. */
  notificationCounters: RateLimitStore;
  syncQueue: SyncQueue;
  logger: Logger;
}
