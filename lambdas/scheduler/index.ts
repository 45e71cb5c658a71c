import { schedulerDependencies, serviceLogger } from '../shared/composition.ts';
import { createEnqueueHandler, createPurgeHandler } from './handlers.ts';

/** Lambda entry point of the sync tick (EventBridge Scheduler, every SYNC_INTERVAL_MINUTES). */
export const enqueueHandler = createEnqueueHandler(schedulerDependencies, serviceLogger());

/** Lambda entry point of the retention purge (EventBridge Scheduler, daily). */
export const purgeHandler = createPurgeHandler(schedulerDependencies, serviceLogger());
