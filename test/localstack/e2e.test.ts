/**
 * The deployed stack on LocalStack, end to end: cdklocal deploys it (`target=localstack`) against the Google
 * emulator and a feed server on this machine, the suite sets the secrets, connects a subscriber through API
 * Gateway and the emulator's consent page, checks the connection item and its KMS ciphertexts, invokes the
 * tick, and waits for the worker (SQS event source) to fill the dedicated calendar. Then it destroys the stack
 * (KEEP_LOCALSTACK_STACK=1 keeps it).
 *
 * Without LocalStack at LOCALSTACK_ENDPOINT the suite is skipped and says so (title and stderr). README.md in
 * this folder: prerequisites, variables, and what LocalStack does not emulate.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleEmulator, SCOPES, startGoogleEmulator } from '../../emulator/google/index.ts';
import { SubscriberIdentity } from '../../lambdas/oauth/rules/feed-token.ts';
import { spreadDelaySeconds } from '../../lambdas/shared/domain/sync-schedule.ts';
import {
  cdklocalCommands,
  contextArgs,
  LOCALSTACK_DIR,
  REPO_ROOT,
  runCdklocal,
} from '../../tools/localstack-deploy.ts';
import { FeedServer } from '../support/feed-server.ts';
import { submitConsent } from '../support/google-emulator.ts';
import {
  e2eFeed,
  hostAddressForContainers,
  localStackApiUrl,
  localStackAwsSettings,
  localStackEndpoint,
  pollFor,
  probeLocalStack,
  type RestApiAddress,
  readStackOutputs,
  restApiOf,
  type StackOutputs,
  skipNotice,
  toLocalStackUrl,
  unusableServices,
  withOrigin,
} from './helpers.ts';

const endpoint = localStackEndpoint();
const probe = await probeLocalStack(endpoint);
if (!probe.reachable) process.stderr.write(`${skipNotice(endpoint)}\n`);
const titleNote = probe.reachable ? '' : ` (skipped: no LocalStack at ${endpoint})`;

/** A stage of its own, so the suite never replaces a stack deployed by hand (LocalStack stacks are all disposable). */
const STAGE = 'e2e';
const STACK_NAME = `IcsGoogleSync-${STAGE}`;
const OUTPUTS_FILE = `${LOCALSTACK_DIR}/e2e-outputs.json`;
const LOG_FILE = `${LOCALSTACK_DIR}/e2e-cdklocal.log`;
const RETURN_TO = 'https://app.example.test/settings';
const SUBSCRIBER_EMAIL = 'e2e-subscriber@example.com';
/** What the servers listen on so that the Lambda containers reach them through the Docker host. */
const LISTEN_HOST = process.env.LOCALSTACK_LISTEN_HOST?.trim() || '0.0.0.0';
const KEEP_STACK = process.env.KEEP_LOCALSTACK_STACK === '1';
const ECHO = process.env.LOCALSTACK_VERBOSE === '1';

const MINUTE = 60_000;
/** Bundling five functions and a first deploy on LocalStack (which may pull the Lambda runtime image). */
const DEPLOY_TIMEOUT = 25 * MINUTE;
const DESTROY_TIMEOUT = 10 * MINUTE;
/** A first invocation may wait for LocalStack to pull the runtime image. */
const COLD_START_TIMEOUT = 6 * MINUTE;
const SYNC_TIMEOUT = 6 * MINUTE;

