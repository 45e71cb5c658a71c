import type { Connection } from '../domain/entities/connection.ts';
import type { SyncState } from '../domain/entities/sync-state.ts';
import type { StoredValidators } from '../domain/feed-check.ts';

/** One page of a shard of the schedule: subscriber ids in order, and where the next page starts. */
export interface SweepPage {
  subscriberIds: string[];
  /** The id the next page goes on after (the last the index looked at); absent when the shard is done. */
  next?: string;
}

/** What a check reads of one subscriber (either may be missing: disconnected, or never synced). */
export interface CheckedSubscriber {
  connection?: Connection;
  state?: SyncState;
  /** Until when a sync run holds the subscriber's lease (the last one's, possibly long past). */
  runUntil?: string;
}

/**
 * Read-only: the subscribers of one shard of the schedule (the sparse `scheduled` index, sorted by subscriber id,
 * the schedule's pauses filtered out) and what a check needs of each. Eventually consistent throughout: a check
 * that reads a moment-old item at worst makes one write job the worker finds nothing to do for.
 */
export interface SweepSource {
  /** The next page of `shard` after the subscriber id `after` (from the start without one). */
  page(shard: number, now: Date, after: string | undefined): Promise<SweepPage>;
  /** The connection and sync state of each subscriber. */
  read(subscriberIds: string[]): Promise<Map<string, CheckedSubscriber>>;
  /** Until when Google's daily quota of the project is used up, if it is. */
  dailyLimitUntil(): Promise<string | undefined>;
}

/**
 * The only writes of a check: the validators of an unchanged feed, and when a shard was last swept. Never the
 * rest of a sync state, so a check cannot undo what a run wrote.
 */
export interface CheckStateWriter {
  /**
   * Stores the validators only while the state's feed hash is still `feedHash` (the one compared): a run that
   * applied another body meanwhile keeps its own. Returns whether they were stored.
   */
  refreshValidators(subscriberId: string, feedHash: string, validators: StoredValidators): Promise<boolean>;
  /** A sweep of `shard` went through it all (the status endpoint's `lastCheckedAt`). */
  recordSweep(shard: number, sweptAt: Date): Promise<void>;
}

/** When the check last went through the subscriber's shard of the schedule (the status view's `lastCheckedAt`). */
export interface SweepRecords {
  lastSweptFor(subscriberId: string): Promise<string | undefined>;
}
