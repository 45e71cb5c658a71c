import type { CheckIdleReason, CheckWriteReason } from '../domain/feed-check.ts';

/** What one sweep (or one part of it) did, in counts: its log line and its metrics. */
export interface SweepSummary {
  shard: number;
  /** Subscribers of the shard looked at. */
  subscribers: number;
  /** Feeds fetched (conditional GETs). */
  fetched: number;
  /** Feeds found unchanged: nothing written anywhere but, where they changed, the validators. */
  unchanged: number;
  /** Unchanged feeds whose new validators were stored. */
  validatorsRefreshed: number;
  /** Write jobs sent to the sync queue, by why. */
  writeJobs: Partial<Record<CheckWriteReason, number>>;
  /** Subscribers with nothing to do, by why. */
  idle: Partial<Record<CheckIdleReason, number>>;
  /** Checks that failed on something else than the feed (the subscriber got a write job all the same). */
  errors: number;
  /** The invocation's time ran short: the rest of the shard went on in a continuation sweep after this id. */
  continuedAfter?: string;
  durationMs: number;
}

/** The check's numbers (CloudWatch EMF in AWS): counts per verdict, never a subscriber id as a dimension. */
export interface CheckMetrics {
  sweepFinished(summary: SweepSummary): void;
  /** A sweep message this version cannot read. */
  poison(): void;
  flush(): void;
}
