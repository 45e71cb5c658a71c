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
  /**
   * Every message in the queue without receiving it (fauxqs' inspection endpoint), delayed and in-flight ones
   * included, each with the delay it was sent with.
   */
  inspect(queueUrl: string): Promise<InspectedMessage[]>;
  close(): Promise<void>;
}

export interface InspectedMessage {
  body: string;
  state: 'ready' | 'delayed' | 'inflight';
  /** The DelaySeconds it was sent with (0 when none). */
  delaySeconds: number;
  receiveCount: number;
}

interface FauxqsMessage {
  body: string;
  sentTimestamp: number;
  delayUntil?: number;
  approximateReceiveCount: number;
}

let queueCounter = 0;

/**
 * createQueue and drain over any SQS endpoint (fauxqs here, moto in ./moto.ts): a queue under a unique name,
 * and every visible message received and deleted until a receive comes back empty.
 */
export function queueHelpers(client: SQSClient): Pick<TestSqs, 'createQueue' | 'drain'> {
  return {
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
  };
}

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
    ...queueHelpers(client),
    async inspect(queueUrl) {
      const name = queueUrl.split('/').pop() as string;
      const answer = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(name)}`);
      if (!answer.ok) throw new Error(`fauxqs inspection answered ${answer.status}`);
      const { messages } = (await answer.json()) as {
        messages: {
          ready: FauxqsMessage[];
          delayed: FauxqsMessage[];
          inflight: { message: FauxqsMessage }[];
        };
      };
      const described = (state: InspectedMessage['state']) => (message: FauxqsMessage) => ({
        body: message.body,
        state,
        delaySeconds: message.delayUntil
          ? Math.round((message.delayUntil - message.sentTimestamp) / 1000)
          : 0,
        receiveCount: message.approximateReceiveCount,
      });
      return [
        ...messages.ready.map(described('ready')),
        ...messages.delayed.map(described('delayed')),
        ...messages.inflight.map(({ message }) => described('inflight')(message)),
      ];
    },
    async close() {
      client.destroy();
      await app.close();
    },
  };
}
