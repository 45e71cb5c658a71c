import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { SYNC_QUEUE_MAX_RECEIVE_COUNT } from '../../lambdas/sync/worker/handler.ts';

export interface LocalSqs {
  client: SQSClient;
  /** http://127.0.0.1:PORT (see LocalDynamo.endpoint). */
  endpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  close(): Promise<void>;
}

/**
 * How long a received sync message stays invisible: above the worker's time per invocation (the stack keeps the
 * same relation to the function's timeout).
 */
const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 330;

/**
 * SQS for the local run: fauxqs in this process on a free loopback port (its queues live in memory: the
 * scheduler fills them again), the sync queue with a dead-letter queue as the stack sets it up.
 */
export async function startLocalSqs(): Promise<LocalSqs> {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const close = async () => {
    client.destroy();
    await app.close();
  };
  try {
    const deadLetterQueueUrl = await createQueue(client, 'ics-google-sync-dev-dlq', {});
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueUrl = await createQueue(client, 'ics-google-sync-dev', {
      VisibilityTimeout: String(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: Attributes?.QueueArn,
        maxReceiveCount: SYNC_QUEUE_MAX_RECEIVE_COUNT,
      }),
    });
    return { client, endpoint, queueUrl, deadLetterQueueUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
  return QueueUrl;
}
