/**
 * What each operation costs, counted on the real parts (dynalite, fauxqs, the Google emulator, a feed server and
 * the envelope cipher over moto's KMS), and the monthly cost the model (tools/capacity/) makes of it.
 *
 * - DynamoDB units: every request asks for `ReturnConsumedCapacity: TOTAL` (dynalite computes it as DynamoDB
 *   documents: 4 KB per read unit, half for eventually consistent reads, 1 KB per write unit); a conditional write
 *   that fails is charged one write unit, as DynamoDB does.
 * - KMS calls and SQS requests: counted in the clients' middleware. Google token calls and quota units: the
 *   emulator's counters. Bytes logged: what the functions write to stdout/stderr (logs and embedded metrics).
 * - Lambda milliseconds: the handler's wall time in this process (Google answers after GOOGLE_LATENCY_MS).
 * - Each phase runs in a fresh container (new services), as at scale a write job rarely finds its subscriber's
 *   access token in the container it lands in.
 *
 * The unchanged check is measured by bench/suites/check.ts (the `unchanged_check` benchmark's function).
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { SCOPES, startGoogleEmulator } from '../../emulator/google/index.ts';
import { buildOAuthServices } from '../../lambdas/oauth/compose.ts';
import { parseOAuthConfig } from '../../lambdas/oauth/config.ts';
import { createOAuthHandler, SYNC_NOW_PATH } from '../../lambdas/oauth/router.ts';
import { STATUS_PATH } from '../../lambdas/oauth/rules/paths.ts';
import { buildSchedulerServices } from '../../lambdas/scheduler/compose.ts';
import { parseSchedulerConfig } from '../../lambdas/scheduler/config.ts';
import { createEnqueueHandler } from '../../lambdas/scheduler/handlers.ts';
import { createCipher } from '../../lambdas/shared/adapters/crypto/create-cipher.ts';
import { DynamoConnectionStore } from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoDataKeyStore } from '../../lambdas/shared/adapters/dynamodb/data-key-store.ts';
import type { SyncReason } from '../../lambdas/shared/ports/sync-queue.ts';
import { buildSyncWorkerServices } from '../../lambdas/sync/compose.ts';
import { parseSyncWorkerConfig } from '../../lambdas/sync/config.ts';
import { createSyncWorkerHandler } from '../../lambdas/sync/worker/handler.ts';
import { lambdaContext, restEvent } from '../../test/support/api-gateway.ts';
import { startDynamo } from '../../test/support/dynalite.ts';
import { startSqs } from '../../test/support/fauxqs.ts';
import { FeedServer } from '../../test/support/feed-server.ts';
import { motoKmsKey } from '../../test/support/moto.ts';
import { sqsEventOf } from '../../test/support/sqs-event.ts';
import { ASSUMPTIONS } from '../../tools/capacity/assumptions.ts';
import { costAt, type Measurements, type OperationCounts, SCALES } from '../../tools/capacity/cost-model.ts';
import { PRICES } from '../../tools/capacity/prices.ts';
import { motoAvailability, startMotoServer } from '../../tools/moto-server.ts';
import type { Benchmark } from '../benchmark.ts';
import { measureUnchangedChecks } from './check.ts';

/** Subscribers per phase: enough to spread a container's one-off costs (data keys) as a busy container would. */
const SUBSCRIBERS = 40;
/** Events in each feed, and events a change edits. */
const EVENTS_PER_FEED = ASSUMPTIONS.eventsPerFeed;
const EVENTS_EDITED_PER_CHANGE = 2;
/** Google's answers take about this long (Lambda bills the wait). */
const GOOGLE_LATENCY_MS = 50;
/** The functions' memory (lib/stacks/ics-google-sync-stack.ts: the worker 1,024 MB, the others 512 MB). */
const WORKER_MEMORY_MB = 1024;
const API_MEMORY_MB = 512;
const HOST_KEY = Buffer.alloc(32, 5);
/** Counts of one phase, before dividing by the operations it did. */
class Meter {
  readUnits = 0;
  writeUnits = 0;
  kmsCalls = 0;
  sqsRequests = 0;
  bytesLogged = 0;
  lambdaMs = 0;
  invocations = 0;
  reset(): void {
    Object.assign(this, {
      readUnits: 0,
      writeUnits: 0,
      kmsCalls: 0,
      sqsRequests: 0,
      bytesLogged: 0,
      lambdaMs: 0,
      invocations: 0,
    });
  }
}

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const CAPACITY_COMMANDS = new Set([
  ...READ_COMMANDS,
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
]);

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
const unitsOf = (consumed: Capacity): number =>
  (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
    (sum, c) => sum + (c.CapacityUnits ?? 0),
    0,
  );

