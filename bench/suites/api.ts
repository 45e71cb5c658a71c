/**
 * "Sync now" and change notifications end to end: the API handler (as API Gateway invokes it) -> fauxqs -> a
 * worker that long-polls fauxqs and calls the sync worker's handler with an SQS event (as the local run does)
 * -> the Google emulator (20 ms per call). The figure is the time from the request to the edited event being
 * in the calendar, over 20 requests, each for its own subscriber whose calendar was synced before.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type GoogleEmulator, SCOPES, startGoogleEmulator } from '../../emulator/google/index.ts';
import { buildNotifyServices } from '../../lambdas/notify/compose.ts';
import { parseNotifyConfig } from '../../lambdas/notify/config.ts';
import { createNotifyHandler } from '../../lambdas/notify/router.ts';
import { NOTIFY_PATH } from '../../lambdas/notify/use-cases/notify-changes.ts';
import { buildOAuthServices } from '../../lambdas/oauth/compose.ts';
import { parseOAuthConfig } from '../../lambdas/oauth/config.ts';
import { createOAuthHandler, SYNC_NOW_PATH } from '../../lambdas/oauth/router.ts';
import { LocalAesGcmCipher } from '../../lambdas/shared/adapters/crypto/local-cipher.ts';
import { hostSignatureHeaders } from '../../lambdas/shared/adapters/http/host-signature.ts';
import { buildSyncWorkerServices } from '../../lambdas/sync/compose.ts';
import { parseSyncWorkerConfig } from '../../lambdas/sync/config.ts';
import { createSyncWorkerHandler } from '../../lambdas/sync/worker/handler.ts';
import { lambdaContext, restEvent } from '../../test/support/api-gateway.ts';
import { startDynamo, type TestDynamo } from '../../test/support/dynalite.ts';
import { startSqs, type TestSqs } from '../../test/support/fauxqs.ts';
import { FeedServer } from '../../test/support/feed-server.ts';
import { sqsEventOf } from '../../test/support/sqs-event.ts';
import type { Benchmark } from '../benchmark.ts';

const SAMPLES = 20;
const LATENCY_MS = 20;
const HOST_KEY = Buffer.alloc(32, 5);
const CIPHER_KEY = Buffer.alloc(32, 3).toString('base64');

function feedText(summary: string): string {
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const events = [0, 1, 2, 3, 4].map((i) =>
    [
      'BEGIN:VEVENT',
      `UID:bench-${i}`,
      `DTSTAMP:${day}T000000Z`,
      `DTSTART:${day}T${String(8 + i).padStart(2, '0')}0000Z`,
      `DTEND:${day}T${String(8 + i).padStart(2, '0')}3000Z`,
      `SUMMARY:${i === 0 ? summary : `Event ${i}`}`,
      'END:VEVENT',
    ].join('\r\n'),
  );
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//bench//EN', ...events, 'END:VCALENDAR', ''].join(
    '\r\n',
  );
}

interface Subscriber {
  feedToken: string;
  calendarId: string;
}

/** Everything running: the API functions, the queue, a polling worker, Google. */
class Stack {
  dynamo!: TestDynamo;
  sqs!: TestSqs;
  google!: GoogleEmulator;
  feeds = new FeedServer();
  queueUrl = '';
  syncNow!: ReturnType<typeof createOAuthHandler>;
  notify!: ReturnType<typeof createNotifyHandler>;
  private polling = true;
  private poller: Promise<void> | undefined;
  private env: Record<string, string> = {};
  private clientId = '';
  private workerQueue!: ReturnType<typeof buildSyncWorkerServices>['syncQueue'];
  private identity!: ReturnType<typeof buildOAuthServices>['identity'];
  private connections!: ReturnType<typeof buildOAuthServices>['connections'];

  async open(): Promise<void> {
    [this.dynamo, this.sqs, this.google] = await Promise.all([
      startDynamo(),
      startSqs(),
      startGoogleEmulator({ latencyMs: LATENCY_MS }),
      this.feeds.start(),
    ]);
    const client = this.google.control.registerClient({ redirectUris: ['https://api.example.test/cb'] });
    this.clientId = client.clientId;
    this.queueUrl = await this.sqs.createQueue('sync');
    const t = this.dynamo.tableNames;
    this.env = {
      CONNECTIONS_TABLE: t.connections,
      SYNC_STATE_TABLE: t.syncState,
      EVENT_MAP_TABLE: t.eventMap,
      OAUTH_STATES_TABLE: t.oauthStates,
      RATE_LIMITS_TABLE: t.rateLimits,
      HOST_NONCES_TABLE: t.hostNonces,
      // The tokens are sealed under data keys kept in this table (envelope encryption), as in AWS.
      DATA_KEYS_TABLE: t.dataKeys,
      FEED_URL_TEMPLATE: `${this.feeds.url}/ics/{token}.ics`,
      OAUTH_REDIRECT_URI: 'https://api.example.test/cb',
      RETURN_TO_ALLOWLIST: 'https://app.example.test/',
      DEFAULT_RETURN_TO: 'https://app.example.test/',
      GOOGLE_API_BASE_URL: this.google.baseUrl,
      GOOGLE_CLIENT_ID: client.clientId,
      GOOGLE_CLIENT_SECRET: client.clientSecret,
      LOCAL_CIPHER_KEY: CIPHER_KEY,
      SUBSCRIBER_ID_SECRET: 'bench-subscriber-id-secret-of-enough-length',
      HOST_KEYS: `bench:${HOST_KEY.toString('base64')}`,
      SYNC_QUEUE_URL: this.queueUrl,
      RATE_LIMIT_SYNC_PER_IP: '1000',
    };
    const logger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
    const aws = { dynamo: this.dynamo.client, sqs: this.sqs.client, logger, env: this.env };
    const oauth = buildOAuthServices(parseOAuthConfig(this.env), aws);
    this.identity = oauth.identity;
    this.connections = oauth.connections;
    this.syncNow = createOAuthHandler(() => oauth, logger);
    const notify = buildNotifyServices(parseNotifyConfig(this.env), aws);
    this.notify = createNotifyHandler(() => notify, logger);
    const worker = buildSyncWorkerServices(parseSyncWorkerConfig(this.env), {
      ...aws,
      metrics: new Metrics({
        namespace: 'Bench',
        serviceName: 'bench',
        logger: { warn: () => undefined } as never,
      }),
    });
    this.workerQueue = worker.syncQueue;
    const workerHandler = createSyncWorkerHandler(() => worker, logger);
    this.poller = this.poll(workerHandler);
  }

