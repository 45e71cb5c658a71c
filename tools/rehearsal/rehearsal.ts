/**
 * The deploy rehearsal (docs/operating.md, "Deploy rehearsal"): the dev stack deployed to moto by the CDK CLI, then its
 * five real bundles run under Node.js 24 with the deployed functions' environments, against the Google emulator
 * and a feed server, through a whole subscriber's life: connect, callback, the first sync, a feed change found by
 * the tick's sweep and the check, the worker fed by the queue, a change notification, sync now, disconnect.
 * Every check throws with what differed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult, SQSBatchResponse } from 'aws-lambda';
import { mintIntent } from '../../dev/demo-host/host-signing.ts';
import { ServiceClient } from '../../dev/demo-host/service-client.ts';
import { eventFromRequest, readBody, writeResult } from '../../dev/lambda-runtime/http-adapter.ts';
import { sqsEventOf } from '../../dev/lambda-runtime/sqs-event.ts';
import { startGoogleEmulator } from '../../emulator/google/index.ts';
import { SubscriberIdentity } from '../../lambdas/oauth/rules/feed-token.ts';
import { createCipher } from '../../lambdas/shared/adapters/crypto/create-cipher.ts';
import { scheduleShardOf } from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoDataKeyStore } from '../../lambdas/shared/adapters/dynamodb/data-key-store.ts';
import { e2eFeed } from '../../test/localstack/helpers.ts';
import { FeedServer } from '../../test/support/feed-server.ts';
import { submitConsent } from '../../test/support/google-emulator.ts';
import { type MotoServer, startMotoServer } from '../moto-server.ts';
import { deployToMoto, type RehearsalDeployment } from './deploy.ts';
import { type DeployedFunction, LambdaRunner } from './runner.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RETURN_TO = 'https://app.example.test/settings';
const SUBSCRIBER_EMAIL = 'rehearsal-subscriber@example.com';
const HOST_KEY_ID = 'rehearsal-1';

export interface RehearsalResult {
  summary: string;
  deploySeconds: number;
  endToEndSeconds: number;
  removed: Record<string, string>;
}

export async function runRehearsal(log: (line: string) => void = () => undefined): Promise<RehearsalResult> {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 24)
    throw new Error(`the rehearsal runs the bundles under Node.js 24; this is ${process.version}`);
  const _started = Date.now();
  const feeds = new FeedServer();
  await feeds.start();
  const google = await startGoogleEmulator({ port: 0 });
  let moto: MotoServer | undefined;
  let api: Server | undefined;
  const cacheDir = path.join(projectRoot, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const outdir = mkdtempSync(path.join(cacheDir, 'rehearsal-'));
  try {
    moto = await startMotoServer();
    const deployment = await deployToMoto({
      projectRoot,
      moto,
      outdir,
      context: {
        feedUrlTemplate: `${feeds.url}/ics/{token}.ics`,
        returnToAllowList: RETURN_TO,
      },
      log,
    });
    const e2eStarted = Date.now();
    const aws = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
    const clients = {
      dynamo: new DynamoDBClient(aws),
      kms: new KMSClient(aws),
      lambda: new LambdaClient(aws),
      secrets: new SecretsManagerClient(aws),
      sqs: new SQSClient({ ...aws, useQueueUrlAsEndpoint: false }),
    };
    const functions = await deployedFunctions(deployment, clients.lambda);
    const sqsByMoto = (value: string) =>
      value.replace(`https://sqs.${moto?.region}.amazonaws.com/`, `${moto?.endpoint}/`);
    const runner = new LambdaRunner(
      functions,
      {
        ...moto.environment(),
        // Rehearsal only: the dev variant talks to Google's own hosts; here the emulator stands in.
        GOOGLE_API_BASE_URL: `${google.baseUrl.replace(/\/+$/, '')}/`,
      },
      sqsByMoto,
    );
    const { outputs } = deployment;
    const expect = (condition: unknown, what: string) => {
      if (!condition) throw new Error(`rehearsal: ${what}`);
    };

    // The API's routes served by the oauth and notify bundles, as API Gateway's stage would.
    const stageUrl = new URL(outputs.ApiUrl as string);
    const stagePrefix = stageUrl.pathname.replace(/\/+$/, '');
    const stage = stagePrefix.slice(1);
    api = createServer(async (request, response) => {
      try {
        const body = await readBody(request);
        const url = request.url ?? '/';
        request.url = url.startsWith(`${stagePrefix}/`) ? url.slice(stagePrefix.length) : url;
        const event = eventFromRequest(request, body, stage);
        const fn = event.path === '/api/google-sync/notify' ? 'notify' : 'oauth';
        writeResult(response, await runner.invoke<APIGatewayProxyResult>(fn, event));
      } catch (error) {
        response.writeHead(502).end(String(error));
      }
    });
    await new Promise<void>((resolve) => api?.listen(0, '127.0.0.1', resolve));
    const apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const local = (awsUrl: string) => {
      const url = new URL(awsUrl);
      return `${apiOrigin}${url.pathname}${url.search}`;
    };
    const hostKey = { id: HOST_KEY_ID, key: randomBytes(32) };
    const host = new ServiceClient(`${apiOrigin}${stagePrefix}`, hostKey);
    const loggedNotSet = (secretArn: string) =>
      runner.logs.some((line) => line.includes('secret not set yet') && line.includes(secretArn));

    // Before the operator sets them, the secrets hold the stack's placeholder: a route that needs one answers
    // 503 secret_not_set and the function logs which secret.
    const early = await host.notifyChanged(['0'.repeat(64)]);
    expect(
      !early.ok && early.status === 503 && early.error === 'secret_not_set',
      `notify before the host keys are set answered ${JSON.stringify(early)}`,
    );
    expect(loggedNotSet(outputs.HostKeysSecretArn as string), 'no log line names the host keys secret');

    // The secrets, as docs/operating.md tells an operator to set them. Functions read a secret again after their
    // cache's 5 minutes: here each step starts new containers instead of waiting.
    await clients.secrets.send(
      new PutSecretValueCommand({
        SecretId: outputs.HostKeysSecretArn,
        SecretString: JSON.stringify({ [HOST_KEY_ID]: hostKey.key.toString('hex') }),
      }),
    );
    runner.coldStart();
    const client = google.control.registerClient({ redirectUris: [outputs.OAuthRedirectUri as string] });
    google.control.createUser({ email: SUBSCRIBER_EMAIL });
    const connect = (feedToken: string) =>
      fetch(local(`${outputs.ApiUrl}api/google-oauth/start`), {
        method: 'POST',
        headers: { origin: new URL(RETURN_TO).origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: feedToken,
          return_to: RETURN_TO,
          intent: mintIntent(hostKey, 'connect', feedToken, RETURN_TO),
        }),
        redirect: 'manual',
      });
    feeds.feeds.set('rehearsal-before-the-google-client', e2eFeed(new Date()).text);
    const beforeClient = await connect('rehearsal-before-the-google-client');
    expect(
      beforeClient.status === 503,
      `connect before the Google client is set answered ${beforeClient.status}: ${await beforeClient.text()}`,
    );
    expect(
      loggedNotSet(outputs.GoogleClientSecretArn as string),
      'no log line names the Google client secret',
    );
    await clients.secrets.send(
      new PutSecretValueCommand({
        SecretId: outputs.GoogleClientSecretArn,
        SecretString: JSON.stringify({ clientId: client.clientId, clientSecret: client.clientSecret }),
      }),
    );
    runner.coldStart();

    // A subscriber in shard 0 of the schedule: the tick's sweep of it is not delayed (the others wait their
    // slots, up to 15 minutes).
    const identity = new SubscriberIdentity(async () => {
      const { SecretString } = await clients.secrets.send(
        new GetSecretValueCommand({ SecretId: outputs.SubscriberIdKeySecretArn }),
      );
      return SecretString ?? '';
    });
    let feedToken = '';
    let subscriberId = '';
    for (let attempt = 0; attempt < 100_000 && !feedToken; attempt++) {
      const candidate = `rehearsal-${randomBytes(12).toString('hex')}`;
      const id = await identity.subscriberIdFor(candidate);
      if (scheduleShardOf(id) === 0) [feedToken, subscriberId] = [candidate, id];
    }
    const feed = e2eFeed(new Date());
    feeds.feeds.set(feedToken, feed.text);

    // Connect with a host-signed intent, consent, callback.
    const start = await connect(feedToken);
    expect(start.status === 302, `connect answered ${start.status}: ${await start.text()}`);
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const redirect = await submitConsent(start.headers.get('location') as string, {
      email: SUBSCRIBER_EMAIL,
    });
    expect(redirect.toString().startsWith(outputs.OAuthRedirectUri as string), `redirected to ${redirect}`);
    const back = await fetch(local(redirect.toString()), { headers: { cookie }, redirect: 'manual' });
    expect(
      back.headers.get('location') === `${RETURN_TO}?google=connected`,
      `callback answered ${back.status} to ${back.headers.get('location')}`,
    );

    // The connection item and its ciphertexts, bound to this subscriber (moto's KMS checks the context).
    const connectionsTable = functions.schedulerTick?.environment.CONNECTIONS_TABLE as string;
    const item = await connectionItem(clients.dynamo, connectionsTable, subscriberId);
    expect(item?.status?.S === 'connected', `connection item: ${JSON.stringify(item)}`);
    expect(!JSON.stringify(item).includes(feedToken), 'the connection item holds the feed token in clear');
    const calendarId = item?.calendarId?.S as string;
    await checkCiphertexts(
      clients,
      functions.oauth?.environment ?? {},
      item as Record<string, AttributeValue>,
      subscriberId,
      feedToken,
      expect,
    );

    // The worker and the check fed from their queues as their event sources would.
    const eventSourceOf = (fn: 'syncWorker' | 'check') => {
      const source = deployment.eventSources.find(
        ({ functionLogicalId }) => functionLogicalId === functions[fn]?.logicalId,
      );
      expect(source?.reportBatchItemFailures, `the ${fn} event source reports batch item failures`);
      return source as NonNullable<typeof source>;
    };
    const queueUrl = outputs.SyncQueueUrl as string;
    const worker = new QueueFeeder(
      clients.sqs,
      runner,
      'syncWorker',
      queueUrl,
      eventSourceOf('syncWorker').batchSize,
    );
    const checkSource = eventSourceOf('check');
    expect(
      checkSource.batchSize === 1,
      `the check's event source takes ${checkSource.batchSize} sweeps at once`,
    );
    const sweeps = new QueueFeeder(clients.sqs, runner, 'check', outputs.SweepQueueUrl as string, 1);
    // The first sync: the callback asked for it.
    await worker.drain();
    const live = () =>
      (google.control.state().calendars.find((c) => c.id === calendarId)?.events ?? []).filter(
        (event) => event.status !== 'cancelled' && !event.recurringEventId,
      );
    const summaries = () =>
      live()
        .map((event) => String(event.summary))
        .sort();
    expect(
      JSON.stringify(summaries()) === JSON.stringify([...feed.summaries].sort()),
      `calendar ${summaries()} != feed ${feed.summaries}`,
    );
    const withEvent = (text: string, uid: string, summary: string, days: number) =>
      text.replace(
        'END:VCALENDAR',
        `BEGIN:VEVENT\r\nUID:${uid}@rehearsal.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:${dayAfter(days)}T120000Z\r\nDTEND:${dayAfter(days)}T130000Z\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR`,
      );

    // The feed changes without a notification: the tick sends its sweeps, the check of shard 0 finds the change
    // and asks for a write, the worker writes it.
    const swept = 'Rehearsal swept';
    const sweptFeed = withEvent(feed.text, 'swept', swept, 3);
    feeds.feeds.set(feedToken, sweptFeed);
    const ticked = await runner.invoke<{ sweeps: number }>('schedulerTick', scheduledEvent());
    expect(ticked.sweeps === 256, `the tick sent ${JSON.stringify(ticked)}`);
    const sweepBatches = await sweeps.drainVisible();
    expect(sweepBatches >= 1, 'no sweep was visible at once (shard 0 waits no slot)');
    expect(
      runner.logs.some((line) => line.includes('sweep finished')),
      'the check logged no finished sweep',
    );
    await worker.drain();
    expect(summaries().includes(swept), `after the tick's sweep the calendar has ${summaries()}`);

    // A change notification from the host after the feed changed.
    const added = 'Rehearsal added';
    feeds.feeds.set(feedToken, withEvent(sweptFeed, 'added', added, 2));
    const notified = await host.notifyChanged([feedToken]);
    expect(notified.ok && notified.status === 202, `notify answered ${JSON.stringify(notified)}`);
    await worker.drain();
    expect(summaries().includes(added), `after notify the calendar has ${summaries()}`);

    // Sync now puts back an event the subscriber deleted in Google.
    const victim = live().find((event) => event.summary === added);
    google.control.userDeleteEvent({ calendarId, eventId: victim?.id as string });
    const synced = await host.syncNow(feedToken);
    expect(synced.ok, `sync now answered ${JSON.stringify(synced)}`);
    await worker.drain();
    expect(summaries().includes(added), `after sync now the calendar has ${summaries()}`);

    // Disconnect, deleting the calendar.
    const disconnected = await host.disconnect(feedToken, true);
    expect(disconnected.ok, `disconnect answered ${JSON.stringify(disconnected)}`);
    await worker.drain();
    const stillThere = google.control.state().calendars.find((c) => c.id === calendarId);
    expect(!stillThere, 'the dedicated calendar is still there after disconnect');
    const after = await connectionItem(clients.dynamo, connectionsTable, subscriberId);
    expect(after?.status?.S !== 'connected', `after disconnect: ${JSON.stringify(after)}`);

    // A poison message reaches the dead-letter queue through the redrive policy after 3 receives.
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not a sync request' }));
    const receives = await worker.drainUntilDeadLettered(outputs.DeadLetterQueueUrl as string);

    const endToEndSeconds = (Date.now() - e2eStarted) / 1000;
    const removedCount = Object.keys(deployment.removed).length;
    // Errors the functions logged, apart from the poison message's own.
    const errors = runner.logs.filter(
      (line) => /"level":"ERROR"/.test(line) && !/unreadable sync message|secret not set yet/.test(line),
    );
    expect(errors.length === 0, `the functions logged errors:\n${errors.join('')}`);
    const summary =
      `rehearsal passed: ${deployment.stackName} deployed to moto by cdk deploy in ${deployment.seconds.deploy.toFixed(1)} s ` +
      `(synth with bundling ${deployment.seconds.synth.toFixed(1)} s); end to end in ${endToEndSeconds.toFixed(1)} s ` +
      `(connect, callback, first sync, calendar = feed, tick of ${ticked.sweeps} sweeps, ${sweepBatches} sweep checked at once, ` +
      `the change it found written, ${worker.batches} worker batches in all, notify, sync now, disconnect, ` +
      `poison message dead-lettered after ${receives} receives); ${removedCount} template entries not deployed to moto (docs/operating.md, "Deploy rehearsal")`;
    for (const fn of Object.values(clients)) fn.destroy();
    return {
      summary,
      deploySeconds: deployment.seconds.deploy,
      endToEndSeconds,
      removed: deployment.removed,
    };
  } finally {
    await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
    await Promise.all([google.close(), feeds.close(), moto?.stop()]);
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Each deployed function: its configuration from moto's Lambda, its bundle from the assembly. */
async function deployedFunctions(
  deployment: RehearsalDeployment,
  lambda: LambdaClient,
): Promise<Record<string, DeployedFunction>> {
  const names: Record<string, string> = {
    oauth: 'OAuthFunction',
    notify: 'NotifyFunction',
    syncWorker: 'SyncWorkerFunction',
    check: 'CheckFunction',
    schedulerTick: 'SchedulerTickFunction',
  };
  const result: Record<string, DeployedFunction> = {};
  const cloudFormation = new CloudFormationClient({
    endpoint: await endpointOf(lambda),
    region: await lambda.config.region(),
    credentials: await lambda.config.credentials(),
  });
  const resources = await cloudFormation.send(
    new ListStackResourcesCommand({ StackName: deployment.stackName }),
  );
  cloudFormation.destroy();
  for (const [key, prefix] of Object.entries(names)) {
    const entry = Object.entries(deployment.template.Resources).find(
      ([id, resource]) =>
        resource.Type === 'AWS::Lambda::Function' && id.startsWith(prefix) && !id.includes('Role'),
    );
    if (!entry) throw new Error(`no ${prefix} in the template`);
    const [logicalId, resource] = entry;
    const physical = resources.StackResourceSummaries?.find((r) => r.LogicalResourceId === logicalId);
    const functionName = physical?.PhysicalResourceId as string;
    const deployed = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    const metadata = (resource as { Metadata?: Record<string, string> }).Metadata ?? {};
    const assetPath = metadata['aws:asset:path'];
    if (!assetPath) throw new Error(`${logicalId}: no asset path in its metadata`);
    result[key] = {
      logicalId,
      functionName,
      handler: deployed.Handler as string,
      timeoutSeconds: deployed.Timeout ?? 3,
      environment: deployed.Environment?.Variables ?? {},
      assetDir: path.resolve(deployment.outdir, assetPath),
    };
  }
  return result;
}

