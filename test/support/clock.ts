import type { Clock } from '../../lambdas/shared/wiring/clock.ts';

/**
 * Where every manual clock starts unless a test sets its own: a fixed instant, so no test depends on the day
 * it runs (a feed hash that includes the day once failed every run between 23:45 and midnight UTC).
 */
export const CLOCK_START = new Date('2026-06-01T09:00:00Z');

/**
 * The one clock of the tests: time moves only when a test moves it or the code under test sleeps. A sleep is
 * recorded and advances time at once, so backoffs and pacing never make a test wait. It serves both shapes the
 * code takes time in: `now()` in epoch milliseconds (the engine's `Clock`) and `date()` as a `Date`.
 */
export class ManualClock implements Clock {
  /** Every pause asked for, in order. */
  readonly sleeps: number[] = [];
  /** Added after each reading: a clock that runs while the code looks at it (a tiny time budget). */
  tickMs = 0;
  #at: number;

  constructor(start: Date | string | number = CLOCK_START) {
    this.#at = new Date(start).getTime();
  }

  now(): number {
    const reading = this.#at;
    this.#at += this.tickMs;
    return reading;
  }

  /** `now()` as a `Date`; bound, so it can be handed over as a `now: () => Date` dependency. */
  readonly date = (): Date => new Date(this.now());

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#at += Math.max(0, ms);
    // Still a turn of the event loop, as a real pause would be: other work gets to run.
    await new Promise((resolve) => setImmediate(resolve));
  }

  advance(ms: number): void {
    this.#at += ms;
  }

  set(at: Date | string | number): void {
    this.#at = new Date(at).getTime();
  }
}
