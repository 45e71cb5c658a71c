/**
 * Several worker invocations, each syncing several subscribers at once, against the Google emulator holding the
 * project to a low quota: every sync draws from the project's budget in DynamoDB, so Google never answers
 * "over quota", and the budget's windows are used up while the backlog lasts. Google's minute is shortened (the
 * emulator's quota window, the pacer's and the budget's alike) so the backlog takes seconds; what is checked is
 * counted, not timed.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleEmulator, SCOPES, startGoogleEmulator } from '../../../emulator/google/index.ts';
import { LocalAesGcmCipher } from '../../../lambdas/shared/adapters/crypto/local-cipher.ts';
import { DynamoConnectionStore } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import {
  DynamoProjectQuotaBudget,
  PROJECT_QUOTA_BUCKET,
} from '../../../lambdas/shared/adapters/dynamodb/project-quota-budget.ts';
import { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import { DEFAULT_PROJECT_QUOTA_WINDOWS } from '../../../lambdas/shared/domain/project-quota-windows.ts';
import { CalendarApiError, type CalendarGateway } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import { buildSyncWorkerServices } from '../../../lambdas/sync/compose.ts';
import { parseSyncWorkerConfig } from '../../../lambdas/sync/config.ts';
import type { SyncWorkerDependencies } from '../../../lambdas/sync/dependencies.ts';
import { DEFAULT_PACING } from '../../../lambdas/sync/engine/pacer.ts';
import { DEFAULT_RETRY } from '../../../lambdas/sync/engine/retry.ts';
import { createSyncWorkerHandler } from '../../../lambdas/sync/worker/handler.ts';
import { lambdaContext } from '../../support/api-gateway.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';
import { FeedServer } from '../../support/feed-server.ts';
import { sqsEventOf } from '../../support/sqs-event.ts';
import { feedOf, TIME_MARGIN_MS, WorkerHarness } from './harness.ts';

/**
 * Google's minute, shortened to 3 s, cut into 4 budget windows of 750 ms: long next to a reservation's round trip
 * to the in-process DynamoDB on a busy machine (in AWS a window is 2 s and a round trip ~10 ms).
 */
const MINUTE_MS = 3_000;
const WINDOWS_PER_MINUTE = 4;
/** 10 units per window (a 6th: 4 windows and a late one touch a minute), far less than the syncs ask for. */
const PROJECT_QUOTA = 60;
const INVOCATIONS = 3;
const SUBSCRIBERS_PER_INVOCATION = 2;
/** 180 units in all: three minutes of the quota, which the syncs' own pace would spend in a third of a second. */
const EVENTS = 30;
const CIPHER_KEY = Buffer.alloc(32, 3).toString('base64');

