import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { startGoogleEmulator } from '../../emulator/google/index.ts';
import { buildSchedulerServices } from '../../lambdas/scheduler/compose.ts';
import { parseSchedulerConfig } from '../../lambdas/scheduler/config.ts';
import { createEnqueueHandler } from '../../lambdas/scheduler/handlers.ts';
import { SCHEDULE_SHARDS } from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoSyncStateStore } from '../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import type { SyncRequest } from '../../lambdas/shared/ports/sync-queue.ts';
import { buildSyncWorkerServices } from '../../lambdas/sync/compose.ts';
import { parseSyncWorkerConfig } from '../../lambdas/sync/config.ts';
import { DEFAULT_PACING } from '../../lambdas/sync/engine/pacer.ts';
import { DEFAULT_RETRY } from '../../lambdas/sync/engine/retry.ts';
import { createSyncWorkerHandler } from '../../lambdas/sync/worker/handler.ts';
import { DEFAULT_WORKER_CONCURRENCY } from '../../lib/config.ts';
import { lambdaContext } from '../../test/support/api-gateway.ts';
import { CheckWorld } from '../../test/support/check-world.ts';
import { startDynamo } from '../../test/support/dynalite.ts';
import { startSqs } from '../../test/support/fauxqs.ts';
import { sqsEventOf } from '../../test/support/sqs-event.ts';
import type { Benchmark } from '../benchmark.ts';
import { connectSubscribers, feedOf, muteEmf, round, silentLogger } from '../support.ts';

const TIME_SCALE = Number(process.env.SYNC_BENCH_TIME_SCALE ?? 20);
const MINUTE_MS = 60_000;
const LATENCY_MS = 20;
const PROJECT_QUOTA_PER_MINUTE = 10_000;
const CIPHER_KEY = Buffer.alloc(32, 7).toString('base64');

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Messages in the queue, delayed and in flight included. */
async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The subscribers the tick is sized for (the million). */
const TICK_SUBSCRIBERS = 1_000_000;

/**
 * The tick at 1,000,000 subscribers. The tick reads no subscriber (one sweep per shard of the schedule), so the
 * index holds one shard's share of the million (1,000,000 / SCHEDULE_SHARDS, all in shard 0) rather than the
 * million: what one sweep meets at that size. `seconds`: the tick's wall time; `messages`: what it left on the
 * sweep queue. Then the check's sweep of that shard, every feed unchanged since its last sync (a 304 from the feed
 * server on loopback, so network time is not in it): `sweep_seconds_per_shard_at_1m`. This replaces
 * `fanout_100k`, the tick of one message per subscriber, which no longer exists.
 */
async function tickAtOneMillion(): Promise<Record<string, number>> {
  const world = await new CheckWorld().open();
  try {
    const perShard = Math.ceil(TICK_SUBSCRIBERS / SCHEDULE_SHARDS);
    const seeded = await world.seed(perShard, { shards: [0] });
    const indexed = await indexCount(world.dynamo.client, world.dynamo.tableNames.connections);
    if (indexed !== perShard) throw new Error(`${indexed} subscribers in the index, ${perShard} seeded`);
    const queueUrl = await world.sqs.createQueue('tick');
    const services = buildSchedulerServices(
      parseSchedulerConfig({
        CONNECTIONS_TABLE: world.dynamo.tableNames.connections,
        SYNC_STATE_TABLE: world.dynamo.tableNames.syncState,
        EVENT_MAP_TABLE: world.dynamo.tableNames.eventMap,
        SWEEP_QUEUE_URL: queueUrl,
      }),
      { dynamo: world.dynamo.client, sqs: world.sqs.client, clock: world.clock, logger: silentLogger() },
    );
    const tick = createEnqueueHandler(() => services, services.logger);
    const { value, seconds } = await timed(() => tick());
    const messages = await queueDepth(world.sqs.client, queueUrl);
    if (value.sweeps !== SCHEDULE_SHARDS || messages !== SCHEDULE_SHARDS) {
      throw new Error(`the tick sent ${value.sweeps} sweeps, ${messages} in the queue`);
    }
    const sweep = await timed(() => world.sweep({ shard: 0, requestedAt: world.clock.date().toISOString() }));
    if (sweep.value.batchItemFailures.length > 0) throw new Error('the sweep of shard 0 failed');
    const jobs = await world.writeJobs();
    if (jobs.length > 0) throw new Error(`${jobs.length} unchanged feeds were sent to the write path`);
    if (world.feeds.answered.notModified !== seeded.length) {
      throw new Error(`${world.feeds.answered.notModified} of ${seeded.length} checks were answered 304`);
    }
    return {
      subscribers: TICK_SUBSCRIBERS,
      seconds: round(seconds),
      target_seconds: 60,
      messages,
      subscribers_per_shard: perShard,
      sweep_seconds_per_shard_at_1m: round(sweep.seconds),
    };
  } finally {
    await world.close();
  }
}

