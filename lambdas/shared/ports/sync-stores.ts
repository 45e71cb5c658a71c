import type { EventMapRow } from '../domain/entities/event-map-row.ts';
import type { SyncState } from '../domain/entities/sync-state.ts';

export type { EventMapRow } from '../domain/entities/event-map-row.ts';
export type { SyncState } from '../domain/entities/sync-state.ts';

/**
 * The map of a subscriber's synced events (DynamoDB in AWS, dynalite in tests). Keys of any length are taken:
 * the store keeps over-long ones under a digest, and always hands back the key it was given.
 */
export interface EventMapStore {
  list(subscriberId: string): Promise<EventMapRow[]>;
  put(subscriberId: string, rows: EventMapRow[]): Promise<void>;
  remove(subscriberId: string, eventKeys: string[]): Promise<void>;
  /** Removes every row of the subscriber (disconnect). */
  removeAll(subscriberId: string): Promise<void>;
}

/**
 * Google's daily quota of the whole project (403 `dailyLimitExceeded`): one cool-down for every subscriber,
 * stored once, until Google resets the quota.
 */
export interface ProjectQuotaState {
  /** ISO 8601: when the daily quota is known to be used up, the time syncing resumes; none otherwise. */
  dailyLimitUntil(): Promise<string | undefined>;
  /** Records that the daily quota is used up until `until` (ISO 8601); an earlier time never replaces a later. */
  dailyLimitReached(until: string): Promise<void>;
}

export interface SyncStateStore {
  get(subscriberId: string): Promise<SyncState | undefined>;
  /** Writes the state fields; leaves a lease (see SyncLeaseStore) untouched. */
  put(state: SyncState): Promise<void>;
  remove(subscriberId: string): Promise<void>;
}

/** When Google last gave an access token for a subscriber's grant (see SyncState.tokenCheckedAt). */
export interface TokenCheckRecord {
  /** Sets `tokenCheckedAt` on the subscriber's existing state item (never creates one: a scrubbed one stays gone). */
  noteTokenChecked(subscriberId: string, at: Date): Promise<void>;
}

/**
 * Keeps two sync runs of one subscriber from working at once (queues deliver at least once, schedules and
 * "sync now" overlap). The lease expires on its own, so a crashed run never blocks the subscriber for long.
 * Correctness does not depend on it (every write is idempotent); it saves Google quota.
 */
export interface SyncLeaseStore {
  /** Takes the lease for `owner` until `until`, unless another owner holds one that has not expired at `now`. */
  acquireLease(subscriberId: string, owner: string, now: Date, until: Date): Promise<boolean>;
  /** Gives the lease back if `owner` still holds it. */
  releaseLease(subscriberId: string, owner: string): Promise<void>;
}

/** What the operator reads of the sync states: whether a run holds the lease, and every state (statistics). */
export interface SyncStateListing {
  /** Until when a run holds the subscriber's lease, if one holds it at `now`. */
  leaseHeldUntil(subscriberId: string, now: Date): Promise<Date | undefined>;
  /** Every subscriber's state, page by page: a full read, for the operator only (no function is granted Scan). */
  all(): AsyncIterable<SyncState>;
}
