import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { SWEEP_QUEUE_MAX_RECEIVE_COUNT } from '../../lambdas/check/handler.ts';
import { SYNC_QUEUE_MAX_RECEIVE_COUNT } from '../../lambdas/sync/worker/handler.ts';

export interface LocalSqs {
  client: SQSClient;
  /** http://127.0.0.1:PORT (see LocalDynamo.endpoint). */
  endpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** The sweeps the tick sends and the check reads, and their dead-letter queue. */
  sweepQueueUrl: string;
  sweepDeadLetterQueueUrl: string;
  close(): Promise<void>;
}

/**
 * How long a received sync message stays invisible: above the worker's time per invocation (the stack keeps the
 * same relation to the function's timeout).
 */
const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 330;
/** The same for a sweep: above the check's time per invocation. */
const LOCAL_SWEEP_VISIBILITY_TIMEOUT_SECONDS = 150;

/**
 * SQS for the local run: fauxqs in this process on a free loopback port (its queues live in memory: the
 * scheduler fills them again), the sync queue and the sweep queue, each with a dead-letter queue as the stack
 * sets them up.
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
    const sync = await createWithDeadLetters(client, 'ics-google-sync-dev', {
      visibilityTimeoutSeconds: LOCAL_VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: SYNC_QUEUE_MAX_RECEIVE_COUNT,
    });
    const sweep = await createWithDeadLetters(client, 'ics-google-sync-dev-sweeps', {
      visibilityTimeoutSeconds: LOCAL_SWEEP_VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: SWEEP_QUEUE_MAX_RECEIVE_COUNT,
    });
    return {
      client,
      endpoint,
      queueUrl: sync.queueUrl,
      deadLetterQueueUrl: sync.deadLetterQueueUrl,
      sweepQueueUrl: sweep.queueUrl,
      sweepDeadLetterQueueUrl: sweep.deadLetterQueueUrl,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A queue whose messages move to a dead-letter queue `<name>-dlq` after `maxReceiveCount` receives. */
async function createWithDeadLetters(
  client: SQSClient,
  name: string,
  options: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
) {
  const deadLetterQueueUrl = await createQueue(client, `${name}-dlq`, {});
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueUrl = await createQueue(client, name, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: Attributes?.QueueArn,
      maxReceiveCount: options.maxReceiveCount,
    }),
  });
  return { queueUrl, deadLetterQueueUrl };
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
  return QueueUrl;
}