function countDynamo(client: DynamoDBClient, meter: Meter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName as string;
      const input = args.input as Record<string, unknown>;
      if (CAPACITY_COMMANDS.has(command)) input.ReturnConsumedCapacity = 'TOTAL';
      const isRead = READ_COMMANDS.has(command);
      try {
        const result = await next(args);
        const units = unitsOf((result.output as { ConsumedCapacity?: Capacity }).ConsumedCapacity);
        if (isRead) meter.readUnits += units;
        else meter.writeUnits += units;
        return result;
      } catch (error) {
        // DynamoDB charges a failed conditional write; dynalite reports nothing for it.
        if ((error as Error).name === 'ConditionalCheckFailedException') meter.writeUnits += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
}

function countRequests(client: SQSClient | KMSClient, onRequest: () => void): void {
  (client as SQSClient).middlewareStack.add(
    (next) => async (args) => {
      onRequest();
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
}

/** Counts (and swallows) what the functions write to stdout and stderr while `work` runs. */
async function capturingOutput<T>(meter: Meter, work: () => Promise<T>): Promise<T> {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      meter.bytesLogged += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      return true;
    }) as typeof stream.write;
  }
  try {
    return await work();
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  }
}

async function timedInvocation<T>(meter: Meter, work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    return await capturingOutput(meter, work);
  } finally {
    meter.lambdaMs += Number(process.hrtime.bigint() - started) / 1e6;
    meter.invocations += 1;
  }
}

