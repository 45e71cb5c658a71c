import type { Logger } from '@aws-lambda-powertools/logger';
import type { CalendarGateway } from '../shared/ports/calendar-gateway.ts';
import type { Cipher } from '../shared/ports/cipher.ts';
import type { ConnectionStore } from '../shared/ports/connection-store.ts';
import type { FeedSource } from '../shared/ports/feed-source.ts';
import type { AccessTokenProvider } from '../shared/ports/google-auth.ts';
import type { SyncMetrics } from '../shared/ports/sync-metrics.ts';
import type { SyncQueue } from '../shared/ports/sync-queue.ts';
import type { SyncSchedule } from '../shared/ports/sync-schedule.ts';
import type { EventMapStore, SyncLeaseStore, SyncStateStore } from '../shared/ports/sync-stores.ts';
import type { Clock } from './clock.ts';
import type { SyncSettings } from './sync-subscriber.ts';

/** How the worker runs requests; from the sync worker's configuration. */
export interface SyncWorkerSettings {
  /** Feed URL with `{token}`. */
  feedUrlTemplate: string;
  /** For floating times in feeds without X-WR-TIMEZONE. */
  defaultTimeZone: string;
  /** The schedule's interval: a scheduled request for a subscriber synced within it is skipped. */
  intervalSeconds: number;
  /** Left free at the end of an invocation: the sync's time budget is the remaining time minus this. */
  timeMarginMs: number;
  continueDelaySeconds: number;
  busyRetryDelaySeconds: number;
  /** Engine settings other than the defaults (tests: pacing, retry pauses). */
  engine?: Partial<SyncSettings>;
}

/** What the sync worker uses; the composition root builds it from the configuration. */
export interface SyncWorkerDependencies {
  connections: Pick<ConnectionStore, 'get'>;
  schedule: Pick<SyncSchedule, 'pause'>;
  syncState: SyncStateStore & SyncLeaseStore;
  eventMap: EventMapStore;
  feeds: FeedSource;
  cipher: Cipher;
  accessTokens: AccessTokenProvider;
  /** The Calendar API for one subscriber, calling `accessToken` before each request. */
  calendarFor(accessToken: () => Promise<string>): CalendarGateway;
  syncQueue: SyncQueue;
  metrics: SyncMetrics;
  logger: Logger;
  now: () => Date;
  /** The engine's clock (pacing and backoff pauses); the system clock unless a test gives one. */
  clock?: Clock;
  settings: SyncWorkerSettings;
}