/** Rate-limit answers Google gave, by quota (the emulator answers the project's with reason rateLimitExceeded). */
const answers = { project: 0, user: 0 };
function counted(gateway: CalendarGateway): CalendarGateway {
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

describe("the project's quota shared by concurrent writers", () => {
  let dynamo: TestDynamo;
  let sqs: TestSqs;
  let google: GoogleEmulator;
  const feeds = new FeedServer();
  beforeAll(async () => {
    [dynamo, sqs, google] = await Promise.all([
      startDynamo(),
      startSqs(),
      startGoogleEmulator({
        quotas: { perUserPerWindow: 600, perProjectPerWindow: PROJECT_QUOTA, windowMs: MINUTE_MS },
      }),
      feeds.start(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([dynamo?.close(), sqs?.close(), google?.close(), feeds.close()]);
  });

  it('get no over-quota answer from Google and use up the windows while the backlog lasts', async () => {
    const client = google.control.registerClient({ redirectUris: ['https://api.example.test/callback'] });
    const env = {
      CONNECTIONS_TABLE: dynamo.tableNames.connections,
      SYNC_STATE_TABLE: dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: dynamo.tableNames.eventMap,
      DATA_KEYS_TABLE: dynamo.tableNames.dataKeys,
      RATE_LIMITS_TABLE: dynamo.tableNames.rateLimits,
      FEED_URL_TEMPLATE: feeds.urlTemplate,
      GOOGLE_API_BASE_URL: google.baseUrl,
      GOOGLE_CLIENT_ID: client.clientId,
      GOOGLE_CLIENT_SECRET: client.clientSecret,
      LOCAL_CIPHER_KEY: CIPHER_KEY,
      SYNC_QUEUE_URL: await sqs.createQueue('sync'),
      GOOGLE_PROJECT_QUOTA_PER_MINUTE: String(PROJECT_QUOTA),
      SYNC_PARALLEL_SUBSCRIBERS: String(SUBSCRIBERS_PER_INVOCATION),
    };
    const connections = new DynamoConnectionStore(dynamo.client, dynamo.tableNames.connections);
    const cipher = new LocalAesGcmCipher(CIPHER_KEY);
    const ids: string[] = [];
    for (let i = 0; i < INVOCATIONS * SUBSCRIBERS_PER_INVOCATION; i++) {
      const id = `sub-${randomUUID()}`;
      const email = `${id}@example.com`;
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
      const feedToken = `feed-${randomUUID()}`;
      feeds.feeds.set(feedToken, feedOf(EVENTS, { from: new Date() }));
      const now = new Date().toISOString();
      await connections.save(
        {
          subscriberId: id,
          status: 'connected',
          calendarId: calendar.id,
          refreshTokenCiphertext: await cipher.encrypt(tokens.refresh_token as string, {
            subscriberId: id,
            purpose: 'google_refresh_token',
          }),
          feedTokenCiphertext: await cipher.encrypt(feedToken, { subscriberId: id, purpose: 'feed_token' }),
          eventIdSalt: `salt-${id}`,
          grantedScopes: SCOPES.appCreated,
          connectedAt: now,
          updatedAt: now,
          scheduled: true,
        },
        undefined,
      );
      ids.push(id);
    }
    google.control.resetCounters();

    // Each invocation its own container (its own reservations), the per-user pace and retries on the short minute.
    const logger = new Logger({ serviceName: 'project-quota-test', logLevel: 'SILENT' });
    const containers: SyncWorkerDependencies[] = Array.from({ length: INVOCATIONS }, () => {
      const deps = buildSyncWorkerServices(parseSyncWorkerConfig(env), {
        dynamo: dynamo.client,
        sqs: sqs.client,
        logger,
        env,
        metrics: new Metrics({ namespace: 'IcsGoogleSyncTest', serviceName: 'project-quota-test' }),
        projectQuotaWindows: { minuteMs: MINUTE_MS, windowsPerMinute: WINDOWS_PER_MINUTE },
        engine: {
          pacing: { ...DEFAULT_PACING, windowMs: MINUTE_MS },
          retry: { ...DEFAULT_RETRY, baseDelayMs: 50, maxDelayMs: 500 },
        },
      });
      const calendarFor = deps.calendarFor.bind(deps);
      deps.calendarFor = (accessToken, tokenRefused) => counted(calendarFor(accessToken, tokenRefused));
      return deps;
    });
    const requestedAt = new Date().toISOString();
    const responses = await Promise.all(
      containers.map((deps, invocation) => {
        const messages: Message[] = ids
          .slice(invocation * SUBSCRIBERS_PER_INVOCATION, (invocation + 1) * SUBSCRIBERS_PER_INVOCATION)
          .map((subscriberId) => ({
            MessageId: randomUUID(),
            Body: JSON.stringify({ subscriberId, reason: 'connected', requestedAt }),
          }));
        return createSyncWorkerHandler(() => deps, logger)(
          sqsEventOf(messages),
          lambdaContext('sync-worker', 300_000),
        );
      }),
    );

    // Everything written, and Google never said "over quota".
    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    const syncState = new DynamoSyncStateStore(dynamo.client, dynamo.tableNames.syncState);
    for (const id of ids) {
      expect((await syncState.get(id))?.lastResult).toMatchObject({ outcome: 'synced', created: EVENTS });
    }
    expect(answers).toEqual({ project: 0, user: 0 });

    // Every unit the budgets handed out was a call Google admitted.
    const usage = containers.map((deps) => (deps.projectBudget as DynamoProjectQuotaBudget).usage);
    const spent = usage.reduce((sum, u) => sum + u.spent, 0);
    const reserved = usage.reduce((sum, u) => sum + u.reserved, 0);
    const lost = usage.reduce((sum, u) => sum + u.lost, 0);
    expect(google.control.counters().units).toBe(spent);
    expect(spent).toBeGreaterThanOrEqual(INVOCATIONS * SUBSCRIBERS_PER_INVOCATION * EVENTS);
    // Most of what was reserved was spent: few units held unused when their window ended.
    expect(lost).toBeLessThanOrEqual(reserved * 0.25);

    // The windows: none past its share, and while most of the backlog was left each was used up (a window's
    // last units go unreserved only when fewer are left than a call needs).
    const budgets = containers.map((deps) => deps.projectBudget as DynamoProjectQuotaBudget);
    const { unitsPerWindow } = (budgets[0] as DynamoProjectQuotaBudget).windows;
    const { Items = [] } = await dynamo.client.send(
      new ScanCommand({ TableName: dynamo.tableNames.rateLimits, ConsistentRead: true }),
    );
    const windows = Items.filter((item) => item.bucket?.S?.startsWith(`${PROJECT_QUOTA_BUCKET}@`))
      .map((item) => ({ window: Number(item.bucket?.S?.split('@')[1]), units: Number(item.units?.N) }))
      .sort((a, b) => a.window - b.window);
    expect(Math.max(...windows.map((w) => w.units))).toBeLessThanOrEqual(unitsPerWindow);
    const backlogWindows = windows.slice(0, Math.floor(windows.length / 2));
    expect(backlogWindows.length).toBeGreaterThan(5);
    for (const { units } of backlogWindows) expect(units).toBeGreaterThanOrEqual(unitsPerWindow - 2);
  });
});

describe("a sync that waits for the project's quota past its time budget", () => {
  const h = new WorkerHarness();
  beforeAll(async () => {
    await h.open();
    // 96 a minute: 3 units per 2-second window, far less than a first sync of 200 events wants.
    h.deps.projectBudget = new DynamoProjectQuotaBudget(
      h.dynamo.client,
      h.dynamo.tableNames.rateLimits,
      { ...DEFAULT_PROJECT_QUOTA_WINDOWS, quotaPerMinute: 96 },
      h.clock,
    );
  });
  afterAll(() => h.close());

  it('ends partial at its deadline and is continued where it stopped', async () => {
    const subscriber = await h.connect(feedOf(200));
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    // A minute of budget: about 90 units at 3 per 2 s.
    await h.deliverOnce(TIME_MARGIN_MS + 60_000);
    const cut = (await h.syncState.get(subscriber.id))?.lastResult;
    expect(cut?.outcome).toBe('partial');
    expect(cut?.deferred).toBeGreaterThan(0);
    expect(cut?.created).toBeGreaterThan(60);
    expect(cut?.created).toBeLessThanOrEqual(95);
    const queued = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body) as { reason: string });
    expect(queued).toEqual([expect.objectContaining({ reason: 'continuation' })]);
  });
});
