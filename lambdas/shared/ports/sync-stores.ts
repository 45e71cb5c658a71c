import type { SyncResult } from '../domain/sync-result.ts';

/** One synced event: the ICS key (see eventKey) -> the Google event id, and the content hash last written. */
export interface EventMapRow {
  eventKey: string;
  /**
   * Series and single events: the id the service gave the event. Exceptions: the instance id Google gave (opaque,
   * looked up through Google, never computed), or empty when the series had no such instance in Google.
   */
  googleId: string;
  hash: string;
  updatedAt: string; // ISO 8601
  /**
   * Set on exceptions only: the key of the series the instance belongs to. Lets a later sync revert the
   * instance to the series when the feed drops the exception, and skip it when the whole series goes.
   */
  seriesKey?: string;
  /**
   * Series and single events: when the event is over (ISO 8601; for a series, its last occurrence). Absent for a
   * series without end and on rows written before it was kept. Lets a sync tell an event that left the feed's
   * horizon by ageing (forgotten, left in Google) from one the feed dropped (deleted).
   */
  endsAt?: string;
  /**
   * Series and single events: the Google id is the row's own, not the one computed from the key (see
   * rowGoogleIdFor): a fresh id (the computed one could no longer hold the event), or the Google event of a
   * renamed UID the event was moved onto. Later writes use it, and a computed id that differs is no id scheme
   * change.
   */
  ownGoogleId?: true;
  /**
   * Series and single events: the hash of start, end and summary last written (see eventSignature), so an event
   * the feed renamed (a new UID, the same event) is moved onto its Google event rather than copied.
   */
  signature?: string;
  /**
   * Google refused writing this event (a 403 about this event alone): the write waits until the refusal's
   * `retryAfter`, unless the feed changes the event. The row's id and hash stay as they were, so the write is
   * still due once the wait is over.
   */
  refusal?: EventRefusal;
}

/** A write Google refused, kept in the event's row so later syncs back off. */
export interface EventRefusal {
  /** Refusals in a row of this event (the wait doubles with each). */
  count: number;
  /** ISO 8601: no write of the same content before this time. */
  retryAfter: string;
  /** The content that was refused (`icsHash`, a revert's hash, or `delete`): other content is tried at once. */
  hash: string;
}

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

/** What the sync remembers about a subscriber's feed between runs. */
export interface SyncState {
  subscriberId: string;
  feedEtag?: string;
  feedLastModified?: string;
  /**
   * The first day of the horizon the validators were applied for. The horizon slides daily, so a feed that
   * answers 304 for weeks must still be mapped again when the day changes, or events entering it are missed.
   */
  feedValidatedFor?: string;
  /** Hash of the last feed body that was fully applied; the same body next time costs no parse and no Google call. */
  feedHash?: string;
  lastResult?: SyncResult;
  /** Mass-delete breaker: the deletions it held back, seen on this many consecutive syncs. */
  heldDeletion?: { keysHash: string; count: number; firstSeenAt: string };
  /** Calendar usage limits hit: no sync before this time. */
  coolDownUntil?: string;
  /** Events currently in the calendar according to the map (shown on the status endpoint). */
  eventCount?: number;
  /**
   * The dedicated calendar Google said no longer exists: syncs into it stop at once, without a call, until the
   * subscriber reconnects (which gives a new calendar id).
   */
  missingCalendarId?: string;
  /**
   * The earliest time an event Google refused may be written again (see EventRefusal). From then on the feed is
   * planned even when it did not change, so the refused event is tried again.
   */
  refusalRetryAt?: string;
  /** When the calendar was last audited in full success (see auditCalendar); the next audit is due after it. */
  lastAuditAt?: string;
  /** Google's `nextSyncToken` of that audit's listing: the next audit lists only what changed since. */
  auditSyncToken?: string;
  /**
   * A feed body the mapping failed on (too costly to read, or unreadable): the hash of the body (see
   * costlyFeedHash) and the reason given. The same body again is not parsed: later syncs report the same
   * feed_error without the work, until the body changes.
   */
  costlyFeed?: { hash: string; detail?: string };
  /** Google quota units this subscriber's runs spent on `day` (UTC, YYYY-MM-DD): the daily budget counts them. */
  dailyUnits?: { day: string; units: number };
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
