/**
 * Asks for one shard of the schedule to be swept: every subscriber in it has their feed checked (SQS in AWS: one
 * message per sweep, on a queue of its own). Only a feed with something to write becomes a sync request.
 */
export interface SweepRequest {
  /** The shard of the scheduling index (0 to SCHEDULE_SHARDS - 1). */
  shard: number;
  requestedAt: string; // ISO 8601
  /** A continuation: the sweep goes on after this subscriber id (the index is sorted by it). */
  after?: string;
  /** Deliver no sooner than this many seconds from now (0 to 900). A transport setting: not in the body. */
  delaySeconds?: number;
}

export interface SweepQueue {
  /** Enqueues every sweep or throws; partial batch failures are retried inside. */
  enqueue(sweeps: SweepRequest[]): Promise<void>;
}
