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
