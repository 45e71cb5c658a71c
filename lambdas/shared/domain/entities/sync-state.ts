import type { SyncResult } from '../sync-result.ts';

/**
 * What the sync remembers about a subscriber's feed between runs. The state is written whole: a field set to
 * undefined is one the run clears.
 */
export interface SyncState {
  subscriberId: string;
  feedEtag?: string | undefined;
  feedLastModified?: string | undefined;
  /**
   * The first day of the horizon the validators were applied for. The horizon slides daily, so a feed that
   * answers 304 for weeks must still be mapped again when the day changes, or events entering it are missed.
   */
  feedValidatedFor?: string | undefined;
  /** Hash of the last feed body that was fully applied; the same body next time costs no parse and no Google call. */
  feedHash?: string | undefined;
  lastResult?: SyncResult;
  /** Mass-delete breaker: the deletions it held back, seen on this many consecutive syncs. */
  heldDeletion?: { keysHash: string; count: number; firstSeenAt: string } | undefined;
  /** Calendar usage limits hit: no sync before this time. */
  coolDownUntil?: string | undefined;
  /** Events currently in the calendar according to the map (shown on the status endpoint). */
  eventCount?: number;
  /**
   * The dedicated calendar Google said no longer exists: syncs into it stop at once, without a call, until the
   * subscriber reconnects (which gives a new calendar id).
   */
  missingCalendarId?: string | undefined;
  /**
   * The earliest time an event Google refused may be written again (see EventRefusal). From then on the feed is
   * planned even when it did not change, so the refused event is tried again.
   */
  refusalRetryAt?: string | undefined;
  /** When the calendar was last audited in full success (see auditCalendar); the next audit is due after it. */
  lastAuditAt?: string | undefined;
  /** Google's `nextSyncToken` of that audit's listing: the next audit lists only what changed since. */
  auditSyncToken?: string | undefined;
  /**
   * A feed body the mapping failed on (too costly to read, or unreadable): the hash of the body (see
   * costlyFeedHash) and the reason given. The same body again is not parsed: later syncs report the same
   * feed_error without the work, until the body changes.
   */
  costlyFeed?: { hash: string; detail?: string };
  /** Google quota units this subscriber's runs spent on `day` (UTC, YYYY-MM-DD): the daily budget counts them. */
  dailyUnits?: { day: string; units: number };
  /**
   * When Google last gave an access token for the subscriber's refresh token (a run that wrote, listed or checked
   * the grant). Checks of an unchanged feed ask for no token, so a write job is due once this is a day old: a
   * revoked grant is found within a day even for a feed that never changes (see tokenCheckDue).
   */
  tokenCheckedAt?: string | undefined;
}
