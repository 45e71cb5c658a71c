import { builtOnce } from '../shared/wiring/built-once.ts';
import { serviceLogger } from '../shared/wiring/logger.ts';
import { createEnqueueHandler, createPurgeHandler } from './handlers.ts';

/** The composition (the configuration's schema, the adapters) is loaded on the first run, not at init. */
const jobs = builtOnce(async () => {
  const { schedulerDependencies } = await import('./compose.ts');
  const logger = serviceLogger();
  return {
    enqueue: createEnqueueHandler(schedulerDependencies, logger),
    purge: createPurgeHandler(schedulerDependencies, logger),
  };
});

/** Lambda entry point of the sync tick (EventBridge Scheduler, every SYNC_INTERVAL_MINUTES). */
export const enqueueHandler = async () => (await jobs()).enqueue();

/** Lambda entry point of the retention purge (EventBridge Scheduler, daily). */
export const purgeHandler = async () => (await jobs()).purge();
