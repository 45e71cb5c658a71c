import { Logger } from '@aws-lambda-powertools/logger';
import type { SendMessageBatchCommandInput, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchedulerServices } from '../../../lambdas/scheduler/compose.ts';
import { parseSchedulerConfig } from '../../../lambdas/scheduler/config.ts';
import { createEnqueueHandler } from '../../../lambdas/scheduler/handlers.ts';
import { DynamoConnectionStore } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { spreadDelaySeconds } from '../../../lambdas/shared/domain/sync-schedule.ts';
import type { Connection } from '../../../lambdas/shared/ports/connection-store.ts';
import type { SyncRequest } from '../../../lambdas/shared/ports/sync-queue.ts';
import { ManualClock } from '../../support/clock.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';

const NOW = new Date('2026-05-04T10:00:00Z');
const INTERVAL_SECONDS = 15 * 60;

type Kind = 'eligible' | 'needs_reauth' | 'paused' | 'pause_over' | 'disconnected';
/** 1,000 connections: 600 to enqueue (500 plain, 100 whose pause is over), 400 that must not be. */
const KINDS: [Kind, number][] = [
  ['eligible', 500],
  ['pause_over', 100],
  ['needs_reauth', 200],
  ['paused', 100],
  ['disconnected', 100],
];

function connection(subscriberId: string): Omit<Connection, 'version'> {
  return {
    subscriberId,
    status: 'connected',
    calendarId: `cal-${subscriberId}`,
    refreshTokenCiphertext: `refresh-${subscriberId}`,
    feedTokenCiphertext: `feed-${subscriberId}`,
    eventIdSalt: 'salt',
    grantedScopes: 'https://www.googleapis.com/auth/calendar.app.created',
    connectedAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    scheduled: true,
  };
}

describe('scheduler: the sync tick against dynalite and fauxqs', () => {
  let dynamo: TestDynamo;
  let sqs: TestSqs;
  let store: DynamoConnectionStore;
  const expected: string[] = [];

  beforeAll(async () => {
    [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
    store = new DynamoConnectionStore(dynamo.client, dynamo.tableNames.connections);
    const writes: Promise<unknown>[] = [];
    for (const [kind, count] of KINDS) {
      for (let i = 0; i < count; i++) {
        const id = `${kind}-${String(i).padStart(4, '0')}`;
        writes.push(
          (async () => {
            await store.save(connection(id), undefined);
            if (kind === 'needs_reauth') await store.markNeedsReauth(id, `refresh-${id}`, NOW);
            if (kind === 'paused') await store.pause(id, new Date(NOW.getTime() + 3_600_000));
            if (kind === 'pause_over') await store.pause(id, new Date(NOW.getTime() - 1));
            if (kind === 'disconnected') await store.remove(id);
          })(),
        );
        if (kind === 'eligible' || kind === 'pause_over') expected.push(id);
        if (writes.length >= 50) await Promise.all(writes.splice(0));
      }
    }
    await Promise.all(writes);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([dynamo.close(), sqs.close()]);
  });

  async function tickOn(queueUrl: string) {
    const config = parseSchedulerConfig({
      CONNECTIONS_TABLE: dynamo.tableNames.connections,
      SYNC_STATE_TABLE: dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: dynamo.tableNames.eventMap,
      SYNC_QUEUE_URL: queueUrl,
    });
    const services = buildSchedulerServices(config, {
      dynamo: dynamo.client,
      sqs: sqs.client,
      clock: new ManualClock(NOW),
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    return createEnqueueHandler(() => services, services.logger);
  }

  it('enqueues exactly the eligible connections, once each, spread over the interval', async () => {
    const queueUrl = await sqs.createQueue('tick');
    const result = await (await tickOn(queueUrl))();
    expect(result).toEqual({ enqueued: expected.length });

    const messages = await sqs.inspect(queueUrl);
    const requests = messages.map((m) => JSON.parse(m.body) as SyncRequest);
    expect(requests.map((r) => r.subscriberId).sort()).toEqual([...expected].sort());
    expect(new Set(requests.map((r) => r.reason))).toEqual(new Set(['scheduled']));
    expect(requests.every((r) => r.requestedAt === NOW.toISOString() && r.requeued === undefined)).toBe(true);

    // Each message waits for its subscriber's stable slot in the interval, and the slots cover it evenly.
    for (const [index, message] of messages.entries()) {
      const subscriberId = requests[index]?.subscriberId as string;
      expect(message.delaySeconds).toBe(spreadDelaySeconds(subscriberId, INTERVAL_SECONDS));
    }
    const perTenth = Array.from(
      { length: 10 },
      (_, tenth) => messages.filter((message) => Math.floor(message.delaySeconds / 90) === tenth).length,
    );
    // 600 messages: 60 per tenth on average; a uniform spread stays well within 30..90.
    for (const count of perTenth) {
      expect(count).toBeGreaterThan(30);
      expect(count).toBeLessThan(90);
    }
  });

  it('retries the entries SQS reports in Failed[] until they are enqueued', async () => {
    const queueUrl = await sqs.createQueue('tick-failed');
    // SQS reports transient trouble per entry inside a 200 answer; fauxqs never does, so the first attempt of
    // some entries is withheld from the (real) server and reported as failed.
    const failedOnce = new Set<string>();
    const name = 'fail-first-attempt';
    sqs.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const withheld = (input.Entries ?? []).filter((entry) => {
          const { subscriberId } = JSON.parse(entry.MessageBody ?? '{}') as SyncRequest;
          if (!subscriberId.endsWith('7') || failedOnce.has(subscriberId)) return false;
          failedOnce.add(subscriberId);
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
      expect(await (await tickOn(queueUrl))()).toEqual({ enqueued: expected.length });
    } finally {
      sqs.client.middlewareStack.remove(name);
    }
    expect(failedOnce.size).toBeGreaterThan(0);
    const ids = (await sqs.inspect(queueUrl)).map((m) => (JSON.parse(m.body) as SyncRequest).subscriberId);
    expect(ids.sort()).toEqual([...expected].sort());
  });

  it('a connection that reconnects after needs_reauth is enqueued again', async () => {
    const id = 'needs_reauth-0000';
    const stored = (await store.get(id)) as Connection;
    const { needsReauthSince: _since, ...rest } = stored;
    await store.save(
      { ...rest, status: 'connected', refreshTokenCiphertext: 'new', scheduled: true },
      stored.version,
    );
    const queueUrl = await sqs.createQueue('tick-reconnected');
    expect(await (await tickOn(queueUrl))()).toEqual({ enqueued: expected.length + 1 });
    await store.markNeedsReauth(id, 'new', NOW);
  });
});
