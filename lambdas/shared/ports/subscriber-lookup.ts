/** A subscriber found by its feed, and whether its connection syncs (not waiting for a reconnect). */
export interface FeedSubscriber {
  subscriberId: string;
  connected: boolean;
}

/** Finds the connection of a feed by the keyed hash of its token's SHA-256 (Connection.feedLookupKey). */
export interface SubscriberLookup {
  byFeedLookupKey(feedLookupKey: string): Promise<FeedSubscriber | undefined>;
}
