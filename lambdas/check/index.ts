import type { Context, SQSEvent } from 'aws-lambda';
import { builtOnce } from '../shared/wiring/built-once.ts';

/**
 * The composition (the configuration's schema, the adapters, the metrics) is loaded on the first batch, not at
 * module init (docs/decisions/0014).
 */
const check = builtOnce(async () => {
  const [{ createCheckHandler }, { checkDependencies }, { serviceLogger }] = await Promise.all([
    import('./handler.ts'),
    import('./compose.ts'),
    import('../shared/wiring/logger.ts'),
  ]);
  return createCheckHandler(checkDependencies, serviceLogger());
});

/** Lambda entry point of the check (SQS event source on the sweep queue, ReportBatchItemFailures). */
export const handler = async (event: SQSEvent, context: Context) => (await check())(event, context);
