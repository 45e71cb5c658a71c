/**
 * What the service tells the host (the ICS service) about a subscriber's connection, so the host can tell its
 * subscriber. Never a token: the subscriber is named by the SHA-256 of the feed token, which the host knows.
 */
export type HostEventKind =
  | 'connected' // a first connect
  | 'replaced' // a reconnect over an existing connection (`googleAccountChanged` when another account)
  | 'disconnected'
  | 'needs_reauth' // Google refused the refresh token: the subscriber must reconnect
  | 'feed_gone' // the feed answered 401/403/404/410 for a day: syncing stopped
  | 'calendar_missing'; // the dedicated calendar was deleted in Google: syncing stopped until a reconnect

export interface HostEvent {
  event: HostEventKind;
  /** Lower-case hex SHA-256 of the feed token. */
  feed: string;
  /** ISO 8601. */
  at: string;
  googleAccountChanged?: boolean;
}

export interface HostEvents {
  /** Delivers the event (retried a few times); never throws: a failure must not fail the user's request. */
  notify(event: HostEvent): Promise<void>;
}
