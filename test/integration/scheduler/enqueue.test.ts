import { Logger } from '@aws-lambda-powertools/logger';
import type { SendMessageBatchCommandInput, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchedulerServices } from '../../../lambdas/scheduler/compose.ts';
import { parseSchedulerConfig } from '../../../lambdas/scheduler/config.ts';
import { createEnqueueHandler } from '../../../lambdas/scheduler/handlers.ts';
import { sweepDelaySeconds } from '../../../lambdas/scheduler/use-cases/enqueue-due.ts';
import { SCHEDULE_SHARDS } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import type { SweepRequest } from '../../../lambdas/shared/ports/sweep-queue.ts';
import { ManualClock } from '../../support/clock.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';

const NOW = new Date('2026-05-04T10:00:00Z');

describe('scheduler: the sync tick against dynalite and fauxqs', () => {
  let dynamo: TestDynamo;
  let sqs: TestSqs;

  beforeAll(async () => {
    [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
  });

  afterAll(async () => {
    await Promise.all([dynamo.close(), sqs.close()]);
  });

  async function tickOn(queueUrl: string, intervalMinutes = 15, clock = new ManualClock(NOW)) {
    const config = parseSchedulerConfig({
      CONNECTIONS_TABLE: dynamo.tableNames.connections,
      SYNC_STATE_TABLE: dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: dynamo.tableNames.eventMap,
      SWEEP_QUEUE_URL: queueUrl,
      SYNC_INTERVAL_MINUTES: String(intervalMinutes),
    });
    const services = buildSchedulerServices(config, {
      dynamo: dynamo.client,
      sqs: sqs.client,
      clock,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    return createEnqueueHandler(() => services, services.logger);
  }

  async function sweepsIn(queueUrl: string) {
    const messages = await sqs.inspect(queueUrl);
    return messages
      .map((message) => ({
        sweep: JSON.parse(message.body) as SweepRequest,
        delaySeconds: message.delaySeconds,
      }))
      .sort((a, b) => a.sweep.shard - b.sweep.shard);
  }

  it('sends one sweep per shard, each delayed by its slot, whatever the number of subscribers', async () => {
    // No connection at all: the tick reads none, so what it sends does not depend on them.
    const queueUrl = await sqs.createQueue('tick');
    expect(await (await tickOn(queueUrl))()).toEqual({ sweeps: SCHEDULE_SHARDS });

    const sweeps = await sweepsIn(queueUrl);
    expect(sweeps.map(({ sweep }) => sweep)).toEqual(
      Array.from({ length: SCHEDULE_SHARDS }, (_, shard) => ({ shard, requestedAt: NOW.toISOString() })),
    );
    // Shard n waits n/SCHEDULE_SHARDS of the 15-minute interval: the slots cover it evenly.
    for (const { sweep, delaySeconds } of sweeps) {
      expect(delaySeconds).toBe(Math.floor((sweep.shard * 900) / SCHEDULE_SHARDS));
    }
    expect(sweeps[0]?.delaySeconds).toBe(0);
    expect(sweeps.at(-1)?.delaySeconds).toBeGreaterThan(900 - 900 / SCHEDULE_SHARDS - 1);
    expect(sweeps.at(-1)?.delaySeconds).toBeLessThan(900);
  });

  it('spreads the sweeps over a shorter interval, and over at most the 15 minutes SQS can delay', async () => {
    const five = await sqs.createQueue('tick-5');
    await (await tickOn(five, 5))();
    const fiveDelays = (await sweepsIn(five)).map(({ delaySeconds }) => delaySeconds);
    expect(fiveDelays).toEqual(
      Array.from({ length: SCHEDULE_SHARDS }, (_, shard) => sweepDelaySeconds(shard, 300)),
    );
    expect(Math.max(...fiveDelays)).toBeLessThan(300);

    const hour = await sqs.createQueue('tick-60');
    await (await tickOn(hour, 60))();
    expect(Math.max(...(await sweepsIn(hour)).map(({ delaySeconds }) => delaySeconds))).toBeLessThan(900);
  });

  it('retries the sweeps SQS reports in Failed[] until they are enqueued', async () => {
    const queueUrl = await sqs.createQueue('tick-failed');
    // SQS reports transient trouble per entry inside a 200 answer; fauxqs never does, so the first attempt of
    // some entries is withheld from the (real) server and reported as failed.
    const failedOnce = new Set<number>();
    const name = 'fail-first-attempt';
    sqs.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const withheld = (input.Entries ?? []).filter((entry) => {
          const { shard } = JSON.parse(entry.MessageBody ?? '{}') as SweepRequest;
          if (shard % 7 !== 0 || failedOnce.has(shard)) return false;
          failedOnce.add(shard);
          return true;
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
    try {
      expect(await (await tickOn(queueUrl))()).toEqual({ sweeps: SCHEDULE_SHARDS });
    } finally {
      sqs.client.middlewareStack.remove(name);
    }
    expect(failedOnce.size).toBeGreaterThan(0);
    const shards = (await sweepsIn(queueUrl)).map(({ sweep }) => sweep.shard);
    expect(shards).toEqual(Array.from({ length: SCHEDULE_SHARDS }, (_, shard) => shard));
  });

  it('fails the tick when a sweep cannot be enqueued; running it again sends every shard', async () => {
    // A queue that does not exist refuses every batch: the tick throws so the scheduler runs it again.
    const missing = `${await sqs.createQueue('tick-exists')}-missing`;
    await expect((await tickOn(missing))()).rejects.toMatchObject({ name: 'TickIncompleteError' });

    const queueUrl = await sqs.createQueue('tick-rerun');
    expect(await (await tickOn(queueUrl))()).toEqual({ sweeps: SCHEDULE_SHARDS });
    expect(await sweepsIn(queueUrl)).toHaveLength(SCHEDULE_SHARDS);
  });

  it("sends nothing while the project's daily Google quota is used up, and every shard once it is back", async () => {
    const syncState = new DynamoSyncStateStore(dynamo.client, dynamo.tableNames.syncState);
    const reset = new Date(NOW.getTime() + 3_600_000);
    await syncState.dailyLimitReached(reset.toISOString());
    const held = await sqs.createQueue('tick-held');
    expect(await (await tickOn(held))()).toEqual({ sweeps: 0 });
    expect(await sqs.inspect(held)).toHaveLength(0);

    const after = await sqs.createQueue('tick-after-reset');
    const later = new ManualClock(new Date(reset.getTime() + 1));
    expect(await (await tickOn(after, 15, later))()).toEqual({ sweeps: SCHEDULE_SHARDS });
  });
});
