/**
 * Google's per-minute Calendar quota of the whole project, as a budget every writer (every sync, in every worker
 * invocation) draws from before each call, so that together they use it nearly fully and never exceed it.
 */
export interface ProjectQuotaBudget {
  /**
   * Resolves true once `units` quota units are the caller's to spend at once (start the call now), waiting for
   * a later window while the current one is spent; false, without waiting past it, when that would not be
   * before `deadline` (epoch ms).
   */
  take(units: number, deadline?: number): Promise<boolean>;
}

/** What a budget did, counted in units (a writer's own share). */
export interface ProjectQuotaUsage {
  /** Reserved from the shared windows. */
  reserved: number;
  /** Handed to calls. */
  spent: number;
  /** Reserved but unused when their window ended: Google's quota the project did not use. */
  lost: number;
  /** Reservation requests made (successful or not). */
  requests: number;
}