async function endpointOf(client: LambdaClient): Promise<string> {
  const endpoint = await client.config.endpoint?.();
  if (!endpoint) throw new Error('no endpoint');
  return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`;
}

/** The event EventBridge Scheduler sends to a Lambda target (the tick ignores it). */
function scheduledEvent(): Record<string, unknown> {
  return {
    source: 'aws.scheduler',
    'detail-type': 'Scheduled Event',
    time: new Date().toISOString(),
    detail: {},
  };
}

const dayAfter = (days: number) => {
  const date = new Date(Date.now() + days * 86_400_000);
  return date.toISOString().slice(0, 10).replace(/-/g, '');
};

async function connectionItem(dynamo: DynamoDBClient, table: string, subscriberId: string) {
  const { Item } = await dynamo.send(
    new GetItemCommand({
      TableName: table,
      Key: { subscriberId: { S: subscriberId } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

/**
 * The feed token opens with the service's own cipher (as the functions build it from their configuration) for
 * its subscriber and for no other; and moto's KMS refuses the stack's key under another subscriber's context.
 */
async function checkCiphertexts(
  clients: { kms: KMSClient; dynamo: DynamoDBClient },
  environment: Record<string, string>,
  item: Record<string, AttributeValue>,
  subscriberId: string,
  feedToken: string,
  expect: (condition: unknown, what: string) => void,
): Promise<void> {
  const keyId = environment.KMS_KEY_ID as string;
  const dataKeys = environment.DATA_KEYS_TABLE;
  const cipher = createCipher(
    { kind: 'kms', keyId, ...(dataKeys ? { dataKeys } : {}) },
    () => clients.kms,
    dataKeys ? new DynamoDataKeyStore(clients.dynamo, dataKeys) : undefined,
  );
  const ciphertext = item.feedTokenCiphertext?.S ?? '';
  const opened = await cipher.decrypt(ciphertext, { subscriberId, purpose: 'feed_token' });
  expect(opened === feedToken, 'the stored feed token opens for its subscriber');
  const refused = (attempt: Promise<unknown>) =>
    attempt.then(
      () => false,
      () => true,
    );
  // Another subscriber: the last hex digit changed (to 1 when it is 0, else to 0).
  const otherLast = subscriberId.endsWith('0') ? '1' : '0';
  const other = { subscriberId: `${subscriberId.slice(0, -1)}${otherLast}`, purpose: 'feed_token' as const };
  expect(await refused(cipher.decrypt(ciphertext, other)), 'a ciphertext opened for another subscriber');
  const { CiphertextBlob } = await clients.kms.send(
    new EncryptCommand({
      KeyId: keyId,
      Plaintext: Buffer.from('probe'),
      EncryptionContext: { subscriberId, purpose: 'feed_token' },
    }),
  );
  expect(
    await refused(clients.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: other }))),
    "moto's KMS decrypted under another subscriber's encryption context",
  );
}

/** Lambda's SQS event source: receive a batch, invoke the function, delete what it did not report failed. */
class QueueFeeder {
  batches = 0;
  constructor(
    private readonly sqs: SQSClient,
    private readonly runner: LambdaRunner,
    private readonly fn: 'syncWorker' | 'check',
    private readonly queueUrl: string,
    private readonly batchSize: number,
  ) {}

  private async receive(): Promise<Message[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: this.batchSize,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages ?? [];
  }

  /** One batch; failed messages are made visible again at once instead of after the visibility timeout. */
  private async feed(messages: Message[]): Promise<number> {
    this.batches++;
    const event = sqsEventOf(messages, this.queueUrl.split('/').at(-1));
    const response = await this.runner.invoke<SQSBatchResponse>(this.fn, event);
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const message of messages) {
      const handle = message.ReceiptHandle as string;
      if (failed.has(message.MessageId as string)) {
        await this.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.queueUrl,
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          }),
        );
      } else {
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: handle }));
      }
    }
    return failed.size;
  }

  /**
   * Every message visible now, until a receive comes back empty; delayed ones are left (the tick's sweeps of
   * other shards wait their slots). Returns the batches fed; a failure is an error here.
   */
  async drainVisible(): Promise<number> {
    let fed = 0;
    for (;;) {
      const messages = await this.receive();
      if (messages.length === 0) return fed;
      fed++;
      const failed = await this.feed(messages);
      if (failed > 0)
        throw new Error(`rehearsal: the ${this.fn} function reported ${failed} failed messages`);
    }
  }

  /** Until the queue is empty (nothing visible, delayed or in flight); a failure is an error here. */
  async drain(): Promise<void> {
    for (let round = 0; round < 30; round++) {
      const messages = await this.receive();
      if (messages.length > 0) {
        const failed = await this.feed(messages);
        if (failed > 0)
          throw new Error(`rehearsal: the ${this.fn} function reported ${failed} failed messages`);
        continue;
      }
      const { Attributes } = await this.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['All'] }),
      );
      const pending = [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
      ]
        .map((name) => Number(Attributes?.[name as keyof typeof Attributes] ?? 0))
        .reduce((sum, count) => sum + count, 0);
      if (pending === 0) return;
    }
    throw new Error('rehearsal: the sync queue did not empty');
  }

  /** Feeds the queue's messages until one is in the dead-letter queue; the receives it took. */
  async drainUntilDeadLettered(deadLetterUrl: string): Promise<number> {
    let receives = 0;
    for (let round = 0; round < 10; round++) {
      const { Attributes } = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: deadLetterUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      if (Number(Attributes?.ApproximateNumberOfMessages ?? 0) === 1) return receives;
      const messages = await this.receive();
      if (messages.length > 0) {
        receives++;
        await this.feed(messages);
      }
    }
    throw new Error(
      `rehearsal: the poison message did not reach the dead-letter queue (${receives} receives)`,
    );
  }
}
