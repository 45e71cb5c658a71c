/**
 * A benchmark reports named figures (seconds, google_calls, ...); the runner adds peak_rss_mb.
 * With `once`, peak_rss_mb is measured in a fresh process that does the work a single time (what one Lambda
 * invocation sees), because the repeated timed runs let the heap grow between collections.
 */
export interface Benchmark {
  name: string;
  run(): Promise<Record<string, number>>;
  once?(): Promise<void>;
}

/** Median of several timed runs of `fn`, in seconds (first run discarded as warm-up when runs > 1). */
export async function medianSeconds(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const started = process.hrtime.bigint();
    await fn();
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    if (i > 0 || runs === 1) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const median =
    times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
  return Math.round(median * 1000) / 1000;
}
