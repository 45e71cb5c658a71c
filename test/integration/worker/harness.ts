/**
 * The sync worker wired from its configuration to real parts: dynalite, fauxqs (with a dead-letter queue), the
 * Google emulator over HTTP, the local cipher and an HTTP feed server. The test plays the SQS event source:
 * it receives messages, hands them to the handler as a batch and deletes the ones the handler did not report.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { type GoogleEmulator, SCOPES, startGoogleEmulator } from '../../../emulator/google/index.ts';
import { buildCheckServices } from '../../../lambdas/check/compose.ts';
import { parseCheckConfig } from '../../../lambdas/check/config.ts';
import { createCheckHandler } from '../../../lambdas/check/handler.ts';
import { buildSchedulerServices } from '../../../lambdas/scheduler/compose.ts';
import { parseSchedulerConfig } from '../../../lambdas/scheduler/config.ts';
import { createEnqueueHandler } from '../../../lambdas/scheduler/handlers.ts';
import { LocalAesGcmCipher } from '../../../lambdas/shared/adapters/crypto/local-cipher.ts';
import { DynamoConnectionStore } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import type { SyncRequest } from '../../../lambdas/shared/ports/sync-queue.ts';
import { buildSyncWorkerServices } from '../../../lambdas/sync/compose.ts';
import { parseSyncWorkerConfig } from '../../../lambdas/sync/config.ts';
import type { SyncWorkerDependencies } from '../../../lambdas/sync/dependencies.ts';
import { createSyncWorkerHandler } from '../../../lambdas/sync/worker/handler.ts';
import { lambdaContext } from '../../support/api-gateway.ts';
import { CLOCK_START, ManualClock } from '../../support/clock.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { captureEmf } from '../../support/emf.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';
import { FeedServer } from '../../support/feed-server.ts';
import { sqsEventOf } from '../../support/sqs-event.ts';

const CIPHER_KEY = Buffer.alloc(32, 9).toString('base64');
export const TIME_MARGIN_MS = 5_000;

/**
 * A feed of `count` single timed events in the weeks after `from` (the harness clock's start by default),
 * UIDs `<prefix>-<n>`.
 */
