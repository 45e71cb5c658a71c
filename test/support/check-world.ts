/**
 * The feed check wired from its configuration to real parts: dynalite, fauxqs (the sync queue and the sweep
 * queue), the ICS feed server with ETags, and the envelope cipher as the functions build it, over moto's KMS when
 * asked (KMS calls counted in the client's middleware) or the local key otherwise. Subscribers are seeded as a
 * finished sync leaves them: connected, scheduled, their feed token sealed, a sync state holding the fingerprint
 * of their feed, validators of today's horizon, a recent audit and token check. Shared by the integration tests
 * and the benchmark.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { KMSClient } from '@aws-sdk/client-kms';
import type { SQSBatchResponse } from 'aws-lambda';
import { buildCheckServices } from '../../lambdas/check/compose.ts';
import { parseCheckConfig } from '../../lambdas/check/config.ts';
import type { CheckDependencies } from '../../lambdas/check/dependencies.ts';
import { createCheckHandler } from '../../lambdas/check/handler.ts';
import { createCipher } from '../../lambdas/shared/adapters/crypto/create-cipher.ts';
import {
  DynamoConnectionStore,
  scheduleShardOf,
} from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoDataKeyStore } from '../../lambdas/shared/adapters/dynamodb/data-key-store.ts';
import { DynamoSyncStateStore } from '../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import { dayOf, fingerprint } from '../../lambdas/shared/domain/feed-check.ts';
import { DEFAULT_HORIZON_SPAN, horizonAround } from '../../lambdas/shared/domain/ics/horizon.ts';
import type { Cipher } from '../../lambdas/shared/ports/cipher.ts';
import type { SweepRequest } from '../../lambdas/shared/ports/sweep-queue.ts';
import type { SyncState } from '../../lambdas/shared/ports/sync-stores.ts';
import { type MotoServer, startMotoServer } from '../../tools/moto-server.ts';
import { lambdaContext } from './api-gateway.ts';
import { ManualClock } from './clock.ts';
import { startDynamo, type TestDynamo } from './dynalite.ts';
import { captureEmf } from './emf.ts';
import { startSqs, type TestSqs } from './fauxqs.ts';
import { FeedServer } from './feed-server.ts';
import { motoKmsKey } from './moto.ts';
import { sqsEventOf } from './sqs-event.ts';

const LOCAL_KEY = Buffer.alloc(32, 7).toString('base64');
const TIME_ZONE = 'Europe/Berlin';

export interface SeededSubscriber {
  id: string;
  feedToken: string;
  shard: number;
}

/** A KMS client whose every command is counted. */
function countedKms(config: ConstructorParameters<typeof KMSClient>[0]): { kms: KMSClient; calls: string[] } {
  const kms = new KMSClient(config ?? {});
  const calls: string[] = [];
  kms.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'countKmsCalls' },
  );
  return { kms, calls };
}

export class CheckWorld {
  dynamo!: TestDynamo;
  sqs!: TestSqs;
  readonly feeds = new FeedServer({ etags: true });
  readonly clock = new ManualClock();
  syncQueueUrl = '';
  sweepQueueUrl = '';
  connections!: DynamoConnectionStore;
  syncState!: DynamoSyncStateStore;
  deps!: CheckDependencies;
  handler!: ReturnType<typeof createCheckHandler>;
  /** The KMS commands the check's container sent (moto only). */
  kmsCalls: string[] = [];
  env: Record<string, string> = {};
  /** The embedded-metric lines the check wrote (kept off the test output; not when a benchmark counts them). */
  readonly emf: Record<string, unknown>[] = [];
  private restoreStdout: () => void = () => undefined;
  private moto: MotoServer | undefined;
  private sealer!: Cipher;

