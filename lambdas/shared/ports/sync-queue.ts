/**
 * Asks for a subscriber's calendar to be synced (SQS in AWS: one message per subscriber). `manual`: the
 * subscriber's "sync now"; `notified`: the ICS service said the feed changed; `continuation`: the worker carries
 * on a sync its time budget cut short; `checked`: a sweep's check of the feed found something to write (a changed feed,
 * a feed error to record, an audit or a token check due). `scheduled` is what the schedule enqueued before sweeps
 * (still read, so messages of an older version in flight during a deployment run).
 */
export const SYNC_REASONS = [
  'scheduled',
  'connected',
  'manual',
  'notified',
  'continuation',
  'checked',
] as const;
export type SyncReason = (typeof SYNC_REASONS)[number];

export { MAX_DELAY_SECONDS } from '../domain/sync-schedule.ts';

export interface SyncRequest {
  subscriberId: string;
  reason: SyncReason;
  requestedAt: string; // ISO 8601
  /** How often the worker has put this request back (continuations, busy retries): bounds the loop. */
  requeued?: number;
  /**
   * Deliver no sooner than this many seconds from now (0 to MAX_DELAY_SECONDS; standard queues only). A transport
   * setting: not part of the message body.
   */
  delaySeconds?: number;
}

export interface SyncQueue {
  /** Enqueues every request or throws; partial batch failures are retried inside. */
  enqueue(requests: SyncRequest[]): Promise<void>;
}
