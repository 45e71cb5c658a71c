import type { SyncResult } from '../domain/sync-result.ts';

/** Why the worker did not run a sync for a request it read. */
export type SkipReason =
  | 'not_connected' // disconnected (or purged) since it was enqueued
  | 'needs_reauth' // the connection waits for the subscriber to reconnect
  | 'feed_gone' // the feed stopped answering (401/403/404/410 for a day): waits for a reconnect
  | 'calendar_missing' // the dedicated calendar was deleted in Google: waits for a reconnect
  | 'not_scheduled'
  | 'operator_paused' // the operator paused the subscriber (npm run ops -- pause): nothing runs until resume
  | 'paused' // Google's calendar usage limits: cooling down
  | 'daily_quota' // Google's daily quota of the project is used up: every request waits for its reset
  | 'daily_budget' // the subscriber's own daily budget of Google quota units is spent: the next UTC day resumes
  | 'recently_synced'; // a repeated tick: synced within this interval already

/** What went wrong with a request, beyond what a sync result says. */
export type WorkerErrorKind =
  | 'poison' // the message is not a sync request
  | 'requeue_limit' // put back too often (busy or continued): dropped, the schedule takes over
  | 'unexpected'; // anything thrown (DynamoDB, KMS, Google's token endpoint...): the message is retried

/** The worker's numbers (CloudWatch EMF in AWS). Never a token, a feed URL or a subscriber id as a dimension. */
export interface SyncMetrics {
  /** A sync ran to a result (busy included). */
  runFinished(result: SyncResult, measures: { durationMs: number; feedBytes?: number }): void;
  skipped(reason: SkipReason): void;
  /** A sync met Google's daily quota of the project (403 dailyLimitExceeded): all syncing waits for its reset. */
  dailyQuotaUsedUp(): void;
  error(kind: WorkerErrorKind): void;
  /** Writes what was recorded; the handler calls it once per invocation. */
  flush(): void;
}
