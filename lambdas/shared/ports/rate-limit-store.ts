/** Fixed-window request counters (DynamoDB UpdateItem ADD; items expire through a TTL attribute). */
export interface WindowCount {
  /** Requests counted in this window, this one included. */
  count: number;
  /** When the window ends (epoch seconds). */
  windowEndsAt: number;
}

export interface RateLimitStore {
  /** Adds one to the counter of `bucket` for the window of `windowSeconds` that contains `now`. */
  increment(bucket: string, windowSeconds: number, now: Date): Promise<WindowCount>;
  /** The counter of `bucket` in the window that contains `now`, unchanged (0 when nothing was counted). */
  current(bucket: string, windowSeconds: number, now: Date): Promise<WindowCount>;
}
