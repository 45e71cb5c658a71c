import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncPoller } from '../../../dev/lambda-runtime/sync-poller.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';

/** The local run's stand-in for Lambda's SQS event source (ReportBatchItemFailures). */
describe('the sync poller', () => {
  let sqs: TestSqs;
  beforeAll(async () => {
    sqs = await startSqs();
  });
  afterAll(async () => sqs.close());

  it('deletes what the handler did, and hands a reported failure over again later', async () => {
    const queueUrl = await sqs.createQueue('poller', { attributes: { VisibilityTimeout: '300' } });
    for (const body of ['good', 'bad']) {
      await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const deliveries: string[] = [];
    let badReceives = 0;
    const poller = new SyncPoller({
      client: sqs.client,
      queueUrl,
      retryDelaySeconds: 0,
      handler: async (event: SQSEvent) => {
        deliveries.push(...event.Records.map((record) => record.body));
        const bad = event.Records.filter((record) => record.body === 'bad');
        badReceives += bad.length;
        // The second time, the bad message goes through.
        return {
          batchItemFailures: badReceives > 1 ? [] : bad.map((r) => ({ itemIdentifier: r.messageId })),
        };
      },
    });
    poller.start();
    try {
      await expect.poll(() => badReceives, { timeout: 10_000 }).toBe(2);
      await expect.poll(async () => (await sqs.inspect(queueUrl)).length, { timeout: 10_000 }).toBe(0);
    } finally {
      await poller.stop();
    }
    expect(deliveries.filter((body) => body === 'good')).toEqual(['good']);
  });

  it('stops at once while waiting for messages', async () => {
    const queueUrl = await sqs.createQueue('idle');
    const poller = new SyncPoller({ client: sqs.client, queueUrl, handler: async () => undefined });
    // The signal that the poller is waiting: its long poll goes out.
    const polling = new Promise<void>((resolve) => {
      sqs.client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'ReceiveMessageCommand') resolve();
          return next(args);
        },
        { step: 'finalizeRequest', name: 'signalLongPoll' },
      );
    });
    poller.start();
    try {
      await polling;
    } finally {
      sqs.client.middlewareStack.remove('signalLongPoll');
    }
    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
