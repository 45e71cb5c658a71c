import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

export interface TestSqs {
  /** Base URL of the in-process SQS server, on a loopback port. */
  endpoint: string;
  /** An SQS client pointed at it. */
  client: SQSClient;
  /**
   * Creates a queue under a unique name (FIFO when `fifo` is set) through CreateQueue and returns its URL.
   * `attributes` are SQS queue attributes, e.g. `{ MaximumMessageSize: '1024' }`.
   */
  createQueue(
    name: string,
    options?: { fifo?: boolean; attributes?: Record<string, string> },
  ): Promise<string>;
  /**
   * Receives and deletes every message visible in the queue, as a consumer would, until a receive comes back
   * empty; returns the messages (with MessageGroupId and MessageDeduplicationId) in the order received.
   */
  drain(queueUrl: string): Promise<Message[]>;
  close(): Promise<void>;
}

let queueCounter = 0;

/** Starts an in-memory SQS (fauxqs) listening on a free port of the loopback interface only. */
export async function startSqs(): Promise<TestSqs> {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint,
    client,
    async createQueue(name, { fifo = false, attributes = {} } = {}) {
      const unique = `${name}-${Date.now().toString(36)}-${++queueCounter}${fifo ? '.fifo' : ''}`;
      const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({ QueueName: unique, Attributes: { ...fifoAttributes, ...attributes } }),
      );
      if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${unique}`);
      return QueueUrl;
    },
    async drain(queueUrl) {
      const received: Message[] = [];
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
          }),
        );
        if (Messages.length === 0) return received;
        received.push(...Messages);
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle as string,
            })),
          }),
        );
      }
    },
    async close() {
      client.destroy();
      await app.close();
    },
  };
}