  /** The local run's worker: long-polls the queue, hands each batch to the handler, deletes what it finished. */
  private async poll(handler: ReturnType<typeof createSyncWorkerHandler>): Promise<void> {
    while (this.polling) {
      const { Messages = [] } = await this.sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      if (Messages.length === 0) continue;
      const event = sqsEventOf(Messages);
      const { batchItemFailures } = await handler(event, lambdaContext('sync-worker', 900_000));
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      const done = Messages.filter((m) => !failed.has(m.MessageId as string));
      if (done.length > 0) {
        await this.sqs.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
      }
    }
  }

  /** A subscriber connected as the OAuth flow leaves one, its calendar already synced once. */
  async subscriber(n: number): Promise<Subscriber> {
    const feedToken = `bench-feed-token-${n}-${Date.now().toString(36)}`;
    const email = `bench-${n}@example.com`;
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
    this.feeds.feeds.set(feedToken, feedText('Initial'));
    const subscriberId = await this.identity.subscriberIdFor(feedToken);
    const cipher = new LocalAesGcmCipher(CIPHER_KEY);
    const now = new Date().toISOString();
    await this.connections.save(
      {
        subscriberId,
        status: 'connected',
        calendarId: calendar.id,
        refreshTokenCiphertext: await cipher.encrypt(tokens.refresh_token as string, {
          subscriberId,
          purpose: 'google_refresh_token',
        }),
        feedTokenCiphertext: await cipher.encrypt(feedToken, { subscriberId, purpose: 'feed_token' }),
        feedLookupKey: await this.identity.feedLookupKey(sha256Hex(feedToken)),
        eventIdSalt: `salt-${n}`,
        grantedScopes: SCOPES.appCreated,
        connectedAt: now,
        updatedAt: now,
        scheduled: true,
      },
      undefined,
    );
    const subscriber = { feedToken, calendarId: calendar.id };
    // The first sync, as the connect asks for it (not through "sync now": its rate limit stays the default).
    await this.workerQueue.enqueue([{ subscriberId, reason: 'connected', requestedAt: now }]);
    await this.visible(subscriber, 'Initial');
    return subscriber;
  }

  requestSyncNow(subscriber: Subscriber): Promise<APIGatewayProxyResult> {
    return this.syncNow(
      restEvent({
        method: 'POST',
        path: SYNC_NOW_PATH,
        headers: { Authorization: `Bearer ${subscriber.feedToken}` },
      }),
      lambdaContext(),
    );
  }

  requestNotify(subscriber: Subscriber): Promise<APIGatewayProxyResult> {
    const body = JSON.stringify({ feeds: [sha256Hex(subscriber.feedToken)] });
    const headers = hostSignatureHeaders('bench', HOST_KEY, { method: 'POST', path: NOTIFY_PATH, body });
    return this.notify(
      restEvent({
        method: 'POST',
        path: NOTIFY_PATH,
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      }),
      lambdaContext('notify'),
    );
  }

  /** Waits until the calendar holds an event with this summary. */
  async visible(subscriber: Subscriber, summary: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const calendar = this.google.control.state().calendars.find((c) => c.id === subscriber.calendarId);
      const events = (calendar?.events ?? []) as { summary?: string; status?: string }[];
      if (events.some((e) => e.summary === summary && e.status !== 'cancelled')) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`"${summary}" did not appear within a minute`);
  }

  /** p50 and p95 of request-to-visible over SAMPLES subscribers. */
  async measure(request: (subscriber: Subscriber) => Promise<APIGatewayProxyResult>) {
    const subscribers: Subscriber[] = [];
    for (let n = 0; n < SAMPLES; n++) subscribers.push(await this.subscriber(n));
    const times: number[] = [];
    for (const [n, subscriber] of subscribers.entries()) {
      const summary = `Edited ${n}`;
      this.feeds.feeds.set(subscriber.feedToken, feedText(summary));
      const started = performance.now();
      expectOk(await request(subscriber));
      await this.visible(subscriber, summary);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] as number);
    return { p50_ms: at(0.5), p95_ms: at(0.95), requests: SAMPLES };
  }

  async close(): Promise<void> {
    this.polling = false;
    await this.poller;
    await Promise.all([this.dynamo.close(), this.sqs.close(), this.google.close(), this.feeds.close()]);
  }
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function expectOk(response: APIGatewayProxyResult): void {
  if (response.statusCode !== 202) throw new Error(`answered ${response.statusCode}: ${response.body}`);
}

async function withStack<T>(run: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = new Stack();
  await stack.open();
  try {
    return await run(stack);
  } finally {
    await stack.close();
  }
}

const benchmarks: Benchmark[] = [
  {
    name: 'sync_now_latency',
    run: () => withStack((stack) => stack.measure((s) => stack.requestSyncNow(s))),
  },
  {
    name: 'notify_latency',
    run: () => withStack((stack) => stack.measure((s) => stack.requestNotify(s))),
  },
];
export default benchmarks;
