import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext } from './api-gateway-event.ts';
import { sqsEventOf } from './sqs-event.ts';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SyncPollerOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  /** Messages per invocation (the event source mapping's batch size). */
  batchSize?: number;
  /** The function's timeout: the time an invocation gets. */
  timeoutMs?: number;
  /** A failed message is visible again after this long (instead of the whole visibility timeout). */
  retryDelaySeconds?: number;
  onError?: (error: unknown) => void;
  /** The function's name in the context the handler gets (default `sync-worker`). */
  functionName?: string;
}

/**
 * Plays Lambda's SQS event source for the sync worker (and for the check, on the sweep queue): long-polls the queue, hands each batch to the handler as an
 * SQS event, deletes the messages it did not report in `batchItemFailures` (ReportBatchItemFailures), and makes
 * the reported ones visible again a little later. A handler that throws fails the whole batch, as in Lambda.
 */
export class SyncPoller {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: SyncPollerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops polling; a batch being handled is finished first. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await this.receive(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.options.onError?.(error);
        await pause(1_000, signal);
        continue;
      }
      if (messages.length > 0) await this.invoke(messages);
    }
  }

  private async receive(signal: AbortSignal): Promise<Message[]> {
    const { Messages = [] } = await this.options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: this.options.batchSize ?? 5,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return Messages;
  }

  private async invoke(messages: Message[]): Promise<void> {
    const { client, queueUrl, handler } = this.options;
    let failed: Set<string>;
    try {
      const context = lambdaContext(
        this.options.functionName ?? 'sync-worker',
        this.options.timeoutMs ?? 300_000,
      );
      const response = await handler(sqsEventOf(messages), context);
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      this.options.onError?.(error);
      failed = new Set(messages.map((message) => message.MessageId as string));
    }
    try {
      const done = messages.filter((message) => !failed.has(message.MessageId as string));
      if (done.length > 0) {
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle as string,
            })),
          }),
        );
      }
      for (const message of messages.filter((m) => failed.has(m.MessageId as string))) {
        await client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.ReceiptHandle as string,
            VisibilityTimeout: this.options.retryDelaySeconds ?? 10,
          }),
        );
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
