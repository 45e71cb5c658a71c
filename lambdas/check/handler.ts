import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../shared/errors.ts';
import type { CheckDependencies } from './dependencies.ts';
import { parseSweepMessage } from './sweep-message.ts';
import { sweepShard } from './use-cases/sweep-shard.ts';

/**
 * Receives after which the sweep queue's redrive policy moves a failing message to its dead-letter queue (the
 * stack sets it). A poison message is reported failed like any other until then (one a newer version wrote
 * during a deployment may be read by it), and dropped after a few more receives without a redrive policy.
 */
export const SWEEP_QUEUE_MAX_RECEIVE_COUNT = 3;
const POISON_DROP_AFTER_RECEIVES = SWEEP_QUEUE_MAX_RECEIVE_COUNT + 2;

/**
 * The check's Lambda handler (SQS event source on the sweep queue, batch size 1, ReportBatchItemFailures): one
 * sweep per message, one log line per sweep. A sweep that fails is retried whole: checks are idempotent (a
 * repeated one sends at most a write job the worker finds already done).
 */
export function createCheckHandler(dependencies: () => CheckDependencies, logger: Logger) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    let deps: CheckDependencies;
    try {
      deps = dependencies();
    } catch (error) {
      logger.error('check cannot start', describeError(error));
      return { batchItemFailures: event.Records.map(({ messageId }) => ({ itemIdentifier: messageId })) };
    }
    const batchItemFailures: SQSBatchItemFailure[] = [];
    try {
      for (const record of event.Records) {
        if (!(await handleRecord(deps, record, context)))
          batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    } finally {
      deps.metrics.flush();
    }
    return { batchItemFailures };
  };
}

/** Whether the message is done with (deleted from the queue). */
async function handleRecord(deps: CheckDependencies, record: SQSRecord, context: Context): Promise<boolean> {
  const { logger, metrics } = deps;
  const message = parseSweepMessage(record.body);
  if (message.kind === 'poison') {
    const receives = Number(record.attributes.ApproximateReceiveCount) || 1;
    metrics.poison();
    const dropped = receives >= POISON_DROP_AFTER_RECEIVES;
    logger.error(dropped ? 'unreadable sweep message dropped' : 'unreadable sweep message', {
      messageId: record.messageId,
      problem: message.problem,
      receives,
    });
    return dropped;
  }
  const { shard } = message.request;
  try {
    const summary = await sweepShard(deps, message.request, {
      timeLeftMs: () => context.getRemainingTimeInMillis(),
    });
    metrics.sweepFinished(summary);
    logger.info('sweep finished', { ...summary });
    return true;
  } catch (error) {
    logger.error('sweep failed: it will be retried', { shard, ...describeError(error) });
    return false;
  }
}
