import type { Logger } from '@aws-lambda-powertools/logger';
import type { ConnectionStore } from '../shared/ports/connection-store.ts';
import type { SweepQueue } from '../shared/ports/sweep-queue.ts';
import type {
  EventMapStore,
  ProjectQuotaState,
  SyncLeaseStore,
  SyncStateStore,
} from '../shared/ports/sync-stores.ts';

/** What the scheduled jobs use; compose.ts builds it from the scheduler's configuration. */
export interface SchedulerDependencies {
  sweepQueue: SweepQueue;
  connections: ConnectionStore;
  eventMap: EventMapStore;
  /** The lease keeps a disconnect or a purge from overlapping a running sync. */
  syncState: SyncStateStore & SyncLeaseStore;
  /** Google's daily quota of the project: no tick sends sweeps while it is used up. */
  projectQuota?: Pick<ProjectQuotaState, 'dailyLimitUntil'>;
  logger: Logger;
  now: () => Date;
  settings: { intervalSeconds: number; needsReauthDays: number };
}
