/** Time as the engine sees it: injectable so tests never wait for a real backoff or pacing delay. */
export interface Clock {
  now(): number; // epoch milliseconds
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
