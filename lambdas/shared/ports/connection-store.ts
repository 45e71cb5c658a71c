/**
 * A subscriber's link to Google: which calendar the sync writes to and the secrets it needs, KMS-encrypted.
 * Keyed by subscriberId (HMAC of the feed token), never by the token.
 */
export type ConnectionStatus =
  | 'connected' // the sync runs on schedule
  | 'needs_reauth'; // Google refused the refresh token (invalid_grant): no sync until the subscriber reconnects

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
  /** Optimistic-concurrency counter: every write names the version it read. */
  version: number;
}

/** Another writer changed the connection between this writer's read and its write. */
export class ConnectionConflictError extends Error {
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
  /** Subscriber ids whose connection has been in needs_reauth since before `cutoff` (retention). */
  listNeedsReauthSince(cutoff: Date): AsyncIterable<string>;
}