/** Items in the scheduling index (every shard, counted). */
async function indexCount(client: DynamoDBClient, tableName: string): Promise<number> {
  let total = 0;
  for (let shard = 0; shard < SCHEDULE_SHARDS; shard++) {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'scheduled',
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': 'scheduleShard' },
          ExpressionAttributeValues: { ':shard': { S: String(shard) } },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return total;
}

/** `subscribers` connected subscribers with `events` each, through the queue, the worker and the emulator. */
async function pipeline(subscribers: number, events: number): Promise<Record<string, number>> {
  const text = feedOf(events, 5);
  const feedServer = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' }).end(text),
  );
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  const feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  const [dynamo, sqs, google] = await Promise.all([
    startDynamo(),
    startSqs(),
    startGoogleEmulator({
      latencyMs: LATENCY_MS,
      quotas: {
        perUserPerWindow: 600,
        perProjectPerWindow: PROJECT_QUOTA_PER_MINUTE,
        windowMs: MINUTE_MS / TIME_SCALE,
      },
    }),
  ]);
  const unmute = muteEmf();
  try {
    const client = google.control.registerClient({ redirectUris: ['https://api.example.test/callback'] });
    const queueUrl = await sqs.createQueue('pipeline');
    const env = {
      CONNECTIONS_TABLE: dynamo.tableNames.connections,
      SYNC_STATE_TABLE: dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: dynamo.tableNames.eventMap,
      // The tokens are sealed under data keys kept in this table (envelope encryption), as in AWS.
      DATA_KEYS_TABLE: dynamo.tableNames.dataKeys,
      FEED_URL_TEMPLATE: `${feedBase}/ics/{token}.ics`,
      CALENDAR_TIME_ZONE: 'Europe/Berlin',
      GOOGLE_API_BASE_URL: google.baseUrl,
      GOOGLE_CLIENT_ID: client.clientId,
      GOOGLE_CLIENT_SECRET: client.clientSecret,
      LOCAL_CIPHER_KEY: CIPHER_KEY,
      SYNC_QUEUE_URL: queueUrl,
      SYNC_CONTINUE_DELAY_SECONDS: '0',
      SYNC_BUSY_RETRY_SECONDS: '0',
      // Every sync draws from the project's budget, as in AWS.
      RATE_LIMITS_TABLE: dynamo.tableNames.rateLimits,
      GOOGLE_PROJECT_QUOTA_PER_MINUTE: String(PROJECT_QUOTA_PER_MINUTE),
    };
    const logger = silentLogger();
    const deps = buildSyncWorkerServices(parseSyncWorkerConfig(env), {
      dynamo: dynamo.client,
      sqs: sqs.client,
      logger,
      env,
      metrics: new Metrics({ namespace: 'IcsGoogleSyncBench', serviceName: 'bench' }),
      // Production pacing, retry and budget windows, their minute scaled like the emulator's quota window.
      projectQuotaWindows: { minuteMs: MINUTE_MS / TIME_SCALE },
      engine: {
        pacing: { ...DEFAULT_PACING, windowMs: DEFAULT_PACING.windowMs / TIME_SCALE },
        retry: {
          ...DEFAULT_RETRY,
          baseDelayMs: DEFAULT_RETRY.baseDelayMs / TIME_SCALE,
          maxDelayMs: DEFAULT_RETRY.maxDelayMs / TIME_SCALE,
        },
      },
    });
    const handler = createSyncWorkerHandler(() => deps, logger);

    // Subscribers connected as the OAuth flow leaves them (not timed).
    const ids = await connectSubscribers(google, dynamo, {
      clientId: client.clientId,
      count: subscribers,
      cipherKey: CIPHER_KEY,
    });
    google.control.resetCounters();

    const requestedAt = new Date().toISOString();
    const requests = ids.map(
      (subscriberId): SyncRequest => ({ subscriberId, reason: 'connected', requestedAt }),
    );
    // The stack's default: the worker's maximum concurrency, each invocation syncing a few subscribers at once.
    const invocations = DEFAULT_WORKER_CONCURRENCY;
    let failures = 0;
    const poller = async () => {
      for (;;) {
        const { Messages = [] } = await sqs.client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 900,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        if (Messages.length === 0) {
          if ((await queueDepth(sqs.client, queueUrl)) === 0) return;
          await sleep(20);
          continue;
        }
        const event = sqsEventOf(Messages, 'pipeline');
        const { batchItemFailures } = await handler(event, lambdaContext('sync-worker', 900_000));
        failures += batchItemFailures.length;
        const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId as string));
        if (done.length > 0) {
          await sqs.client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
            }),
          );
        }
      }
    };
    const { seconds } = await timed(async () => {
      await deps.syncQueue.enqueue(requests);
      await Promise.all(Array.from({ length: invocations }, poller));
    });

    const counters = google.control.counters();
    const calendarCalls = Object.values(counters.byUser).reduce((sum, user) => sum + user.total, 0);
    const syncState = new DynamoSyncStateStore(dynamo.client, dynamo.tableNames.syncState);
    const limit = pLimit(32);
    const results = await Promise.all(ids.map((id) => limit(() => syncState.get(id))));
    const synced = results.filter((state) => state?.lastResult?.outcome === 'synced').length;
    const eventsWritten = google.control
      .state()
      .calendars.reduce(
        (sum, calendar) =>
          sum + (calendar.events as { status?: string }[]).filter((e) => e.status !== 'cancelled').length,
        0,
      );
    if (eventsWritten !== subscribers * events) {
      throw new Error(`${eventsWritten} events in Google, expected ${subscribers * events}`);
    }
    const scaledMinutes = (seconds * TIME_SCALE) / 60;
    return {
      seconds: round(seconds),
      subscribers_synced: synced,
      events_written: eventsWritten,
      google_calls: calendarCalls,
      quota_units: counters.units,
      units_per_minute_project: Math.round(counters.units / scaledMinutes),
      real_time_minutes: round(scaledMinutes, 1),
      concurrent_invocations: invocations,
      message_failures: failures,
      time_scale: TIME_SCALE,
    };
  } finally {
    unmute();
    await Promise.all([
      dynamo.close(),
      sqs.close(),
      google.close(),
      new Promise<void>((resolve) => feedServer.close(() => resolve())),
    ]);
  }
}

const benchmarks: Benchmark[] = [
  { name: 'tick_1m', run: tickAtOneMillion },
  { name: 'pipeline_1k', run: () => pipeline(1_000, 50) },
];
export default benchmarks;
