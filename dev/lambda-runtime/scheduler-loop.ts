/** A scheduled job of the stack (EventBridge Scheduler), run in this process. */
export interface ScheduledJob {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

/**
 * Runs each job at once and then every `everyMs`, never two runs of one job at a time (a run still going when
 * the next is due makes that one skip). A failing run is reported and the job keeps its schedule: the
 * scheduler retries, and both of the service's jobs are safe to run again.
 */
export function startSchedule(jobs: ScheduledJob[], onError: (job: string, error: unknown) => void) {
  const running = new Map<string, Promise<void>>();
  const fire = (job: ScheduledJob) => {
    if (running.has(job.name)) return;
    const run = job
      .run()
      .then(
        () => undefined,
        (error: unknown) => onError(job.name, error),
      )
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
  };
  const timers = jobs.map((job) => {
    fire(job);
    return setInterval(() => fire(job), job.everyMs);
  });
  return {
    /** Stops the schedule and waits for runs in progress. */
    async stop(): Promise<void> {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
