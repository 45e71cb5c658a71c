import { SafeMessageError } from '../errors.ts';

/**
 * A subscriber's link to Google: which calendar the sync writes to and the secrets it needs, KMS-encrypted.
 * Keyed by subscriberId (HMAC of the feed token), never by the token.
 */
export type ConnectionStatus =
  | 'connected' // the sync runs on schedule
  | 'needs_reauth' // Google refused the refresh token (invalid_grant): no sync until the subscriber reconnects
  | 'feed_gone' // the feed answered 401/403/404/410 on every sync for a day: no sync until the subscriber reconnects
  | 'calendar_missing'; // the dedicated calendar is gone in Google: no sync until a reconnect makes a new one

export interface Connection {
  subscriberId: string;
  status: ConnectionStatus;
  /** The dedicated calendar (the app can never find it again by listing: calendar.app.created). */
  calendarId: string;
  /** Encrypted under {subscriberId, purpose: 'google_refresh_token'}; absent once scrubbed (needs_reauth). */
  refreshTokenCiphertext?: string;
  /** Encrypted under {subscriberId, purpose: 'feed_token'}: the sync builds the feed URL from it. */
  feedTokenCiphertext: string;
  /** Per-subscriber salt of the deterministic Google event ids; a new calendar gets a new salt. */
  eventIdSalt: string;
  /** Scopes Google granted, space-separated, as in the token response. */
  grantedScopes: string;
  connectedAt: string; // ISO 8601
  updatedAt: string; // ISO 8601
  /** Set when the status became needs_reauth; retention purges the connection some days later. */
  needsReauthSince?: string;
  /**
   * The first sync of the current run of syncs whose feed answered 401, 403, 404 or 410 (ISO 8601); a sync that
   * reads the feed clears it. A day of it makes the status feed_gone, and retention counts from it.
   */
  feedGoneSince?: string;
  /** When a sync found the dedicated calendar gone and the status became calendar_missing; retention counts from it. */
  calendarMissingSince?: string;
  /** Whether the scheduler enqueues this subscriber; cleared when Google refuses the refresh token. */
  scheduled: boolean;
  /**
   * The scheduler leaves the subscriber out until then (ISO 8601): Google's calendar usage limits stopped its
   * sync (see SyncSchedule.pause). A reconnect writes the connection without it.
   */
  syncPausedUntil?: string;
  /**
   * HMAC(subscriber id secret, "feed-sha256:" + SHA-256 hex of the feed token): how a change notification, which
   * names feeds by the SHA-256 of their token, finds the subscriber. Absent on connections made before it existed.
   */
  feedLookupKey?: string;
  /**
   * HMAC(subscriber id secret, "google-sub:" + the Google account id of the grant): which connections share a
   * Google account, and so a grant (Google revokes per grant). Absent on connections made before it existed.
   */
  googleAccountKey?: string;
  /**
   * The operator paused syncing (`npm run ops -- pause`, ISO 8601): `scheduled` is false meanwhile, and the worker
   * runs no request of any reason until `resume`. A reconnect writes the connection without it.
   */
  operatorPausedAt?: string;
  /** When a reconnect moved the connection to another Google account than the one before (ISO 8601). */
  googleAccountChangedAt?: string;
  /**
   * The previous dedicated calendar, still in the subscriber's account but out of the service's reach (made by
   * another OAuth client of the service): a reconnect made a new one, and the status names this one so the
   * subscriber can remove it. Kept until a reconnect moves to yet another calendar.
   */
  abandonedCalendarId?: string;
  /** Optimistic-concurrency counter: every write names the version it read. */
  version: number;
}

/** Another writer changed the connection between this writer's read and its write. */
export class ConnectionConflictError extends SafeMessageError {
  override readonly name = 'ConnectionConflictError';
  constructor(readonly subscriberId: string) {
    super('the connection changed concurrently');
  }
}

export interface ConnectionStore {
  get(subscriberId: string): Promise<Connection | undefined>;
  /**
   * Writes the connection with `version` = expectedVersion + 1, only if the stored version is still
   * `expectedVersion` (undefined: only if none is stored). Throws ConnectionConflictError otherwise.
   */
  save(connection: Omit<Connection, 'version'>, expectedVersion: number | undefined): Promise<Connection>;
  /**
   * Google refused the refresh token: status needs_reauth (since `at`, unless already set), the refresh-token
   * ciphertext removed, scheduling stopped. Only while `refusedCiphertext` is still the stored refresh-token
   * ciphertext: a reconnect that stored a new token meanwhile is left alone, and so is a removed connection.
   * Returns whether it changed anything.
   */
  markNeedsReauth(subscriberId: string, refusedCiphertext: string, at: Date): Promise<boolean>;
  /** Deletes the item (all its ciphertexts with it). Idempotent. */
  remove(subscriberId: string): Promise<void>;
  /**
   * Deletes the item only while its version is still `expectedVersion` (undefined: only while none exists, which
   * deletes nothing). Throws ConnectionConflictError when another writer changed it meanwhile.
   */
  removeVersion(subscriberId: string, expectedVersion: number | undefined): Promise<void>;
  /**
   * Subscriber ids of connections of the Google account with this key, other than `exceptSubscriberId` (at most
   * a few: the answer is only ever "none" or "some"). Eventually consistent: a connect a second old may be missed.
   */
  othersOfGoogleAccount(googleAccountKey: string, exceptSubscriberId: string): Promise<string[]>;
  /** Subscriber ids whose connection has been in needs_reauth since before `cutoff` (retention). */
  listNeedsReauthSince(cutoff: Date): AsyncIterable<string>;
  /** Subscriber ids whose connection is feed_gone, its feed gone since before `cutoff` (retention). */
  listFeedGoneSince(cutoff: Date): AsyncIterable<string>;
  /**
   * A sync found the feed gone (401/403/404/410): starts the run at `at` unless one is running, and returns its
   * start (undefined when the connection is no longer connected). Not versioned: a reconnect drops it, rightly.
   */
  noteFeedGone(subscriberId: string, at: Date): Promise<string | undefined>;
  /** A sync read the feed: ends the run of gone answers, if any. */
  clearFeedGone(subscriberId: string): Promise<void>;
  /**
   * Status feed_gone, scheduling stopped, the refresh-token ciphertext removed (the caller releases the grant):
   * only while still connected with this run of gone answers and this refresh token, so a reconnect meanwhile
   * is left alone. Returns whether it changed anything.
   */
  markFeedGone(subscriberId: string, since: string, refreshCiphertext: string, at: Date): Promise<boolean>;
  /**
   * A sync found the dedicated calendar gone: status calendar_missing (since `at`), scheduling stopped, the
   * refresh-token ciphertext removed (the caller releases the grant). Only while still connected to this
   * calendar with this refresh token, so a reconnect meanwhile (a new calendar, a new token) is left alone.
   * Returns whether it changed anything.
   */
  markCalendarMissing(
    subscriberId: string,
    calendarId: string,
    refreshCiphertext: string,
    at: Date,
  ): Promise<boolean>;
  /** Subscriber ids whose connection has been calendar_missing since before `cutoff` (retention). */
  listCalendarMissingSince(cutoff: Date): AsyncIterable<string>;
}

/** Every connection, page by page (the operator's statistics: a full read, never on a request path). */
export interface ConnectionListing {
  all(): AsyncIterable<Connection>;
}