  /**
   * `kms`: seal and open through moto's KMS (else the local key); `logLevel`: the check's logger (silent unless
   * a benchmark counts what it logs).
   */
  async open(
    options: { kms?: boolean; env?: Record<string, string>; logLevel?: 'SILENT' | 'INFO' } = {},
  ): Promise<this> {
    if (options.logLevel !== 'INFO') this.restoreStdout = captureEmf(this.emf);
    [this.dynamo, this.sqs] = await Promise.all([startDynamo(), startSqs(), this.feeds.start()]);
    this.syncQueueUrl = await this.sqs.createQueue('sync');
    this.sweepQueueUrl = await this.sqs.createQueue('sweeps');
    let keyEnv: Record<string, string> = { LOCAL_CIPHER_KEY: LOCAL_KEY };
    let checkKms: KMSClient | undefined;
    let sealerKms: KMSClient | undefined;
    if (options.kms) {
      this.moto = await startMotoServer();
      const config = {
        endpoint: this.moto.endpoint,
        region: this.moto.region,
        credentials: this.moto.credentials,
      };
      sealerKms = new KMSClient(config);
      keyEnv = { KMS_KEY_ID: await motoKmsKey(sealerKms) };
      const counted = countedKms(config);
      checkKms = counted.kms;
      this.kmsCalls = counted.calls;
    }
    this.env = {
      CONNECTIONS_TABLE: this.dynamo.tableNames.connections,
      SYNC_STATE_TABLE: this.dynamo.tableNames.syncState,
      DATA_KEYS_TABLE: this.dynamo.tableNames.dataKeys,
      FEED_URL_TEMPLATE: this.feeds.urlTemplate,
      CALENDAR_TIME_ZONE: TIME_ZONE,
      SYNC_QUEUE_URL: this.syncQueueUrl,
      SWEEP_QUEUE_URL: this.sweepQueueUrl,
      ...keyEnv,
      ...options.env,
    };
    const config = parseCheckConfig(this.env);
    const store = new DynamoDataKeyStore(this.dynamo.client, this.dynamo.tableNames.dataKeys);
    // Another container seals, as the OAuth function does: the check's container unwraps the data key itself.
    this.sealer = createCipher(config.cipher, () => sealerKms as KMSClient, store);
    const logger = new Logger({ serviceName: 'check-test', logLevel: options.logLevel ?? 'SILENT' });
    this.deps = buildCheckServices(config, {
      dynamo: this.dynamo.client,
      sqs: this.sqs.client,
      ...(checkKms ? { kms: checkKms } : {}),
      clock: this.clock,
      logger,
      metrics: new Metrics({ namespace: 'IcsGoogleSyncTest', serviceName: 'check-test' }),
    });
    this.handler = createCheckHandler(() => this.deps, logger);
    this.connections = new DynamoConnectionStore(this.dynamo.client, this.dynamo.tableNames.connections);
    this.syncState = new DynamoSyncStateStore(this.dynamo.client, this.dynamo.tableNames.syncState);
    return this;
  }

  async close(): Promise<void> {
    this.restoreStdout();
    await Promise.all([this.dynamo?.close(), this.sqs?.close(), this.feeds.close(), this.moto?.stop()]);
  }

  /** The horizon a sync of now reaches (the check's configuration's default). */
  horizon() {
    return horizonAround(this.clock.date(), DEFAULT_HORIZON_SPAN);
  }