function feedText(events: number, edited: number, version: number): string {
  // Tomorrow at midnight UTC: the same instants in every version, so only the edited events differ.
  const day = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000);
  const stamp = (date: Date) => `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  const blocks = Array.from({ length: events }, (_, i) => {
    const begins = new Date(day.getTime() + i * 5 * 3_600_000);
    return [
      'BEGIN:VEVENT',
      `UID:cost-${i}@bench.example.com`,
      `DTSTAMP:${stamp(day)}`,
      `DTSTART:${stamp(begins)}`,
      `DTEND:${stamp(new Date(begins.getTime() + 3_600_000))}`,
      `SUMMARY:Event ${i}${i < edited ? ` (version ${version})` : ''}`,
      'END:VEVENT',
    ].join('\r\n');
  });
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//bench//EN', ...blocks, 'END:VCALENDAR', ''].join(
    '\r\n',
  );
}

const quiet = () => new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
/** The functions' own logger, at the level they run with in AWS (INFO), so their bytes are counted. */
const production = () => new Logger({ serviceName: 'ics-google-sync', logLevel: 'INFO' });
const metrics = () => new Metrics({ namespace: 'IcsGoogleSync', serviceName: 'ics-google-sync' });

/** Per-operation counts of the write path and the API, measured. */
interface WritePathCounts {
  connect: OperationCounts;
  changedWrite: OperationCounts;
  dailyWrite: OperationCounts;
  statusRequest: OperationCounts;
  syncNowRequest: OperationCounts;
  tick: OperationCounts;
  subscribers: number;
  googleLatencyMs: number;
  eventsEditedPerChange: number;
}

async function measureWritePath(): Promise<WritePathCounts> {
  const availability = motoAvailability();
  if (!availability.available) throw new Error(`cost_model needs KMS: ${availability.reason}`);
  const meter = new Meter();
  const feeds = new FeedServer();
  const [moto, dynamo, sqs, google] = await Promise.all([
    startMotoServer(),
    startDynamo(),
    startSqs(),
    startGoogleEmulator({ latencyMs: GOOGLE_LATENCY_MS }),
    feeds.start(),
  ]);
  try {
    countDynamo(dynamo.client, meter);
    countRequests(sqs.client, () => meter.sqsRequests++);
    const kmsConfig = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
    const admin = new KMSClient(kmsConfig);
    const keyId = await motoKmsKey(admin);
    const kms = new KMSClient(kmsConfig);
    countRequests(kms, () => meter.kmsCalls++);
    const client = google.control.registerClient({ redirectUris: ['https://api.example.test/cb'] });
    const [syncQueueUrl, sweepQueueUrl] = await Promise.all([
      sqs.createQueue('cost-sync'),
      sqs.createQueue('cost-sweep'),
    ]);
    const t = dynamo.tableNames;
    const env: Record<string, string> = {
      CONNECTIONS_TABLE: t.connections,
      SYNC_STATE_TABLE: t.syncState,
      EVENT_MAP_TABLE: t.eventMap,
      OAUTH_STATES_TABLE: t.oauthStates,
      RATE_LIMITS_TABLE: t.rateLimits,
      HOST_NONCES_TABLE: t.hostNonces,
      DATA_KEYS_TABLE: t.dataKeys,
      KMS_KEY_ID: keyId,
      FEED_URL_TEMPLATE: `${feeds.url}/ics/{token}.ics`,
      OAUTH_REDIRECT_URI: 'https://api.example.test/cb',
      RETURN_TO_ALLOWLIST: 'https://app.example.test/',
      DEFAULT_RETURN_TO: 'https://app.example.test/',
      GOOGLE_API_BASE_URL: google.baseUrl,
      GOOGLE_CLIENT_ID: client.clientId,
      GOOGLE_CLIENT_SECRET: client.clientSecret,
      SUBSCRIBER_ID_SECRET: 'bench-subscriber-id-secret-of-enough-length',
      HOST_KEYS: `bench:${HOST_KEY.toString('base64')}`,
      SYNC_QUEUE_URL: syncQueueUrl,
      SWEEP_QUEUE_URL: sweepQueueUrl,
      SYNC_CONTINUE_DELAY_SECONDS: '0',
      SYNC_BUSY_RETRY_SECONDS: '0',
    };
    const aws = { dynamo: dynamo.client, sqs: sqs.client, kms, env };
    const oauthContainer = () => {
      const services = buildOAuthServices(parseOAuthConfig(env), { ...aws, logger: production() });
      return { services, handler: createOAuthHandler(() => services, services.logger) };
    };
    const workerContainer = () => {
      const logger = production();
      const services = buildSyncWorkerServices(parseSyncWorkerConfig(env), {
        ...aws,
        logger,
        metrics: metrics(),
      });
      return { services, handler: createSyncWorkerHandler(() => services, logger) };
    };

    // Subscribers connected as the OAuth flow leaves them, their tokens sealed by the envelope cipher (not counted).
    const setup = oauthContainer().services;
    const sealer = createCipher(
      { kind: 'kms', keyId, dataKeys: t.dataKeys },
      () => admin,
      new DynamoDataKeyStore(dynamo.client, t.dataKeys),
    );
    const store = new DynamoConnectionStore(dynamo.client, t.connections);
    const subscribers: { id: string; feedToken: string }[] = [];
    for (let n = 0; n < SUBSCRIBERS; n++) {
      const feedToken = `cost-feed-token-${n}`;
      const email = `cost-${n}@bench.example.com`;
      google.control.createUser({ email });
      const tokens = google.control.mintTokens({
        user: email,
        clientId: client.clientId,
        scopes: [SCOPES.appCreated],
        offline: true,
      });
      const calendar = google.control.seedCalendar({
        user: email,
        summary: 'ICS',
        clientId: client.clientId,
      });
      feeds.feeds.set(feedToken, feedText(EVENTS_PER_FEED, EVENTS_EDITED_PER_CHANGE, 0));
      const id = await setup.identity.subscriberIdFor(feedToken);
      const now = new Date().toISOString();
      await store.save(
        {
          subscriberId: id,
          status: 'connected',
          calendarId: calendar.id,
          refreshTokenCiphertext: await sealer.encrypt(tokens.refresh_token as string, {
            subscriberId: id,
            purpose: 'google_refresh_token',
          }),
          feedTokenCiphertext: await sealer.encrypt(feedToken, { subscriberId: id, purpose: 'feed_token' }),
          feedLookupKey: await setup.identity.feedLookupKey(sha256Hex(feedToken)),
          eventIdSalt: `salt-${n}`,
          grantedScopes: SCOPES.appCreated,
          connectedAt: now,
          updatedAt: now,
          scheduled: true,
        },
        undefined,
      );
      subscribers.push({ id, feedToken });
    }

    /** One phase of write jobs: enqueued, received in batches of 10 by a fresh container, deleted. */
    const writeJobs = async (reason: SyncReason): Promise<OperationCounts> => {
      const worker = workerContainer();
      google.control.resetCounters();
      meter.reset();
      const requestedAt = new Date().toISOString();
      await worker.services.syncQueue.enqueue(
        subscribers.map(({ id }) => ({ subscriberId: id, reason, requestedAt })),
      );
      for (;;) {
        const { Messages = [] } = await sqs.client.send(
          new ReceiveMessageCommand({
            QueueUrl: syncQueueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 900,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        if (Messages.length === 0) break;
        const { batchItemFailures } = await timedInvocation(meter, () =>
          worker.handler(sqsEventOf(Messages, 'cost-sync'), lambdaContext('sync-worker', 300_000)),
        );
        if (batchItemFailures.length > 0) throw new Error(`${reason}: ${batchItemFailures.length} failed`);
        await sqs.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: syncQueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
      }
      return perOperation(meter, google.control.counters(), subscribers.length, WORKER_MEMORY_MB, 0);
    };

    const connect = await writeJobs('connected');
    for (const { feedToken } of subscribers)
      feeds.feeds.set(feedToken, feedText(EVENTS_PER_FEED, EVENTS_EDITED_PER_CHANGE, 1));
    const changedWrite = await writeJobs('notified');
    // "Sync now" on an unchanged feed: the audit and the token check of the daily write job.
    const dailyWrite = await writeJobs('manual');

    const apiRequests = async (
      method: 'GET' | 'POST',
      path: string,
      expected: number,
    ): Promise<OperationCounts> => {
      const api = oauthContainer();
      google.control.resetCounters();
      meter.reset();
      for (const { feedToken } of subscribers) {
        const response: APIGatewayProxyResult = await timedInvocation(meter, () =>
          api.handler(
            restEvent({ method, path, headers: { Authorization: `Bearer ${feedToken}` } }),
            lambdaContext('oauth'),
          ),
        );
        if (response.statusCode !== expected) {
          throw new Error(`${method} ${path} answered ${response.statusCode}: ${response.body}`);
        }
      }
      return perOperation(meter, google.control.counters(), subscribers.length, API_MEMORY_MB, 1);
    };
    const statusRequest = await apiRequests('GET', STATUS_PATH, 200);
    const syncNowRequest = await apiRequests('POST', SYNC_NOW_PATH, 202);

    // One tick of the schedule over these subscribers.
    const scheduler = buildSchedulerServices(parseSchedulerConfig(env), {
      dynamo: dynamo.client,
      sqs: sqs.client,
      logger: production(),
    });
    const tickHandler = createEnqueueHandler(() => scheduler, quiet());
    meter.reset();
    await timedInvocation(meter, () => tickHandler());
    const tick = perOperation(meter, google.control.counters(), 1, API_MEMORY_MB, 0);
    admin.destroy();
    kms.destroy();
    return {
      connect,
      changedWrite,
      dailyWrite,
      statusRequest,
      syncNowRequest,
      tick,
      subscribers: SUBSCRIBERS,
      googleLatencyMs: GOOGLE_LATENCY_MS,
      eventsEditedPerChange: EVENTS_EDITED_PER_CHANGE,
    };
  } finally {
    await Promise.all([dynamo.close(), sqs.close(), google.close(), feeds.close()]);
    await moto.stop();
  }
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

function perOperation(
  meter: Meter,
  counters: { units: number; byMethod: Record<string, number> },
  operations: number,
  memoryMb: number,
  apiRequests: number,
): OperationCounts {
  return {
    dynamodbReadUnits: round(meter.readUnits / operations),
    dynamodbWriteUnits: round(meter.writeUnits / operations),
    kmsCalls: round(meter.kmsCalls / operations),
    googleTokenCalls: round((counters.byMethod['oauth2.token'] ?? 0) / operations),
    googleUnits: round(counters.units / operations),
    lambdaMs: round(meter.lambdaMs / operations, 2),
    lambdaMemoryMb: memoryMb,
    lambdaInvocations: round(meter.invocations / operations),
    sqsRequests: round(meter.sqsRequests / operations),
    bytesLogged: Math.round(meter.bytesLogged / operations),
    apiRequests,
  };
}

/** The check's memory (its function in the stack). */
const CHECK_MEMORY_MB = 1024;
/** Unchanged checks measured (the `unchanged_check` benchmark's number). */
const CHECKS = 10_000;

/** Everything the model needs, measured; `sources` says where each operation's counts come from. */
interface CapacityMeasurements {
  operations: Measurements;
  sources: Record<keyof Measurements, string>;
  sample: {
    writeSubscribers: number;
    checks: number;
    googleLatencyMs: number;
    eventsEditedPerChange: number;
  };
}

export async function measureAll(): Promise<CapacityMeasurements> {
  const check = await measureUnchangedChecks(CHECKS);
  const write = await measureWritePath();
  // The sweeps' own reads, writes (sweptAt), log lines and sends are in the per-check figures (spread over ~39
  // subscribers a shard here, ~3,900 at 1,000,000: an overstatement there).
  const unchangedCheck: OperationCounts = {
    dynamodbReadUnits: check.dynamodb_rru_per_check,
    dynamodbWriteUnits: check.dynamodb_wru_per_check,
    kmsCalls: check.kms_calls_per_check,
    googleTokenCalls: check.google_token_calls_per_check,
    googleUnits: check.google_units_per_check,
    lambdaMs: check.lambda_ms_per_check,
    lambdaMemoryMb: CHECK_MEMORY_MB,
    lambdaInvocations: 0,
    sqsRequests: check.sqs_requests_per_check,
    bytesLogged: check.log_bytes_per_check,
    apiRequests: 0,
  };
  // What a sweep message costs besides: its send (the tick's or a continuation's), Lambda's receive and delete,
  // and the invocation.
  const sweep: OperationCounts = {
    ...unchangedCheck,
    dynamodbReadUnits: 0,
    dynamodbWriteUnits: 0,
    kmsCalls: 0,
    googleTokenCalls: 0,
    googleUnits: 0,
    lambdaMs: 0,
    lambdaInvocations: 1,
    sqsRequests: 3,
    bytesLogged: 0,
  };
  const measured = 'measured';
  return {
    operations: {
      unchangedCheck,
      changedWrite: write.changedWrite,
      dailyWrite: write.dailyWrite,
      sweep,
      tick: write.tick,
      statusRequest: write.statusRequest,
      syncNowRequest: write.syncNowRequest,
      connect: { ...write.connect, apiRequests: 3 },
    },
    sources: {
      unchangedCheck: `measured (${number(check.checks)} checks, each shard swept once)`,
      changedWrite: measured,
      dailyWrite: `${measured} ("sync now" of an unchanged feed: the audit and the token check)`,
      sweep: "the message's send, receive and delete, one invocation (the rest is in the checks)",
      tick: measured,
      statusRequest: measured,
      syncNowRequest: measured,
      connect: `${measured} (the first sync; the OAuth flow's 3 requests added)`,
    },
    sample: {
      writeSubscribers: write.subscribers,
      checks: check.checks,
      googleLatencyMs: write.googleLatencyMs,
      eventsEditedPerChange: write.eventsEditedPerChange,
    },
  };
}

const number = (value: number) => value.toLocaleString('en-US');

/** The model's figures for what was measured: the cost per subscriber-month at each scale. */
export function costFigures(operations: Measurements): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const { label, subscribers } of SCALES) {
    const cost = costAt(subscribers, operations, ASSUMPTIONS, PRICES);
    figures[`usd_per_subscriber_month_${label}`] = round(cost.usdPerSubscriberMonth, 5);
    if (label === '100k') figures.kms_share_100k = round(cost.kmsShare, 4);
  }
  return figures;
}

export default [
  { name: 'cost_model', run: async () => costFigures((await measureAll()).operations) },
] satisfies Benchmark[];
