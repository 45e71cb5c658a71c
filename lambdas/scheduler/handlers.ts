import type { Logger } from '@aws-lambda-powertools/logger';
import { describeError } from '../shared/errors.ts';
import type { SchedulerDependencies } from './dependencies.ts';
import { enqueueDueSyncs } from './use-cases/enqueue-due.ts';
import { purgeStaleConnections } from './use-cases/purge-stale.ts';

/**
 * A scheduled job as a Lambda handler (EventBridge Scheduler; the event carries nothing the job needs). A
 * failure is logged without detail that could hold a secret and thrown, so the scheduler retries the job:
 * both jobs are safe to run twice.
 */
function scheduledJob<Result extends Record<string, number>>(
  job: string,
  dependencies: () => SchedulerDependencies,
  logger: Logger,
  run: (deps: SchedulerDependencies) => Promise<Result>,
) {
  return async (): Promise<Result> => {
    try {
      const result = await run(dependencies());
      logger.info(`${job} done`, result);
      return result;
    } catch (error) {
      logger.error(`${job} failed`, describeError(error));
      throw error;
    }
  };
}

/** Every interval: a sweep of every shard of the schedule (the check function reads them). */
export const createEnqueueHandler = (dependencies: () => SchedulerDependencies, logger: Logger) =>
  scheduledJob('sync tick', dependencies, logger, (deps) => enqueueDueSyncs(deps, deps.settings));

/** Daily: the retention purge of connections left in needs_reauth. */
export const createPurgeHandler = (dependencies: () => SchedulerDependencies, logger: Logger) =>
  scheduledJob('retention purge', dependencies, logger, (deps) => purgeStaleConnections(deps, deps.settings));
