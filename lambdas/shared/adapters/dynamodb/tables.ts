/**
 * The service's DynamoDB tables, one per concern so each function gets only the access it needs.
 * This is the single description of their keys: the CDK stack and the test harness both build tables from it.
 */
export interface TableDefinition {
  partitionKey: string;
  sortKey?: string;
  /** Epoch-seconds attribute that DynamoDB TTL removes items by (set in CDK; emulators ignore it). */
  ttlAttribute?: string;
  /** Global secondary indexes (string keys), by index name. */
  indexes?: Record<string, IndexDefinition>;
}

/**
 * A global secondary index: its key attributes and the non-key attributes it projects (keys always are; none:
 * a KEYS_ONLY index).
 */
export interface IndexDefinition {
  partitionKey: string;
  sortKey?: string;
  projectedAttributes: readonly string[];
}

export const TABLES = {
  /**
   * One item per subscriber: status, calendar id, ciphertexts of the refresh token and the feed token.
   * `scheduled` is a sparse index: only connections the scheduler should enqueue carry its key (a shard number,
   * so the scheduler reads the shards in parallel and no index partition runs hot); a connection that needs
   * re-authorisation, or is removed, drops out of it. See DynamoConnectionStore.due for why an index.
   * `byFeed` finds the subscriber of a change notification: its key is `feedLookupKey`, a keyed hash of the
   * SHA-256 of the feed token (see SubscriberIdentity.feedLookupKey), written on connect. `byGoogleAccount`
   * finds the connections sharing a Google account (keyed hash of its id), written on connect.
   */
  connections: {
    partitionKey: 'subscriberId',
    indexes: {
      // Sorted by subscriber: each shard pages in a stable order, and every entry has a key of its own (DynamoDB
      // allows equal index keys, but in-process implementations may not keep them all).
      scheduled: {
        partitionKey: 'scheduleShard',
        sortKey: 'subscriberId',
        projectedAttributes: ['syncPausedUntil'],
      },
      byFeed: { partitionKey: 'feedLookupKey', projectedAttributes: ['status'] },
      // Connections of one Google account (see Connection.googleAccountKey): a disconnect revokes the grant only
      // when no other connection rests on it.
      byGoogleAccount: { partitionKey: 'googleAccountKey', projectedAttributes: [] },
    },
  },
  /** One item per subscriber: feed validators, last result, breaker and cool-down state. */
  syncState: { partitionKey: 'subscriberId' },
  /** One item per synced event: ICS key -> Google id and content hash. */
  eventMap: { partitionKey: 'subscriberId', sortKey: 'eventKey' },
  /** Single-use OAuth `state` records, bound to subscriber, PKCE verifier and browser; expire after 10 minutes. */
  oauthStates: { partitionKey: 'stateId', ttlAttribute: 'expiresAt' },
  /** Fixed-window request counters for rate limits. */
  rateLimits: { partitionKey: 'bucket', ttlAttribute: 'expiresAt' },
  /** Nonces of signed requests from the ICS service, kept until their timestamp can no longer be accepted. */
  hostNonces: { partitionKey: 'nonce', ttlAttribute: 'expiresAt' },
  /**
   * The data keys that seal tokens (envelope encryption), only ever stored wrapped by the KMS key: one item per
   * key (`<purpose>-<generation>`), and per purpose one `active:<purpose>` item naming the generation in use.
   * See DynamoDataKeyStore.
   */
  dataKeys: { partitionKey: 'keyId' },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof TABLES;
export type TableNames = Record<TableId, string>;
