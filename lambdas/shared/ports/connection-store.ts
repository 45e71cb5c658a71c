import type { Connection } from '../domain/entities/connection.ts';
import { SafeMessageError } from '../errors.ts';

export type { Connection, ConnectionStatus } from '../domain/entities/connection.ts';

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
