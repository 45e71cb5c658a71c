/** Asks for a subscriber's calendar to be synced (SQS in AWS: one message per subscriber). */
export type SyncReason = 'scheduled' | 'connected' | 'manual';

export interface SyncRequest {
  subscriberId: string;
  reason: SyncReason;
  requestedAt: string; // ISO 8601
}

export interface SyncQueue {
  /** Enqueues every request or throws; partial batch failures are retried inside. */
  enqueue(requests: SyncRequest[]): Promise<void>;
}
