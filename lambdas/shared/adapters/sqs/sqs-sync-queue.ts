import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import pLimit, { type LimitFunction } from 'p-limit';
import { SafeMessageError } from '../../errors.ts';
import { MAX_DELAY_SECONDS, type SyncQueue, type SyncRequest } from '../../ports/sync-queue.ts';

/** SendMessageBatch takes at most 10 entries and 1 MiB of bodies in all. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;

export interface SqsSyncQueueOptions {
  /** SendMessageBatch calls in flight at once (default 25). */
  maxConcurrentBatches?: number;
  /** Tries per message, the first included, for failures SQS reports as its own (default 5). */
  maxAttempts?: number;
  /** Backoff before the n-th retry: a random delay up to min(maxDelayMs, baseDelayMs * 2^n) (default 100). */
  baseDelayMs?: number;
  /** Default 2000. */
  maxDelayMs?: number;
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
    const byCode = new Map<string, number>();
    for (const { code } of failures) byCode.set(code, (byCode.get(code) ?? 0) + 1);
    const codes = [...byCode].map(([code, count]) => `${code} x${count}`).join(', ');
    super(`${failures.length} of ${totalCount} sync requests were not enqueued (${codes})`);
    this.failedCount = failures.length;
  }
}

interface OutgoingMessage {
  request: SyncRequest;
  body: string;
  bytes: number;
  delaySeconds?: number;
  fifo?: { MessageGroupId: string; MessageDeduplicationId: string };
}

/**
 * Enqueues sync requests on SQS: SendMessageBatch in batches of up to 10 messages and 1 MiB, a bounded number of
 * batches in flight, and the entries SQS reports in `Failed[]` retried with backoff. Messages are JSON
 * SyncRequests (without `delaySeconds`, which becomes the message's DelaySeconds on a standard queue). A queue URL ending in `.fifo` gets MessageGroupId = subscriberId and a deduplication id from
 * subscriber, reason and time window.
 */
export class SqsSyncQueue implements SyncQueue {
  private readonly limit: LimitFunction;
  private readonly fifo: boolean;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly windowMs: number;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    options: SqsSyncQueueOptions = {},
  ) {
    this.limit = pLimit(options.maxConcurrentBatches ?? 25);
    this.fifo = queueUrl.endsWith('.fifo');
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.windowMs = (options.deduplicationWindowSeconds ?? 300) * 1000;
  }

  async enqueue(requests: SyncRequest[]): Promise<void> {
    const failures: SyncQueueFailure[] = [];
    const messages: OutgoingMessage[] = [];
    for (const request of requests) {
      const message = this.toMessage(request);
      if (message) messages.push(message);
      else
        failures.push({ subscriberId: request.subscriberId, code: 'InvalidRequestedAt', senderFault: true });
    }
    const batches = packBatches(messages);
    const results = await Promise.all(batches.map((batch) => this.limit(() => this.sendWithRetries(batch))));
    failures.push(...results.flat());
    if (failures.length > 0) throw new SyncQueueError(failures, requests.length);
  }

  private toMessage(request: SyncRequest): OutgoingMessage | undefined {
    const { delaySeconds, ...content } = request;
    const body = JSON.stringify(content);
    const message: OutgoingMessage = { request, body, bytes: Buffer.byteLength(body, 'utf8') };
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

  /** Sends one batch; returns the messages still not enqueued after the allowed attempts. */
  private async sendWithRetries(batch: OutgoingMessage[]): Promise<SyncQueueFailure[]> {
    const permanent: SyncQueueFailure[] = [];
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const retry: { message: OutgoingMessage; failure: SyncQueueFailure }[] = [];
      const outcome = await this.sendOnce(pending);
      pending.forEach((message, index) => {
        const failure = outcome.get(index);
        if (!failure) return;
        if (failure.senderFault) permanent.push(failure);
        else retry.push({ message, failure });
      });
      if (retry.length === 0 || attempt >= this.maxAttempts) {
        return [...permanent, ...retry.map(({ failure }) => failure)];
      }
      pending = retry.map(({ message }) => message);
      await sleep(Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt));
    }
  }

  /** One SendMessageBatch call: the failure of each entry that was not enqueued, by its index in `messages`. */
  private async sendOnce(messages: OutgoingMessage[]): Promise<Map<number, SyncQueueFailure>> {
    const failures = new Map<number, SyncQueueFailure>();
    const entries: SendMessageBatchRequestEntry[] = messages.map((message, index) => ({
      Id: String(index),
      MessageBody: message.body,
      ...(message.delaySeconds ? { DelaySeconds: message.delaySeconds } : {}),
      ...message.fifo,
    }));
    try {
      const { Successful = [], Failed = [] } = await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      const enqueued = new Set(Successful.map(({ Id }) => Id));
      const failed = new Map(Failed.map((entry) => [entry.Id, entry]));
      messages.forEach(({ request }, index) => {
        if (enqueued.has(String(index))) return;
        const entry = failed.get(String(index));
        // An entry in neither list was not acknowledged: assume not enqueued and try again.
        failures.set(index, {
          subscriberId: request.subscriberId,
          code: entry?.Code ?? 'NotAcknowledged',
          senderFault: entry?.SenderFault ?? false,
        });
      });
    } catch (error) {
      // The SDK has already retried throttling and server errors; a client fault (bad queue URL, batch refused
      // as a whole) will not get better by sending the same batch again.
      const senderFault = (error as { $fault?: string }).$fault === 'client';
      const code = error instanceof Error ? error.name : 'UnknownError';
      messages.forEach(({ request }, index) => {
        failures.set(index, { subscriberId: request.subscriberId, code, senderFault });
      });
    }
    return failures;
  }
}

/**
 * Groups messages in order into batches of at most 10 entries and 1 MiB of bodies. A single message over 1 MiB
 * goes alone, and SQS refuses it with a reason.
 */
function packBatches<T extends { bytes: number }>(messages: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    if (
      current.length === MAX_BATCH_ENTRIES ||
      (current.length > 0 && currentBytes + message.bytes > MAX_BATCH_BYTES)
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += message.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
