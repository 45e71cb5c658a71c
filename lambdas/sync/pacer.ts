import type { Clock } from './clock.ts';

/**
 * How fast one subscriber's sync may call Google. Google's per-user quota is a sliding window (600 requests per
 * minute); a token bucket of `burst` tokens refilled at `requestsPerWindow` per window never makes more than
 * `requestsPerWindow + burst` calls in any window, so the defaults stay under 600 with room for a stray call.
 */
export interface PacingPolicy {
  requestsPerWindow: number;
  windowMs: number;
  burst: number;
}

export const DEFAULT_PACING: PacingPolicy = { requestsPerWindow: 540, windowMs: 60_000, burst: 40 };

/**
 * A token bucket kept as the theoretical arrival time of the next call (GCRA): each caller reserves its slot
 * synchronously, then sleeps until it, so concurrent callers need no lock and are served in order.
 */
export class Pacer {
  private readonly interval: number;
  private readonly tolerance: number;
  private nextSlot: number;

  constructor(
    policy: PacingPolicy,
    private readonly clock: Clock,
  ) {
    this.interval = policy.windowMs / policy.requestsPerWindow;
    this.tolerance = Math.max(0, policy.burst - 1) * this.interval;
    // The bucket starts empty: a run cannot know what the previous run of this subscriber spent in the last
    // minute, so two short runs back to back must not each open with a full burst. It fills while idle.
    this.nextSlot = clock.now() + this.tolerance;
  }

  /** Resolves when the caller may make one call. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot);
    const allowedAt = slot - this.tolerance;
    this.nextSlot = slot + this.interval;
    if (allowedAt > now) await this.clock.sleep(allowedAt - now);
  }

  /** Google said "too fast": nobody calls before `ms` from now, and the burst is spent. */
  holdFor(ms: number): void {
    this.nextSlot = Math.max(this.nextSlot, this.clock.now() + ms + this.tolerance);
  }
}
