import { createHash } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SafeMessageError } from '../../errors.ts';
import { MAX_DELAY_SECONDS, type SyncQueue, type SyncRequest } from '../../ports/sync-queue.ts';
import {
  describeSendFailures,
  type OutgoingMessage,
  SqsBatchSender,
  type SqsBatchSenderOptions,
} from './sqs-batch-sender.ts';

export interface SqsSyncQueueOptions extends SqsBatchSenderOptions {
  /**
   * FIFO queues only: requests of one subscriber with the same reason inside one window of this many seconds share
   * a deduplication id, so SQS keeps only the first (default 300, the SQS deduplication interval).
   */
  deduplicationWindowSeconds?: number;
}

/** One request that could not be enqueued and why (the SQS error code; no message body, no token). */
export interface SyncQueueFailure {
  subscriberId: string;
  code: string;
  /** True when SQS blamed the request itself: sending it again as it is cannot succeed. */
  senderFault: boolean;
}

/** Some requests were not enqueued after the retries; the others were. */
export class SyncQueueError extends SafeMessageError {
  override readonly name = 'SyncQueueError';
  readonly failedCount: number;

  constructor(
    readonly failures: SyncQueueFailure[],
    readonly totalCount: number,
  ) {
    super(describeSendFailures(failures, totalCount, 'sync requests'));
    this.failedCount = failures.length;
  }
}

/**
 * Enqueues sync requests on SQS (batching, bounded concurrency and retries: SqsBatchSender). Messages are JSON
 * SyncRequests (without `delaySeconds`, which becomes the message's DelaySeconds on a standard queue). A queue URL
 * ending in `.fifo` gets MessageGroupId = subscriberId and a deduplication id from subscriber, reason and time
 * window.
 */
export class SqsSyncQueue implements SyncQueue {
  private readonly sender: SqsBatchSender;
  private readonly fifo: boolean;
  private readonly windowMs: number;

  constructor(sqs: SQSClient, queueUrl: string, options: SqsSyncQueueOptions = {}) {
    this.sender = new SqsBatchSender(sqs, queueUrl, options);
    this.fifo = queueUrl.endsWith('.fifo');
    this.windowMs = (options.deduplicationWindowSeconds ?? 300) * 1000;
  }

  async enqueue(requests: SyncRequest[]): Promise<void> {
    const failures: SyncQueueFailure[] = [];
    const messages: OutgoingMessage<string>[] = [];
    for (const request of requests) {
      const message = this.toMessage(request);
      if (message) messages.push(message);
      else
        failures.push({ subscriberId: request.subscriberId, code: 'InvalidRequestedAt', senderFault: true });
    }
    for (const { key, code, senderFault } of await this.sender.send(messages)) {
      failures.push({ subscriberId: key, code, senderFault });
    }
    if (failures.length > 0) throw new SyncQueueError(failures, requests.length);
  }

  private toMessage(request: SyncRequest): OutgoingMessage<string> | undefined {
    const { delaySeconds, ...content } = request;
    const message: OutgoingMessage<string> = { key: request.subscriberId, body: JSON.stringify(content) };
    // FIFO queues take no per-message delay.
    if (!this.fifo) {
      return delaySeconds
        ? { ...message, delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))) }
        : message;
    }
    const requestedAt = Date.parse(request.requestedAt);
    if (Number.isNaN(requestedAt)) return undefined;
    const window = Math.floor(requestedAt / this.windowMs);
    const deduplicationKey = `${request.subscriberId}\n${request.reason}\n${window}\n${request.requeued ?? 0}`;
    return {
      ...message,
      fifo: {
        MessageGroupId: request.subscriberId,
        // A digest: always within the 128 characters and the alphabet SQS allows for deduplication ids.
        MessageDeduplicationId: createHash('sha256').update(deduplicationKey).digest('hex'),
      },
    };
  }
}
