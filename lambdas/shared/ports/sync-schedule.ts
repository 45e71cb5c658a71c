/** Which subscribers the scheduled sync enqueues (DynamoDB in AWS: a sparse index of the connections). */
export interface SyncSchedule {
  /**
   * The subscribers to enqueue at `now`, a page at a time: connected and scheduled (a connection that needs
   * re-authorisation, or was removed, is never listed), and not paused at `now`. Each one is listed once.
   */
  due(now: Date): AsyncIterable<string[]>;
  /**
   * Leaves the subscriber out of `due` until `until` (Google's calendar usage limits). Does nothing when the
   * connection is gone. A hint for the scheduler only: the sync itself keeps its own cool-down.
   */
  pause(subscriberId: string, until: Date): Promise<void>;
}
