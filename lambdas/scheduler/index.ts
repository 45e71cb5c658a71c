import { builtOnce } from '../shared/wiring/built-once.ts';

/** The composition (the configuration's schema, the adapters) is loaded on the first run, not at init. */
const jobs = builtOnce(async () => {
  const [{ createEnqueueHandler, createPurgeHandler }, { schedulerDependencies }, { serviceLogger }] =
    await Promise.all([
      import('./handlers.ts'),
      import('./compose.ts'),
      import('../shared/wiring/logger.ts'),
    ]);
  const logger = serviceLogger();
  return {
    enqueue: createEnqueueHandler(schedulerDependencies, logger),
    purge: createPurgeHandler(schedulerDependencies, logger),
  };
});

/** Lambda entry point of the sync tick (EventBridge Scheduler, every SYNC_INTERVAL_MINUTES): sends the sweeps. */
export const enqueueHandler = async () => (await jobs()).enqueue();

/** Lambda entry point of the retention purge (EventBridge Scheduler, daily). */
export const purgeHandler = async () => (await jobs()).purge();
