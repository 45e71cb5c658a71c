import type { Clock } from '../../shared/wiring/clock.ts';

/**
 * How fast one subscriber's sync may spend Google quota. Google's per-user quota is a sliding window (600 per
 * minute), stated in requests, but a patch costs three units; how the two combine is not documented, so the pacer
 * budgets units (the costlier reading). A token bucket of `burst` units refilled at `unitsPerWindow` per window
 * never spends more than `unitsPerWindow + burst` units in any window, so the defaults stay under 600 with room for
 * a stray call.
 */
export interface PacingPolicy {
  unitsPerWindow: number;
  windowMs: number;
  burst: number;
}

export const DEFAULT_PACING: PacingPolicy = { unitsPerWindow: 540, windowMs: 60_000, burst: 40 };

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
    this.interval = policy.windowMs / policy.unitsPerWindow;
    this.tolerance = Math.max(0, policy.burst - 1) * this.interval;
    // The bucket starts empty: a run cannot know what the previous run of this subscriber spent in the last
    // minute, so two short runs back to back must not each open with a full burst. It fills while idle.
    this.nextSlot = clock.now() + this.tolerance;
  }

  /** Resolves when the caller may make one call costing `units` quota units. */
  async take(units = 1): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot);
    // As `units` calls of one unit reserved at once: the last of them must fit the bucket.
    const allowedAt = slot + (units - 1) * this.interval - this.tolerance;
    this.nextSlot = slot + units * this.interval;
    if (allowedAt > now) await this.clock.sleep(allowedAt - now);
  }

  /** Google said "too fast": nobody calls before `ms` from now, and the burst is spent. */
  holdFor(ms: number): void {
    this.nextSlot = Math.max(this.nextSlot, this.clock.now() + ms + this.tolerance);
  }
}
