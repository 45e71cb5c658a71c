import type { Context, SQSEvent } from 'aws-lambda';
import { builtOnce } from '../shared/wiring/built-once.ts';

/**
 * The composition (the configuration's schema, the adapters, Google's client libraries, the metrics) is loaded
 * on the first batch, not at module init.
 */
const worker = builtOnce(async () => {
  const [{ createSyncWorkerHandler }, { syncWorkerDependencies }, { serviceLogger }] = await Promise.all([
    import('./worker/handler.ts'),
    import('./compose.ts'),
    import('../shared/wiring/logger.ts'),
  ]);
  return createSyncWorkerHandler(syncWorkerDependencies, serviceLogger());
});

/** Lambda entry point of the sync worker (SQS event source, ReportBatchItemFailures). */
export const handler = async (event: SQSEvent, context: Context) => (await worker())(event, context);
