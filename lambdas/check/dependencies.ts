import type { Logger } from '@aws-lambda-powertools/logger';
import type { Horizon } from '../shared/domain/ics/horizon.ts';
import type { CheckMetrics } from '../shared/ports/check-metrics.ts';
import type { Cipher } from '../shared/ports/cipher.ts';
import type { FeedSource } from '../shared/ports/feed-source.ts';
import type { SweepQueue } from '../shared/ports/sweep-queue.ts';
import type { CheckStateWriter, SweepSource } from '../shared/ports/sweep-source.ts';
import type { SyncQueue } from '../shared/ports/sync-queue.ts';

/** How a sweep checks; from the check's configuration. */
interface CheckSettings {
  /** Feed URL with `{token}`. */
  feedUrlTemplate: string;
  /** For floating times in feeds without X-WR-TIMEZONE (the fingerprint depends on it, as the engine's does). */
  defaultTimeZone: string;
  /** The horizon a sync of now reaches. */
  horizon: (now: Date) => Horizon;
  /** Feeds fetched at once across the sweep. */
  concurrency: number;
  /** Kept free at the end of an invocation: no fetch starts later; the rest goes to a continuation sweep. */
  timeMarginMs: number;
  auditIntervalMs: number;
  maxUnitsPerDay: number;
}

/** What the check uses; compose.ts builds it from its configuration. */
export interface CheckDependencies {
  source: SweepSource;
  stateWriter: CheckStateWriter;
  feeds: FeedSource;
  /** Opens feed tokens (envelope encryption: no KMS call per check once the data key is unwrapped). */
  cipher: Pick<Cipher, 'decrypt'>;
  /** Write jobs (the sync worker's queue). */
  syncQueue: SyncQueue;
  /** Continuations of a sweep that ran short of time. */
  sweepQueue: SweepQueue;
  metrics: CheckMetrics;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now: () => Date;
  settings: CheckSettings;
}