export function feedOf(
  count: number,
  options: { prefix?: string; summary?: string; from?: Date } = {},
): string {
  const start = new Date(options.from ?? CLOCK_START);
  start.setUTCHours(0, 0, 0, 0);
  const stamp = (date: Date) => `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  const events = Array.from({ length: count }, (_, i) => {
    const begins = new Date(start.getTime() + (i + 1) * 3_600_000 * 5);
    return [
      'BEGIN:VEVENT',
      `UID:${options.prefix ?? 'event'}-${i}`,
      `DTSTAMP:${stamp(start)}`,
      `DTSTART:${stamp(begins)}`,
      `DTEND:${stamp(new Date(begins.getTime() + 3_600_000))}`,
      `SUMMARY:${options.summary ?? 'Event'} ${i}`,
      'END:VEVENT',
    ].join('\r\n');
  });
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...events, 'END:VCALENDAR', ''].join(
    '\r\n',
  );
}

export interface TestSubscriber {
  id: string;
  email: string;
  calendarId: string;
  feedToken: string;
}

export class WorkerHarness {
  dynamo!: TestDynamo;
  sqs!: TestSqs;
  google!: GoogleEmulator;
  readonly feeds = new FeedServer();
  readonly clock = new ManualClock();
  queueUrl = '';
  deadLetterQueueUrl = '';
  deps!: SyncWorkerDependencies;
  handler!: ReturnType<typeof createSyncWorkerHandler>;
  connections!: DynamoConnectionStore;
  syncState!: DynamoSyncStateStore;
  /** The EMF lines Powertools Metrics wrote (kept off the test output). */
  readonly emf: Record<string, unknown>[] = [];
  private restoreStdout: () => void = () => undefined;
  private clientId = '';
  private readonly cipher = new LocalAesGcmCipher(CIPHER_KEY);
  private env: Record<string, string> = {};

  /** `env`: worker variables beyond (or instead of) the harness's own. */
  async open(env: Record<string, string> = {}): Promise<this> {
    this.restoreStdout = captureEmf(this.emf);
    [this.dynamo, this.sqs, this.google] = await Promise.all([
      startDynamo(),
      startSqs(),
      startGoogleEmulator({ now: () => this.clock.now() }),
      this.feeds.start(),
    ]);
    const client = this.google.control.registerClient({
      redirectUris: ['https://api.example.test/callback'],
    });
    this.clientId = client.clientId;
    this.deadLetterQueueUrl = await this.sqs.createQueue('sync-dlq');
    const { Attributes } = await this.sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
    );
    this.queueUrl = await this.sqs.createQueue('sync', {
      attributes: {
        // A failed message is visible again at once, so the test need not wait out a timeout.
        VisibilityTimeout: '0',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 3 }),
      },
    });
    this.env = {
      CONNECTIONS_TABLE: this.dynamo.tableNames.connections,
      SYNC_STATE_TABLE: this.dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: this.dynamo.tableNames.eventMap,
      DATA_KEYS_TABLE: this.dynamo.tableNames.dataKeys,
      FEED_URL_TEMPLATE: `${this.feeds.url}/ics/{token}.ics`,
      CALENDAR_TIME_ZONE: 'Europe/Berlin',
      GOOGLE_API_BASE_URL: this.google.baseUrl,
      GOOGLE_CLIENT_ID: client.clientId,
      GOOGLE_CLIENT_SECRET: client.clientSecret,
      LOCAL_CIPHER_KEY: CIPHER_KEY,
      SYNC_QUEUE_URL: this.queueUrl,
      SYNC_TIME_MARGIN_SECONDS: String(TIME_MARGIN_MS / 1000),
      SYNC_CONTINUE_DELAY_SECONDS: '0',
      SYNC_BUSY_RETRY_SECONDS: '0',
      ...env,
    };
    const logger = new Logger({ serviceName: 'sync-worker-test', logLevel: 'SILENT' });
    this.deps = buildSyncWorkerServices(parseSyncWorkerConfig(this.env), {
      dynamo: this.dynamo.client,
      sqs: this.sqs.client,
      logger,
      env: this.env,
      clock: this.clock,
      metrics: new Metrics({ namespace: 'IcsGoogleSyncTest', serviceName: 'sync-worker-test' }),
    });
    this.handler = createSyncWorkerHandler(() => this.deps, logger);
    this.connections = new DynamoConnectionStore(this.dynamo.client, this.dynamo.tableNames.connections);
    this.syncState = new DynamoSyncStateStore(this.dynamo.client, this.dynamo.tableNames.syncState);
    return this;
  }

  async close(): Promise<void> {
    this.restoreStdout();
    await Promise.all([this.dynamo.close(), this.sqs.close(), this.google.close(), this.feeds.close()]);
  }

  /** A subscriber connected as the OAuth flow leaves one: tokens encrypted, a dedicated calendar, scheduled. */
  async connect(feed: string): Promise<TestSubscriber> {
    const id = `sub-${randomUUID()}`;
    const email = `${id}@example.com`;
    const feedToken = `feed-${randomUUID()}`;
    this.google.control.createUser({ email });
    const tokens = this.google.control.mintTokens({
      user: email,
      clientId: this.clientId,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    const calendar = this.google.control.seedCalendar({
      user: email,
      summary: 'ICS',
      clientId: this.clientId,
    });
    this.feeds.feeds.set(feedToken, feed);
    const now = this.clock.date().toISOString();
    await this.connections.save(
      {
        subscriberId: id,
        status: 'connected',
        calendarId: calendar.id,
        refreshTokenCiphertext: await this.cipher.encrypt(tokens.refresh_token as string, {
          subscriberId: id,
          purpose: 'google_refresh_token',
        }),
        feedTokenCiphertext: await this.cipher.encrypt(feedToken, {
          subscriberId: id,
          purpose: 'feed_token',
        }),
        eventIdSalt: `salt-${id}`,
        grantedScopes: SCOPES.appCreated,
        // The flow records the account (a keyed hash of its id): one Google account per test subscriber.
        googleAccountKey: createHash('sha256').update(email).digest('hex'),
        connectedAt: now,
        updatedAt: now,
        scheduled: true,
      },
      undefined,
    );
    return { id, email, calendarId: calendar.id, feedToken };
  }

  /** The summaries of the live events in the subscriber's calendar, sorted. */
  summariesInGoogle(subscriber: TestSubscriber): string[] {
    const calendar = this.google.control.state().calendars.find((c) => c.id === subscriber.calendarId);
    return ((calendar?.events ?? []) as { status?: string; summary?: string }[])
      .filter((event) => event.status !== 'cancelled')
      .map((event) => event.summary ?? '')
      .sort();
  }

  googleCalls(subscriber: TestSubscriber): number {
    return this.google.control.counters().byUser[subscriber.email]?.total ?? 0;
  }

  /**
   * The scheduler's tick against the same tables, then every sweep it sent handled by the check at once (their
   * slots in the interval not waited for): what the checks found to write lands on the sync queue. Returns how
   * many write jobs that was.
   */
  async tick(): Promise<{ enqueued: number }> {
    const env = { ...this.env, SWEEP_QUEUE_URL: await this.sqs.createQueue('sweeps') };
    const logger = new Logger({ logLevel: 'SILENT' });
    const overrides = { dynamo: this.dynamo.client, sqs: this.sqs.client, clock: this.clock, logger };
    const scheduler = buildSchedulerServices(parseSchedulerConfig(env), overrides);
    await createEnqueueHandler(() => scheduler, logger)();
    const check = buildCheckServices(parseCheckConfig(env), {
      ...overrides,
      metrics: new Metrics({ namespace: 'IcsGoogleSyncTest', serviceName: 'check-test' }),
    });
    const handleSweep = createCheckHandler(() => check, logger);
    const before = (await this.sqs.inspect(this.queueUrl)).length;
    const sweeps = await this.sqs.inspect(env.SWEEP_QUEUE_URL);
    for (const [index, sweep] of sweeps.entries()) {
      const response = await handleSweep(
        sqsEventOf([{ MessageId: `sweep-${index}`, Body: sweep.body, Attributes: {} }]),
        // The stack's timeout for the check (its time margin is kept free of it).
        lambdaContext('check', 120_000),
      );
      if (response.batchItemFailures.length > 0) throw new Error(`the sweep ${sweep.body} failed`);
    }
    return { enqueued: (await this.sqs.inspect(this.queueUrl)).length - before };
  }

  /** A sync request as the API, the scheduler or a notification makes it, stamped with the harness clock. */
  syncRequest(subscriberId: string, reason: SyncRequest['reason'] = 'manual'): SyncRequest {
    return { subscriberId, reason, requestedAt: this.clock.date().toISOString() };
  }

  async send(...requests: SyncRequest[]): Promise<void> {
    await this.deps.syncQueue.enqueue(requests);
  }

  /** Raw bodies, as a broken producer would send them. */
  async sendRaw(body: string): Promise<void> {
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await this.sqs.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
  }

  /**
   * One invocation as the event source mapping makes it: up to 10 visible messages, the handler with
   * `remainingMs` left, then the messages it did not report deleted. Returns the response (undefined: queue empty).
   */
  async deliverOnce(remainingMs = 600_000): Promise<SQSBatchResponse | undefined> {
    const { Messages = [] } = await this.sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    if (Messages.length === 0) return undefined;
    const response = await this.invoke(Messages, remainingMs);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = Messages.filter((m) => !failed.has(m.MessageId as string));
    if (done.length > 0) {
      await this.sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
    return response;
  }

  /** Delivers until the queue is empty (at most `maxInvocations`); returns the number of invocations. */
  async deliverAll(remainingMs = 600_000, maxInvocations = 50): Promise<number> {
    for (let invocations = 0; invocations < maxInvocations; invocations++) {
      if (!(await this.deliverOnce(remainingMs))) return invocations;
    }
    throw new Error(`the queue was not empty after ${maxInvocations} invocations`);
  }

  invoke(messages: Message[], remainingMs = 600_000): Promise<SQSBatchResponse> {
    return this.handler(sqsEventOf(messages), lambdaContext('sync-worker', remainingMs));
  }
}
