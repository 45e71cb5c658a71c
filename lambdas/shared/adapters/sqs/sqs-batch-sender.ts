import { setTimeout as sleep } from 'node:timers/promises';
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import pLimit, { type LimitFunction } from 'p-limit';

/** SendMessageBatch takes at most 10 entries and 1 MiB of bodies in all. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;

export interface SqsBatchSenderOptions {
  /** SendMessageBatch calls in flight at once (default 25). */
  maxConcurrentBatches?: number;
  /** Tries per message, the first included, for failures SQS reports as its own (default 5). */
  maxAttempts?: number;
  /** Backoff before the n-th retry: a random delay up to min(maxDelayMs, baseDelayMs * 2^n) (default 100). */
  baseDelayMs?: number;
  /** Default 2000. */
  maxDelayMs?: number;
}

/** One message to send: `key` names it in a failure (never the body, which may be long or hold data). */
export interface OutgoingMessage<Key> {
  key: Key;
  body: string;
  /** Whole seconds, already within what the queue allows; 0 or absent: no delay. */
  delaySeconds?: number;
  fifo?: { MessageGroupId: string; MessageDeduplicationId: string };
}

/** A message that could not be enqueued and why (the SQS error code). */
export interface SendFailure<Key> {
  key: Key;
  code: string;
  /** True when SQS blamed the message itself: sending it again as it is cannot succeed. */
  senderFault: boolean;
}

interface SizedMessage<Key> extends OutgoingMessage<Key> {
  bytes: number;
}

/**
 * Sends messages to one SQS queue with SendMessageBatch: batches of up to 10 messages and 1 MiB, a bounded
 * number of batches in flight, and the entries SQS reports in `Failed[]` retried with backoff. What the messages
 * mean (body, delay, FIFO ids) is the caller's: each queue adapter shapes its own and shares this transport.
 */
export class SqsBatchSender {
  private readonly limit: LimitFunction;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    options: SqsBatchSenderOptions = {},
  ) {
    this.limit = pLimit(options.maxConcurrentBatches ?? 25);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
  }

  /** Sends every message; returns those still not enqueued after the allowed attempts (empty: all were). */
  async send<Key>(messages: OutgoingMessage<Key>[]): Promise<SendFailure<Key>[]> {
    const sized = messages.map((message) => ({ ...message, bytes: Buffer.byteLength(message.body, 'utf8') }));
    const results = await Promise.all(
      packBatches(sized).map((batch) => this.limit(() => this.sendWithRetries(batch))),
    );
    return results.flat();
  }

  /** Sends one batch; returns the messages still not enqueued after the allowed attempts. */
  private async sendWithRetries<Key>(batch: SizedMessage<Key>[]): Promise<SendFailure<Key>[]> {
    const permanent: SendFailure<Key>[] = [];
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const retry: { message: SizedMessage<Key>; failure: SendFailure<Key> }[] = [];
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
  private async sendOnce<Key>(messages: SizedMessage<Key>[]): Promise<Map<number, SendFailure<Key>>> {
    const failures = new Map<number, SendFailure<Key>>();
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
      messages.forEach(({ key }, index) => {
        if (enqueued.has(String(index))) return;
        const entry = failed.get(String(index));
        // An entry in neither list was not acknowledged: assume not enqueued and try again.
        failures.set(index, {
          key,
          code: entry?.Code ?? 'NotAcknowledged',
          senderFault: entry?.SenderFault ?? false,
        });
      });
    } catch (error) {
      // The SDK has already retried throttling and server errors; a client fault (bad queue URL, batch refused
      // as a whole) will not get better by sending the same batch again.
      const senderFault = (error as { $fault?: string }).$fault === 'client';
      const code = error instanceof Error ? error.name : 'UnknownError';
      messages.forEach(({ key }, index) => {
        failures.set(index, { key, code, senderFault });
      });
    }
    return failures;
  }
}

/** "3 of 10 sync requests were not enqueued (InternalError x2, InvalidParameterValue x1)": codes, no bodies. */
export function describeSendFailures(failures: { code: string }[], totalCount: number, what: string): string {
  const byCode = new Map<string, number>();
  for (const { code } of failures) byCode.set(code, (byCode.get(code) ?? 0) + 1);
  const codes = [...byCode].map(([code, count]) => `${code} x${count}`).join(', ');
  return `${failures.length} of ${totalCount} ${what} were not enqueued (${codes})`;
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