describe.skipIf(!probe.reachable)(`the stack on LocalStack, end to end${titleNote}`, () => {
  const feeds = new FeedServer();
  const feedToken = `e2e-${randomBytes(16).toString('hex')}`;
  const feed = e2eFeed(new Date());
  const aws = localStackAwsSettings();
  let google: GoogleEmulator | undefined;
  /** The emulator as this process reaches it, and as the Lambda containers do. */
  let googleHere = '';
  let googleForLambdas = '';
  let deployAttempted = false;
  let outputs: StackOutputs;
  let api: RestApiAddress;
  let clients: {
    dynamo: DynamoDBClient;
    kms: KMSClient;
    lambda: LambdaClient;
    secrets: SecretsManagerClient;
    sqs: SQSClient;
  };
  let connectionsTable = '';
  let subscriberId = '';
  // Carried from one step to the next (each step needs the one before).
  let consentUrl = '';
  let bindingCookie = '';
  let calendarId = '';

  const contextFor = () =>
    contextArgs({
      stage: STAGE,
      googleApiBaseUrl: googleForLambdas,
      feedUrlTemplate: `http://${hostAddressForContainers()}:${feeds.port}/ics/{token}.ics`,
      returnToAllowList: RETURN_TO,
      // The OAuth routes then need no host keys and no signed intent: this suite is about the deployment.
      connectIntents: 'token_only',
    });

  async function cdklocal(action: 'deploy' | 'destroy'): Promise<void> {
    for (const args of cdklocalCommands(action, { extraArgs: contextFor(), outputsFile: OUTPUTS_FILE })) {
      // From here on there may be a stack (or a half-made one) to destroy; a failed bootstrap leaves none.
      if (args[0] === 'deploy') deployAttempted = true;
      const run = await runCdklocal(args, { logFile: LOG_FILE, echo: ECHO });
      if (run.code !== 0) {
        throw new Error(
          `cdklocal ${args[0]} failed (exit ${run.code}); whole output in ${LOG_FILE}. Last lines:\n${run.tail}`,
        );
      }
    }
  }

  const apiUrl = (pathAndQuery: string) => localStackApiUrl(endpoint, api, pathAndQuery);

  beforeAll(async () => {
    if (!probe.reachable) return;
    const unusable = unusableServices(probe.services);
    if (unusable.length > 0) {
      throw new Error(`LocalStack at ${endpoint} reports these services unusable: ${unusable.join(', ')}`);
    }
    process.stderr.write(
      `LocalStack suite: LocalStack ${probe.version ?? '?'} (${probe.edition ?? '?'}) at ${endpoint}; deploying ${STACK_NAME} (output in ${LOG_FILE})\n`,
    );
    rmSync(path.join(REPO_ROOT, LOG_FILE), { force: true });

    google = await startGoogleEmulator({ host: LISTEN_HOST, port: 0 });
    const port = new URL(google.baseUrl).port;
    googleHere = `http://127.0.0.1:${port}/`;
    googleForLambdas = `http://${hostAddressForContainers()}:${port}/`;
    await feeds.start({ host: LISTEN_HOST });
    feeds.feeds.set(feedToken, feed.text);

    await cdklocal('deploy');
    outputs = readStackOutputs(
      JSON.parse(readFileSync(path.join(REPO_ROOT, OUTPUTS_FILE), 'utf8')),
      STACK_NAME,
    );
    api = restApiOf(outputs.ApiUrl);
    const config = { endpoint, region: api.region ?? aws.region, credentials: aws.credentials };
    clients = {
      dynamo: new DynamoDBClient(config),
      kms: new KMSClient(config),
      lambda: new LambdaClient(config),
      secrets: new SecretsManagerClient(config),
      sqs: new SQSClient(config),
    };

    // The OAuth client is registered with the redirect URI the stack printed, and given to the stack.
    const client = google.control.registerClient({
      redirectUris: [outputs.OAuthRedirectUri],
      requirePkce: true,
    });
    google.control.createUser({ email: SUBSCRIBER_EMAIL });
    await clients.secrets.send(
      new PutSecretValueCommand({
        SecretId: outputs.GoogleClientSecretArn,
        SecretString: JSON.stringify({ clientId: client.clientId, clientSecret: client.clientSecret }),
      }),
    );
    // Only change notifications read the host keys here (token_only); set anyway, as an operator would.
    await clients.secrets.send(
      new PutSecretValueCommand({
        SecretId: outputs.HostKeysSecretArn,
        SecretString: JSON.stringify({ 'e2e-1': randomBytes(32).toString('hex') }),
      }),
    );

    // The table name from the tick's own configuration (the stack has no output for it).
    await waitUntilFunctionActiveV2(
      { client: clients.lambda, maxWaitTime: 300 },
      { FunctionName: outputs.SchedulerTickFunctionName },
    );
    const tick = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: outputs.SchedulerTickFunctionName }),
    );
    connectionsTable = tick.Environment?.Variables?.CONNECTIONS_TABLE ?? '';
    expect(connectionsTable, 'CONNECTIONS_TABLE of the tick function').not.toBe('');

    // The subscriber id the functions derive, from the generated key (as lambdas/oauth/rules/feed-token.ts does).
    const identity = new SubscriberIdentity(async () => {
      const { SecretString } = await clients.secrets.send(
        new GetSecretValueCommand({ SecretId: outputs.SubscriberIdKeySecretArn }),
      );
      return SecretString ?? '';
    });
    subscriberId = await identity.subscriberIdFor(feedToken);
  }, DEPLOY_TIMEOUT);

  afterAll(async () => {
    try {
      if (deployAttempted && !KEEP_STACK) await cdklocal('destroy');
      else if (deployAttempted)
        process.stderr.write(`LocalStack suite: kept ${STACK_NAME} (KEEP_LOCALSTACK_STACK=1)\n`);
    } finally {
      await Promise.all([google?.close(), feeds.close()]);
    }
  }, DESTROY_TIMEOUT);

  it(
    'answers through API Gateway: status without a token is 401 with a JSON reason',
    async () => {
      // Also waits out the OAuth function's first start.
      const response = await pollFor(
        'the API to answer',
        async () => {
          const answer = await fetch(apiUrl('/api/google-oauth/status'), {
            signal: AbortSignal.timeout(2 * MINUTE),
          });
          return answer.status >= 500 ? undefined : answer;
        },
        { timeoutMs: COLD_START_TIMEOUT, intervalMs: 5_000 },
      );
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/json/);
      expect(await response.json()).toMatchObject({ error: 'missing_token' });
    },
    COLD_START_TIMEOUT + MINUTE,
  );

  it(
    'starts a connect: 302 to the emulator consent page and a browser-binding cookie',
    async () => {
      const response = await fetch(apiUrl('/api/google-oauth/start'), {
        method: 'POST',
        body: new URLSearchParams({ token: feedToken, return_to: RETURN_TO }),
        headers: { Origin: new URL(RETURN_TO).origin },
        redirect: 'manual',
      });
      expect(response.status, await responseSummary(response)).toBe(302);
      consentUrl = response.headers.get('location') ?? '';
      const consent = new URL(consentUrl);
      expect(consent.origin + consent.pathname).toBe(
        new URL('o/oauth2/v2/auth', googleForLambdas).toString(),
      );
      expect(Object.fromEntries(consent.searchParams)).toMatchObject({
        response_type: 'code',
        redirect_uri: outputs.OAuthRedirectUri,
        access_type: 'offline',
        code_challenge_method: 'S256',
      });
      expect(consent.searchParams.get('scope')).toContain(SCOPES.appCreated);
      expect(consentUrl).not.toContain(feedToken);
      const cookie = response.headers.getSetCookie().find((line) => line.startsWith('__Host-gcal_oauth_'));
      expect(cookie, 'the binding cookie').toBeDefined();
      bindingCookie = (cookie as string).split(';')[0] as string;
    },
    2 * MINUTE,
  );

  it(
    'completes the connect: consent, then the callback returns to return_to with google=connected',
    async () => {
      expect(consentUrl, 'needs the previous step').not.toBe('');
      // The consent page is the emulator's, which this process reaches on 127.0.0.1.
      const redirect = await submitConsent(withOrigin(consentUrl, googleHere), { email: SUBSCRIBER_EMAIL });
      expect(redirect.origin + redirect.pathname).toBe(outputs.OAuthRedirectUri);
      expect(redirect.searchParams.get('code')).toBeTruthy();

      const response = await fetch(toLocalStackUrl(endpoint, redirect.toString()), {
        headers: { Cookie: bindingCookie },
        redirect: 'manual',
      });
      expect(response.status, await responseSummary(response)).toBe(302);
      expect(response.headers.get('location')).toBe(`${RETURN_TO}?google=connected`);
    },
    2 * MINUTE,
  );

  it(
    'stores the connection in DynamoDB with KMS ciphertexts, never the tokens',
    async () => {
      const { Item: item } = await clients.dynamo.send(
        new GetItemCommand({ TableName: connectionsTable, Key: { subscriberId: { S: subscriberId } } }),
      );
      expect(item, `a connection item for the subscriber in ${connectionsTable}`).toBeDefined();
      const text = (name: string) => (item as Record<string, AttributeValue>)[name]?.S ?? '';
      expect(text('status')).toBe('connected');
      calendarId = text('calendarId');
      expect(calendarId).not.toBe('');
      expect(JSON.stringify(item)).not.toContain(feedToken);

      const refresh = text('refreshTokenCiphertext');
      const feedCopy = text('feedTokenCiphertext');
      expect(refresh).toMatch(/^kms1:[A-Za-z0-9+/]+={0,2}$/);
      expect(feedCopy).toMatch(/^kms1:[A-Za-z0-9+/]+={0,2}$/);
      const decrypt = async (ciphertext: string, purpose: string) => {
        const { Plaintext } = await clients.kms.send(
          new DecryptCommand({
            CiphertextBlob: Buffer.from(ciphertext.slice('kms1:'.length), 'base64'),
            EncryptionContext: { subscriberId, purpose },
          }),
        );
        return Buffer.from(Plaintext ?? new Uint8Array()).toString('utf8');
      };
      // Real KMS ciphertexts, bound to their context: the feed token comes back only under its own purpose.
      expect(await decrypt(feedCopy, 'feed_token')).toBe(feedToken);
      expect((await decrypt(refresh, 'google_refresh_token')).length).toBeGreaterThan(0);
      await expect(decrypt(feedCopy, 'google_refresh_token')).rejects.toThrow();
    },
    MINUTE,
  );

  it(
    'the tick, invoked by hand, enqueues the connected subscriber',
    async () => {
      const invoked = await clients.lambda.send(
        new InvokeCommand({
          FunctionName: outputs.SchedulerTickFunctionName,
          Payload: new TextEncoder().encode('{}'),
        }),
      );
      const payload = new TextDecoder().decode(invoked.Payload ?? new Uint8Array());
      expect(invoked.FunctionError, payload).toBeUndefined();
      expect((JSON.parse(payload) as { enqueued: number }).enqueued).toBeGreaterThanOrEqual(1);

      // The message waits in the queue for the subscriber's slot in the interval (15 minutes by default); a
      // slot of a few seconds could be consumed before it is counted.
      if (spreadDelaySeconds(subscriberId, 15 * 60) >= 10) {
        const delayed = await pollFor(
          'a delayed message in the sync queue',
          async () => {
            const { Attributes } = await clients.sqs.send(
              new GetQueueAttributesCommand({
                QueueUrl: outputs.SyncQueueUrl,
                AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
              }),
            );
            const count = Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
            return count >= 1 ? count : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 1_000 },
        );
        expect(delayed).toBeGreaterThanOrEqual(1);
      }
    },
    COLD_START_TIMEOUT,
  );

  it(
    "the worker, fed by the queue, fills the dedicated calendar with the feed's events",
    async () => {
      expect(calendarId, 'needs the connection').not.toBe('');
      const summaries = await pollFor(
        "the feed's events in the dedicated calendar",
        async () => {
          const calendar = google?.control.state().calendars.find((c) => c.id === calendarId);
          const present = (calendar?.events ?? [])
            .filter((event) => event.status !== 'cancelled')
            .map((event) => String(event.summary));
          return feed.summaries.every((summary) => present.includes(summary)) ? present : undefined;
        },
        { timeoutMs: SYNC_TIMEOUT, intervalMs: 3_000 },
      );
      expect([...summaries].sort()).toEqual([...feed.summaries].sort());
      const calendar = google?.control.state().calendars.find((c) => c.id === calendarId);
      expect(calendar?.owner).toBe(SUBSCRIBER_EMAIL);
    },
    SYNC_TIMEOUT + MINUTE,
  );

  it('leaves nothing in the dead-letter queue', async () => {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: outputs.DeadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages ?? 0)).toBe(0);
    expect(Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)).toBe(0);
  });
});

/** Status and the start of the body, for an assertion message (bodies here carry no secrets). */
async function responseSummary(response: Response): Promise<string> {
  const body = await response.clone().text();
  return `HTTP ${response.status}: ${body.slice(0, 300)}`;
}
