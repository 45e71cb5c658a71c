import type { SQSClient } from '@aws-sdk/client-sqs';
import { SafeMessageError } from '../../errors.ts';
import type { SweepQueue, SweepRequest } from '../../ports/sweep-queue.ts';
import { MAX_DELAY_SECONDS } from '../../ports/sync-queue.ts';
import { describeSendFailures, SqsBatchSender, type SqsBatchSenderOptions } from './sqs-batch-sender.ts';

/** One sweep that could not be enqueued and why (the SQS error code). */
export interface SweepQueueFailure {
  shard: number;
  code: string;
  senderFault: boolean;
}

/** Some sweeps were not enqueued after the retries; the others were. */
export class SweepQueueError extends SafeMessageError {
  override readonly name = 'SweepQueueError';
  readonly failedCount: number;

  constructor(
    readonly failures: SweepQueueFailure[],
    readonly totalCount: number,
  ) {
    super(describeSendFailures(failures, totalCount, 'sweeps'));
    this.failedCount = failures.length;
  }
}

/**
 * Enqueues sweeps on a standard SQS queue (batching, bounded concurrency and retries: SqsBatchSender). The body
 * is `{ shard, requestedAt, after? }`; `delaySeconds` becomes the message's DelaySeconds.
 */
export class SqsSweepQueue implements SweepQueue {
  private readonly sender: SqsBatchSender;

  constructor(sqs: SQSClient, queueUrl: string, options: SqsBatchSenderOptions = {}) {
    this.sender = new SqsBatchSender(sqs, queueUrl, options);
  }

  async enqueue(sweeps: SweepRequest[]): Promise<void> {
    const failures = await this.sender.send(
      sweeps.map(({ shard, requestedAt, after, delaySeconds }) => ({
        key: shard,
        body: JSON.stringify(after === undefined ? { shard, requestedAt } : { shard, requestedAt, after }),
        ...(delaySeconds
          ? { delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))) }
          : {}),
      })),
    );
    if (failures.length > 0) {
      throw new SweepQueueError(
        failures.map(({ key, code, senderFault }) => ({ shard: key, code, senderFault })),
        sweeps.length,
      );
    }
  }
}
