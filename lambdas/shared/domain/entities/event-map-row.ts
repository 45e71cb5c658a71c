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