  /** A feed text of its own for a subscriber. */
  static feedFor(id: string): string {
    return [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VEVENT',
      `UID:${id}-1`,
      'DTSTAMP:20260601T000000Z',
      'DTSTART:20260605T100000Z',
      'DTEND:20260605T110000Z',
      `SUMMARY:Event of ${id}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
  }

  /**
   * `count` subscribers as a finished sync of their current feed leaves them (`state` changes the state of each;
   * `null`: none stored). Their ids are chosen in `shards` when given.
   */
  async seed(
    count: number,
    options: {
      shards?: readonly number[];
      state?: (state: SyncState) => SyncState | null;
      connection?: Partial<Parameters<DynamoConnectionStore['save']>[0]>;
      /** The Google refresh token every connection holds (a made-up one by default). */
      refreshToken?: string;
    } = {},
  ): Promise<SeededSubscriber[]> {
    const subscribers: SeededSubscriber[] = [];
    while (subscribers.length < count) {
      const id = `sub-${randomUUID()}`;
      const shard = scheduleShardOf(id);
      if (options.shards && !options.shards.includes(shard)) continue;
      subscribers.push({ id, feedToken: `feed-${randomUUID()}`, shard });
    }
    const now = this.clock.date();
    const horizon = this.horizon();
    const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
    const batch = 50;
    for (let start = 0; start < subscribers.length; start += batch) {
      await Promise.all(
        subscribers.slice(start, start + batch).map(async ({ id, feedToken }) => {
          const text = CheckWorld.feedFor(id);
          this.feeds.feeds.set(feedToken, text);
          await this.connections.save(
            {
              subscriberId: id,
              status: 'connected',
              calendarId: `cal-${id}`,
              refreshTokenCiphertext: await this.sealer.encrypt(options.refreshToken ?? `refresh-${id}`, {
                subscriberId: id,
                purpose: 'google_refresh_token',
              }),
              feedTokenCiphertext: await this.sealer.encrypt(feedToken, {
                subscriberId: id,
                purpose: 'feed_token',
              }),
              eventIdSalt: `salt-${id}`,
              grantedScopes: 'https://www.googleapis.com/auth/calendar.app.created',
              connectedAt: hourAgo,
              updatedAt: hourAgo,
              scheduled: true,
              ...options.connection,
            },
            undefined,
          );
          const settled: SyncState = {
            subscriberId: id,
            feedHash: fingerprint(text, `salt-${id}`, TIME_ZONE, horizon),
            feedEtag: this.etagOf(text),
            feedValidatedFor: dayOf(horizon.from),
            eventCount: 1,
            lastAuditAt: hourAgo,
            tokenCheckedAt: hourAgo,
            dailyUnits: { day: dayOf(now), units: 2 },
            lastResult: {
              outcome: 'synced',
              startedAt: hourAgo,
              finishedAt: hourAgo,
              created: 1,
              updated: 0,
              deleted: 0,
              unchanged: 0,
              heldDeletions: 0,
              googleCalls: 2,
              errors: [],
            },
          };
          const state = options.state ? options.state(settled) : settled;
          if (state) await this.syncState.put(state);
        }),
      );
    }
    return subscribers;
  }

  /** One subscriber, as `seed` makes them. */
  async seedOne(options: Parameters<CheckWorld['seed']>[1] = {}): Promise<SeededSubscriber> {
    const [subscriber] = await this.seed(1, options);
    if (!subscriber) throw new Error('no subscriber seeded');
    return subscriber;
  }

  /** The ETag the feed server gives a text. */
  etagOf(text: string): string {
    return `"${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"`;
  }

  /**
   * One sweep message handled as the event source would hand it; `timeLeftMs` answers the invocation's
   * remaining time each time it is asked (ten minutes throughout unless given).
   */
  async sweep(
    request: SweepRequest | string,
    timeLeftMs: () => number = () => 600_000,
  ): Promise<SQSBatchResponse> {
    const body = typeof request === 'string' ? request : JSON.stringify(request);
    return this.handler(sqsEventOf([{ MessageId: randomUUID(), Body: body, Attributes: {} }]), {
      ...lambdaContext('check'),
      getRemainingTimeInMillis: timeLeftMs,
    });
  }

  /** The write jobs on the sync queue (received and deleted). */
  async writeJobs(): Promise<{ subscriberId: string; reason: string }[]> {
    return (await this.sqs.drain(this.syncQueueUrl)).map((m) => JSON.parse(m.Body as string));
  }

  /** The continuation sweeps on the sweep queue (received and deleted). */
  async continuations(): Promise<SweepRequest[]> {
    return (await this.sqs.drain(this.sweepQueueUrl)).map((m) => JSON.parse(m.Body as string));
  }
}
