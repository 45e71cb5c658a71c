/**
 * The project's Google quota as a shared budget: a backlog of first syncs (200 subscribers connected at once, each
 * feed worth minutes of Google's per-user pace) through several worker invocations, each syncing a few
 * subscribers at once, every sync drawing from the budget in DynamoDB. The emulator holds the project to a quota
 * lowered to what this machine can serve, and counts the units it admitted per minute while the backlog is busy.
 * Like the other pipeline benchmarks, Google's minute (the emulator's quota window, the pacer's and the budget's)
 * is divided by a time scale: the counts are Google's, only the minute is shorter. Here it is QUOTA_BENCH_TIME_SCALE
 * (default 5, not the sync benchmarks' 20): the budget's 2-second windows must stay long next to a reservation's
 * round trip, as they are in AWS (DynamoDB answers in ~10 ms, a 200th of a window); at 20 a window is 100 ms,
 * and a loaded machine's in-process DynamoDB takes a good part of that, so the reservations would come back after
 * their window and be lost, which measures the machine, not the budget.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startGoogleEmulator } from '../../emulator/google/index.ts';
import type { DynamoProjectQuotaBudget } from '../../lambdas/shared/adapters/dynamodb/project-quota-budget.ts';
import { CalendarApiError, type CalendarGateway } from '../../lambdas/shared/ports/calendar-gateway.ts';
import type { SyncRequest } from '../../lambdas/shared/ports/sync-queue.ts';
import { buildSyncWorkerServices } from '../../lambdas/sync/compose.ts';
import { DEFAULT_SYNC_PARALLEL_SUBSCRIBERS, parseSyncWorkerConfig } from '../../lambdas/sync/config.ts';
import type { SyncWorkerDependencies } from '../../lambdas/sync/dependencies.ts';
import { DEFAULT_PACING } from '../../lambdas/sync/engine/pacer.ts';
import { DEFAULT_RETRY } from '../../lambdas/sync/engine/retry.ts';
import { createSyncWorkerHandler } from '../../lambdas/sync/worker/handler.ts';
import { DEFAULT_WORKER_CONCURRENCY } from '../../lib/config.ts';
import { lambdaContext } from '../../test/support/api-gateway.ts';
import { startDynamo } from '../../test/support/dynalite.ts';
import { startSqs } from '../../test/support/fauxqs.ts';
import { sqsEventOf } from '../../test/support/sqs-event.ts';
import type { Benchmark } from '../benchmark.ts';
import { connectSubscribers, feedOf, muteEmf, round, silentLogger } from '../support.ts';

const TIME_SCALE = Number(process.env.QUOTA_BENCH_TIME_SCALE ?? 5);
const MINUTE_MS = 60_000;
const SCALED_MINUTE_MS = MINUTE_MS / TIME_SCALE;
const LATENCY_MS = 20;
/** Lowered from Google's 10,000 so that this machine serves it easily (100 calls a second at the time scale). */
const PROJECT_QUOTA_PER_MINUTE = 1_200;
const SUBSCRIBERS = 200;
/** Three minutes of the per-user pace (540 units a minute) for each subscriber's first sync. */
const EVENTS_PER_FEED = 1_620;
/** The first minute starts the syncs (feeds fetched and mapped); the minutes after it are counted. */
const WARM_UP_MINUTES = 1;
const BUSY_MINUTES = 6;
const CIPHER_KEY = Buffer.alloc(32, 5).toString('base64');

/** Google's over-quota answers the syncs met, by quota (the emulator answers the project's 403 rateLimitExceeded). */
interface QuotaAnswers {
  project: number;
  user: number;
}

/** Every call of the gateway, its rate-limit answers counted (the engine retries them; none should come). */
function counting(gateway: CalendarGateway, answers: QuotaAnswers): CalendarGateway {
  return new Proxy(gateway, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          if (error instanceof CalendarApiError && error.isRateLimit) {
            if (error.reason === 'rateLimitExceeded') answers.project++;
            else answers.user++;
          }
          throw error;
        }
      };
    },
  });
}

/**
 * One worker invocation after another, as the event source mapping makes them for one concurrency slot: up to
 * `parallelSubscribers` messages each, until `stopAt`; every sync's time ends by then.
 */
async function invocations(
  sqs: SQSClient,
  queueUrl: string,
  handler: ReturnType<typeof createSyncWorkerHandler>,
  stopAt: number,
  failures: { count: number },
): Promise<void> {
  for (;;) {
    // A sync given less than the worker's smallest time budget would only be put back.
    if (stopAt - Date.now() < 12_000) return;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: DEFAULT_SYNC_PARALLEL_SUBSCRIBERS,
        VisibilityTimeout: 900,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    if (Messages.length === 0) {
      await sleep(20);
      continue;
    }
    // The worker keeps a second of margin (SYNC_TIME_MARGIN_SECONDS): its syncs stop at `stopAt`.
    const context = lambdaContext('sync-worker', stopAt - Date.now() + 1_000);
    const { batchItemFailures } = await handler(sqsEventOf(Messages, 'quota'), context);
    failures.count += batchItemFailures.length;
    const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = Messages.filter((message: Message) => !failed.has(message.MessageId as string));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
  }
}

