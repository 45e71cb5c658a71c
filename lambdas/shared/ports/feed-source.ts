/** What the service remembers of the last answer, so an unchanged feed costs one conditional request. */
export interface FeedValidators {
  etag?: string;
  lastModified?: string;
}

export type FeedFetch =
  | { kind: 'not_modified' }
  | { kind: 'fetched'; text: string; etag?: string; lastModified?: string; bytes: number };

/** Reads a subscriber's ICS feed. */
export interface FeedSource {
  /**
   * Returns the feed's text, already checked to be a whole calendar, or not_modified when the validators still
   * hold. Throws FeedError (never anything holding the location, which carries the subscriber's token).
   */
  fetch(location: string, validators?: FeedValidators): Promise<FeedFetch>;
}
