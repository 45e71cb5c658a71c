/** Exponential backoff with full jitter (a random pause between 0 and the doubling cap), after AWS's advice. */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 7, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * The pause before retry number `retry` (1 for the first retry). A server's Retry-After is a floor: waiting less
 * only earns another refusal.
 */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = Math.floor(random() * cap);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
