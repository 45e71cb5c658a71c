/** What one sync of one subscriber did; stored as the subscriber's status and shown on the status endpoint. */
export type SyncOutcome =
  | 'synced' // the calendar now equals the feed
  | 'unchanged' // feed not modified (304 or same content hash): no parse, no Google call
  | 'partial' // some writes failed; the next sync retries them
  | 'feed_error' // the feed could not be read or parsed: nothing was deleted
  | 'deletions_held' // the mass-delete breaker held deletions back until the shrunken feed is seen again
  | 'calendar_missing' // the dedicated calendar is gone in Google: stopped, no re-creation loop
  | 'cooling_down' // Google's calendar usage limits (403 quotaExceeded) or daily quota: paused until coolDownUntil
  | 'needs_reauth' // the refresh token is no longer valid (invalid_grant)
  | 'busy'; // another sync of the same subscriber was running: this one did nothing (and is not stored)

export interface SyncResult {
  outcome: SyncOutcome;
  startedAt: string; // ISO 8601
  finishedAt: string;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** Deletions the breaker held back on this run. */
  heldDeletions: number;
  /** Google API requests made (retries included). */
  googleCalls: number;
  /** The quota units those requests cost (a patch costs three; the engine makes none). */
  quotaUnits?: number;
  /** Human-readable reasons, no tokens, no feed URLs. */
  errors: string[];
  /** Things done as well as they could be that the subscriber may want to know (skipped feed components...). */
  warnings?: string[];
  /** Changes not started because the run's time budget ran out (outcome partial); the next sync makes them. */
  deferred?: number;
  /**
   * Set when the run audited the calendar (compared Google with what the service wrote): events changed in
   * Google that were written back, and copies the service had lost track of that were deleted.
   */
  auditRepaired?: number;
  auditRemoved?: number;
  /** Set when outcome is cooling_down. */
  coolDownUntil?: string;
  /**
   * The cool-down is the whole project's: Google's daily quota is used up (403 dailyLimitExceeded) until
   * coolDownUntil, for every subscriber. Nothing is wrong with this subscriber's connection.
   */
  dailyQuotaUsedUp?: true;
}
