import type { Logger } from '@aws-lambda-powertools/logger';
import type { CalendarGateway } from '../shared/ports/calendar-gateway.ts';
import type { Cipher } from '../shared/ports/cipher.ts';
import type { ConnectionStore } from '../shared/ports/connection-store.ts';
import type { FeedSource } from '../shared/ports/feed-source.ts';
import type { AccessTokenProvider } from '../shared/ports/google-auth.ts';
import type { HostEvents } from '../shared/ports/host-events.ts';
import type { OAuthClient } from '../shared/ports/oauth-client.ts';
import type { ProjectQuotaBudget } from '../shared/ports/project-quota-budget.ts';
import type { SyncMetrics } from '../shared/ports/sync-metrics.ts';
import type { SyncQueue } from '../shared/ports/sync-queue.ts';
import type { SyncSchedule } from '../shared/ports/sync-schedule.ts';
import type {
  EventMapStore,
  ProjectQuotaState,
  SyncLeaseStore,
  SyncStateStore,
  TokenCheckRecord,
} from '../shared/ports/sync-stores.ts';
import type { Clock } from '../shared/wiring/clock.ts';
import type { SyncSettings } from './engine/sync-subscriber.ts';

/** How the worker runs requests; from the sync worker's configuration. */
interface SyncWorkerSettings {
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
  /** Messages of a batch synced at once (each a different subscriber's sync, each with its own time budget). */
  parallelSubscribers: number;
  /** Engine settings other than the defaults (tests: pacing, retry pauses). */
  engine?: Partial<SyncSettings>;
}

/** What the sync worker uses; compose.ts builds it from its configuration. */
export interface SyncWorkerDependencies {
  connections: Pick<
    ConnectionStore,
    | 'get'
    | 'noteFeedGone'
    | 'clearFeedGone'
    | 'markFeedGone'
    | 'markCalendarMissing'
    | 'othersOfGoogleAccount'
  >;
  /** Revokes the grant of a connection whose feed is gone (unless another connection shares it). */
  oauth: Pick<OAuthClient, 'revoke'>;
  schedule: Pick<SyncSchedule, 'pause'>;
  syncState: SyncStateStore & SyncLeaseStore & TokenCheckRecord;
  /** Google's daily quota of the project: while it is used up, no request runs. */
  projectQuota?: ProjectQuotaState;
  /** Google's per-minute quota of the project, shared by every sync of every invocation (none: unshared). */
  projectBudget?: ProjectQuotaBudget;
  eventMap: EventMapStore;
  feeds: FeedSource;
  cipher: Cipher;
  accessTokens: AccessTokenProvider & { forget(subscriberId: string): void };
  /** The Calendar API for one subscriber, calling `accessToken` before each request. */
  /** `tokenRefused`: Google answered 401 to a token `accessToken` gave (it is dropped from the cache). */
  calendarFor(accessToken: () => Promise<string>, tokenRefused?: () => void): CalendarGateway;
  syncQueue: SyncQueue;
  metrics: SyncMetrics;
  /** Tells the host about connects, disconnects and lost connections (optional: HOST_EVENTS_URL). */
  hostEvents?: HostEvents;
  logger: Logger;
  now: () => Date;
  /** The engine's clock (pacing and backoff pauses); the system clock unless a test gives one. */
  clock?: Clock;
  settings: SyncWorkerSettings;
}
