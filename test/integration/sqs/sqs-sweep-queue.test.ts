import type { SendMessageBatchCommandInput, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsSweepQueue, SweepQueueError } from '../../../lambdas/shared/adapters/sqs/sqs-sweep-queue.ts';
import type { SweepRequest } from '../../../lambdas/shared/ports/sweep-queue.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';

const REQUESTED_AT = '2026-12-06T10:00:00.000Z';

describe('SqsSweepQueue on fauxqs', () => {
  let sqs: TestSqs;
  beforeAll(async () => {
    sqs = await startSqs();
  });
  afterAll(async () => sqs?.close());

  it('sends one message per sweep: body { shard, requestedAt, after? }, the delay as DelaySeconds', async () => {
    const queueUrl = await sqs.createQueue('sweeps');
    const sweeps: SweepRequest[] = [
      ...Array.from({ length: 25 }, (_, shard) => ({
        shard,
        requestedAt: REQUESTED_AT,
        delaySeconds: shard * 3,
      })),
      { shard: 40, requestedAt: REQUESTED_AT, after: 'sub-0042' },
    ];
    await new SqsSweepQueue(sqs.client, queueUrl).enqueue(sweeps);

    const messages = await sqs.inspect(queueUrl);
    const received = messages.map((message) => ({
      body: JSON.parse(message.body) as unknown,
      delaySeconds: message.delaySeconds,
    }));
    const expected = sweeps.map(({ delaySeconds = 0, ...body }) => ({ body, delaySeconds }));
    const byShard = (a: { body: unknown }, b: { body: unknown }) =>
      (a.body as SweepRequest).shard - (b.body as SweepRequest).shard;
    expect(received.sort(byShard)).toEqual(expected.sort(byShard));
    // The transport setting stays out of the body.
    expect(messages.some((message) => message.body.includes('delaySeconds'))).toBe(false);
  });

  it('retries sweeps SQS reports in Failed[] and names those it could not enqueue', async () => {
    const queueUrl = await sqs.createQueue('sweeps-failed');
    // fauxqs never fails an entry on its own: shard 3 is withheld from the (real) server on every attempt and
    // reported as a transient failure, shard 5 only on the first.
    const attempts = new Map<number, number>();
    const name = 'fail-sweeps';
    sqs.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const withheld = (input.Entries ?? []).filter((entry) => {
          const { shard } = JSON.parse(entry.MessageBody ?? '{}') as SweepRequest;
          const attempt = (attempts.get(shard) ?? 0) + 1;
          attempts.set(shard, attempt);
          return shard === 3 || (shard === 5 && attempt === 1);
        });
        const sent = (input.Entries ?? []).filter((entry) => !withheld.includes(entry));
        const result =
          sent.length > 0
            ? await next({ ...args, input: { ...input, Entries: sent } })
            : { output: { Successful: [], Failed: [], $metadata: {} }, response: {} };
        const output = result.output as SendMessageBatchCommandOutput;
        output.Failed = [
          ...(output.Failed ?? []),
          ...withheld.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'InternalError' })),
        ];
        return result;
      },
      { step: 'initialize', name },
    );
    let error: unknown;
    try {
      error = await new SqsSweepQueue(sqs.client, queueUrl, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 })
        .enqueue(Array.from({ length: 8 }, (_, shard) => ({ shard, requestedAt: REQUESTED_AT })))
        .catch((e: unknown) => e);
    } finally {
      sqs.client.middlewareStack.remove(name);
    }
    expect(error).toBeInstanceOf(SweepQueueError);
    expect((error as SweepQueueError).failures).toEqual([
      { shard: 3, code: 'InternalError', senderFault: false },
    ]);
    expect((error as SweepQueueError).failedCount).toBe(1);
    expect(attempts.get(3)).toBe(3);
    const shards = (await sqs.drain(queueUrl)).map((m) => (JSON.parse(m.Body ?? '') as SweepRequest).shard);
    expect(shards.sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });
});
