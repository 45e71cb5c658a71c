import type { SyncResult } from '../domain/sync-result.ts';

/** One synced event: the ICS key (see eventKey) -> the Google event id, and the content hash last written. */
export interface EventMapRow {
  eventKey: string;
  googleId: string;
  hash: string;
  updatedAt: string; // ISO 8601
}

/** The map of a subscriber's synced events (DynamoDB in AWS, dynalite in tests). */
export interface EventMapStore {
  list(subscriberId: string): Promise<EventMapRow[]>;
  put(subscriberId: string, rows: EventMapRow[]): Promise<void>;
  remove(subscriberId: string, eventKeys: string[]): Promise<void>;
  /** Removes every row of the subscriber (disconnect). */
  removeAll(subscriberId: string): Promise<void>;
}

/** What the sync remembers about a subscriber's feed between runs. */
export interface SyncState {
  subscriberId: string;
  feedEtag?: string;
  feedLastModified?: string;
  /** Hash of the last feed body that was fully applied; the same body next time costs no parse and no Google call. */
  feedHash?: string;
  lastResult?: SyncResult;
  /** Mass-delete breaker: the deletions it held back, seen on this many consecutive syncs. */
  heldDeletion?: { keysHash: string; count: number; firstSeenAt: string };
  /** Calendar usage limits hit: no sync before this time. */
  coolDownUntil?: string;
  /** Events currently in the calendar according to the map (shown on the status endpoint). */
  eventCount?: number;
}

export interface SyncStateStore {
  get(subscriberId: string): Promise<SyncState | undefined>;
  put(state: SyncState): Promise<void>;
  remove(subscriberId: string): Promise<void>;
}
