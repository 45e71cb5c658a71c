/**
 * The one clock of the wiring: every function's composition takes its time from a `Clock`, the system clock in
 * AWS and a test's clock in tests, so nothing in a function reads the time any other way. Use cases and adapters
 * that want a `Date` get `dateNow(clock)`.
 */
export interface Clock {
  now(): number; // epoch milliseconds
  /** Pacing and backoff pauses: injectable so tests never wait for a real one. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** The clock's time as a `Date`, for the dependencies that take `now: () => Date`. */
export const dateNow =
  (clock: Clock): (() => Date) =>
  () =>
    new Date(clock.now());
