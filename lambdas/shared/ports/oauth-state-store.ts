/**
 * Single-use OAuth `state` records: what the callback needs to finish a connect that `start` began.
 * Stored under a hash of the state value, so the table never holds a value that would be accepted back.
 */
export interface OAuthStateRecord {
  /** SHA-256 (hex) of the `state` sent to Google. */
  stateHash: string;
  subscriberId: string;
  /** PKCE code_verifier (RFC 7636) matching the S256 challenge sent to Google. */
  codeVerifier: string;
  /** SHA-256 (hex) of the browser-binding cookie value set by `start`. */
  browserBindingHash: string;
  /** The feed token, already encrypted under {subscriberId, purpose: 'feed_token'}. */
  feedTokenCiphertext: string;
  /** Copied to the connection: how change notifications find it (see Connection.feedLookupKey). */
  feedLookupKey?: string;
  /** Where to send the browser afterwards: already checked against the allow-list. */
  returnTo: string;
  createdAt: string; // ISO 8601
  /** Epoch seconds; also the DynamoDB TTL attribute. */
  expiresAt: number;
}

export type ConsumedState =
  | { outcome: 'consumed'; record: OAuthStateRecord }
  | { outcome: 'expired'; record: OAuthStateRecord }
  | { outcome: 'unknown' }; // never issued, already used, or removed by TTL

export interface OAuthStateStore {
  put(record: OAuthStateRecord): Promise<void>;
  /**
   * Removes the record and returns it, atomically: of two concurrent callers with the same state, exactly one
   * gets it. An expired record is removed too, and reported as expired (TTL deletion is lazy).
   */
  consume(stateHash: string, now: Date): Promise<ConsumedState>;
}
