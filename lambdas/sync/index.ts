import { serviceLogger, syncWorkerDependencies } from '../shared/composition.ts';
import { createSyncWorkerHandler } from './handler.ts';

/** Lambda entry point of the sync worker (SQS event source, ReportBatchItemFailures). */
export const handler = createSyncWorkerHandler(syncWorkerDependencies, serviceLogger());