async function quotaBacklog(): Promise<Record<string, number>> {
  const text = feedOf(EVENTS_PER_FEED, 2);
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
        windowMs: SCALED_MINUTE_MS,
      },
    }),
  ]);
  const unmute = muteEmf();
  try {
    const client = google.control.registerClient({ redirectUris: ['https://api.example.test/callback'] });
    const queueUrl = await sqs.createQueue('quota');
    const env = {
      CONNECTIONS_TABLE: dynamo.tableNames.connections,
      SYNC_STATE_TABLE: dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: dynamo.tableNames.eventMap,
      RATE_LIMITS_TABLE: dynamo.tableNames.rateLimits,
      DATA_KEYS_TABLE: dynamo.tableNames.dataKeys,
      FEED_URL_TEMPLATE: `${feedBase}/ics/{token}.ics`,
      CALENDAR_TIME_ZONE: 'Europe/Berlin',
      GOOGLE_API_BASE_URL: google.baseUrl,
      GOOGLE_CLIENT_ID: client.clientId,
      GOOGLE_CLIENT_SECRET: client.clientSecret,
      LOCAL_CIPHER_KEY: CIPHER_KEY,
      SYNC_QUEUE_URL: queueUrl,
      SYNC_TIME_MARGIN_SECONDS: '1',
      SYNC_CONTINUE_DELAY_SECONDS: '0',
      SYNC_BUSY_RETRY_SECONDS: '0',
      GOOGLE_PROJECT_QUOTA_PER_MINUTE: String(PROJECT_QUOTA_PER_MINUTE),
    };
    const answers: QuotaAnswers = { project: 0, user: 0 };
    // One container per concurrency slot of the event source mapping, each with its own budget reservations.
    const containers = Array.from({ length: DEFAULT_WORKER_CONCURRENCY }, () => {
      const logger = silentLogger();
      const deps: SyncWorkerDependencies = buildSyncWorkerServices(parseSyncWorkerConfig(env), {
        dynamo: dynamo.client,
        sqs: sqs.client,
        logger,
        env,
        metrics: new Metrics({ namespace: 'IcsGoogleSyncBench', serviceName: 'bench' }),
        // Production pacing, retry and budget windows, their minute scaled like the emulator's.
        engine: {
          pacing: { ...DEFAULT_PACING, windowMs: DEFAULT_PACING.windowMs / TIME_SCALE },
          retry: {
            ...DEFAULT_RETRY,
            baseDelayMs: DEFAULT_RETRY.baseDelayMs / TIME_SCALE,
            maxDelayMs: DEFAULT_RETRY.maxDelayMs / TIME_SCALE,
          },
        },
        projectQuotaWindows: { minuteMs: SCALED_MINUTE_MS },
      });
      const calendarFor = deps.calendarFor.bind(deps);
      deps.calendarFor = (accessToken, tokenRefused) =>
        counting(calendarFor(accessToken, tokenRefused), answers);
      return { deps, handler: createSyncWorkerHandler(() => deps, logger) };
    });

    const ids = await connectSubscribers(google, dynamo, {
      clientId: client.clientId,
      count: SUBSCRIBERS,
      cipherKey: CIPHER_KEY,
    });
    google.control.resetCounters();
    const requestedAt = new Date().toISOString();
    await containers[0]?.deps.syncQueue.enqueue(
      ids.map((subscriberId): SyncRequest => ({ subscriberId, reason: 'connected', requestedAt })),
    );
    const started = Date.now();
    const stopAt = started + (WARM_UP_MINUTES + BUSY_MINUTES) * SCALED_MINUTE_MS;
    const failures = { count: 0 };
    const running = containers.map(({ handler }) =>
      invocations(sqs.client, queueUrl, handler, stopAt, failures),
    );
    // The emulator's count of admitted units at the start and the end of the busy minutes.
    await sleep(started + WARM_UP_MINUTES * SCALED_MINUTE_MS - Date.now());
    const unitsBefore = google.control.counters().units;
    await sleep(stopAt - Date.now());
    const unitsAfter = google.control.counters().units;
    await Promise.all(running);

    const projectUnitsPerMinute = (unitsAfter - unitsBefore) / BUSY_MINUTES;
    const usage = containers.map(({ deps }) => (deps.projectBudget as DynamoProjectQuotaBudget).usage);
    const reserved = usage.reduce((sum, u) => sum + u.reserved, 0);
    const lost = usage.reduce((sum, u) => sum + u.lost, 0);
    return {
      project_units_per_minute: Math.round(projectUnitsPerMinute),
      quota_per_minute: PROJECT_QUOTA_PER_MINUTE,
      share: round(projectUnitsPerMinute / PROJECT_QUOTA_PER_MINUTE),
      quota_errors: answers.project,
      user_quota_errors: answers.user,
      units_lost_share: round(reserved > 0 ? lost / reserved : 0),
      subscribers: SUBSCRIBERS,
      events_per_feed: EVENTS_PER_FEED,
      invocations_at_once: DEFAULT_WORKER_CONCURRENCY,
      subscribers_per_invocation: DEFAULT_SYNC_PARALLEL_SUBSCRIBERS,
      busy_minutes: BUSY_MINUTES,
      message_failures: failures.count,
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

const benchmarks: Benchmark[] = [{ name: 'quota_backlog', run: quotaBacklog }];
export default benchmarks;
