/**
 * The LocalStack suite's own machinery, checked without LocalStack: the health probe (against servers that
 * answer like LocalStack, like something else, slowly, or not at all), the skip notice, API Gateway URLs, the
 * outputs file, and the cdklocal command lines of `npm run local:*`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SCOPES, startGoogleEmulator } from '../../emulator/google/index.ts';
import { defaultHorizon, mapFeed, resolveTimeZoneName } from '../../lambdas/shared/domain/ics/index.ts';
import {
  cdklocalCommands,
  cdklocalEnvironment,
  contextKeysIn,
  EXAMPLE_CONTEXT,
  OUTPUTS_FILE,
  UsageError,
} from '../../tools/localstack-deploy.ts';
import { FeedServer } from '../support/feed-server.ts';
import { submitConsent } from '../support/google-emulator.ts';
import {
  DEFAULT_LOCALSTACK_ENDPOINT,
  e2eFeed,
  hostAddressForContainers,
  localStackApiUrl,
  localStackAwsSettings,
  localStackEndpoint,
  pollFor,
  probeLocalStack,
  readStackOutputs,
  restApiOf,
  skipNotice,
  toLocalStackUrl,
  unusableServices,
  withOrigin,
} from './helpers.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A local server answering every request with `handler`; resolves with its base URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const HEALTH = {
  services: { lambda: 'available', sqs: 'running', dynamodb: 'available', kms: 'available' },
  edition: 'community',
  version: '4.9.0',
};

describe('probeLocalStack', () => {
  it('finds LocalStack where /_localstack/health answers its JSON', async () => {
    const paths: string[] = [];
    const url = await serve((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(HEALTH));
    });
    const probe = await probeLocalStack(`${url}/`);
    expect(probe).toEqual({
      reachable: true,
      services: HEALTH.services,
      edition: 'community',
      version: '4.9.0',
    });
    expect(paths).toEqual(['/_localstack/health']);
  });

  it('finds nothing where no server listens', async () => {
    const url = await closedPort();
    const probe = await probeLocalStack(url);
    expect(probe.reachable).toBe(false);
    expect(probe).toMatchObject({ reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('finds nothing behind another server: an HTML page, a JSON without services, an error status', async () => {
    const html = await serve((_, response) => response.writeHead(200).end('<html>hello</html>'));
    const otherJson = await serve((_, response) => response.writeHead(200).end('{"status":"ok"}'));
    const failing = await serve((_, response) => response.writeHead(503).end(JSON.stringify(HEALTH)));
    expect(await probeLocalStack(html)).toMatchObject({
      reachable: false,
      reason: expect.stringContaining('JSON'),
    });
    expect(await probeLocalStack(otherJson)).toMatchObject({
      reachable: false,
      reason: expect.stringContaining('not LocalStack'),
    });
    expect(await probeLocalStack(failing)).toMatchObject({
      reachable: false,
      reason: expect.stringContaining('HTTP 503'),
    });
  });

  it('gives up on a server that does not answer, within the timeout', async () => {
    const url = await serve(() => {}); // accepts, never answers
    const started = Date.now();
    const probe = await probeLocalStack(url, { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(probe).toMatchObject({ reachable: false, reason: expect.stringContaining('within 200 ms') });
  });

  it('judges only services reported disabled or failed', () => {
    expect(unusableServices(HEALTH.services)).toEqual([]);
    expect(
      unusableServices({ lambda: 'disabled', sqs: 'error', dynamodb: 'running', textract: 'disabled' }),
    ).toEqual(['lambda', 'sqs']);
  });
});

describe('settings and the skip notice', () => {
  it('reads LOCALSTACK_ENDPOINT and LOCALSTACK_HOST_ADDRESS, with defaults', () => {
    expect(localStackEndpoint({})).toBe('http://127.0.0.1:4566');
    expect(DEFAULT_LOCALSTACK_ENDPOINT).toBe('http://127.0.0.1:4566');
    expect(localStackEndpoint({ LOCALSTACK_ENDPOINT: ' http://localstack:4566/ ' })).toBe(
      'http://localstack:4566',
    );
    expect(hostAddressForContainers({})).toBe('host.docker.internal');
    expect(hostAddressForContainers({ LOCALSTACK_HOST_ADDRESS: '172.17.0.1' })).toBe('172.17.0.1');
  });

  it('says why the suite is skipped and how to run it', () => {
    expect(skipNotice('http://127.0.0.1:4566')).toBe(
      'LocalStack suite skipped: no LocalStack at http://127.0.0.1:4566 (start LocalStack and run npm run test:localstack; see README, LocalStack)',
    );
  });

  it('uses the credentials and region cdklocal deploys with', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'x' };
    // cdklocal drops AWS_* variables that AWS_ENVAR_ALLOWLIST does not name.
    expect(localStackAwsSettings(env)).toEqual({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    expect(localStackAwsSettings({ ...env, AWS_ENVAR_ALLOWLIST: 'AWS_REGION, AWS_ACCESS_KEY_ID' })).toEqual({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'test' },
    });
  });
});

describe('API Gateway URLs', () => {
  it('finds the API id, stage and region in the stack outputs', () => {
    expect(restApiOf('https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev/')).toEqual({
      apiId: 'a1b2c3d4e5',
      stage: 'dev',
      region: 'us-east-1',
      path: '/',
    });
    expect(
      restApiOf('https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/dev/api/google-oauth/callback'),
    ).toEqual({
      apiId: 'a1b2c3d4e5',
      stage: 'dev',
      region: 'eu-central-1',
      path: '/api/google-oauth/callback',
    });
  });

  it("reads LocalStack's two URL forms (no region in either)", () => {
    expect(restApiOf('http://a1b2c3d4e5.execute-api.localhost.localstack.cloud:4566/dev/api/x')).toEqual({
      apiId: 'a1b2c3d4e5',
      stage: 'dev',
      path: '/api/x',
    });
    expect(restApiOf('http://127.0.0.1:4566/restapis/a1b2c3d4e5/dev/_user_request_/api/x')).toEqual({
      apiId: 'a1b2c3d4e5',
      stage: 'dev',
      path: '/api/x',
    });
    expect(restApiOf('http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4e5/dev/api/x')).toEqual({
      apiId: 'a1b2c3d4e5',
      stage: 'dev',
      path: '/api/x',
    });
  });

  it('refuses URLs that name no REST API stage', () => {
    expect(() => restApiOf('https://cal.example.com/dev/')).toThrow(/not a REST API stage URL/);
    expect(() => restApiOf('https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/')).toThrow();
  });

  it("builds LocalStack's path form, and moves an AWS URL (with its query) onto it", () => {
    const api = { apiId: 'a1b2c3d4e5', stage: 'dev' };
    expect(localStackApiUrl('http://127.0.0.1:4566/', api, '/api/google-oauth/status')).toBe(
      'http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4e5/dev/api/google-oauth/status',
    );
    expect(localStackApiUrl('http://127.0.0.1:4566', api, 'api/google-sync')).toBe(
      'http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4e5/dev/api/google-sync',
    );
    expect(
      toLocalStackUrl(
        'http://127.0.0.1:4566',
        'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev/api/google-oauth/callback?code=c%2F1&state=s',
      ),
    ).toBe(
      'http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4e5/dev/api/google-oauth/callback?code=c%2F1&state=s',
    );
  });

  it("moves the consent URL from the containers' view of the emulator to this process's", () => {
    expect(
      withOrigin(
        'http://host.docker.internal:41234/o/oauth2/v2/auth?client_id=a&state=b',
        'http://127.0.0.1:41234/',
      ),
    ).toBe('http://127.0.0.1:41234/o/oauth2/v2/auth?client_id=a&state=b');
  });
});

describe('stack outputs', () => {
  const outputs = {
    ApiUrl: 'https://a1.execute-api.us-east-1.amazonaws.com/dev/',
    OAuthRedirectUri: 'https://a1.execute-api.us-east-1.amazonaws.com/dev/api/google-oauth/callback',
    GoogleClientSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:GoogleClientSecret-abc',
    SubscriberIdKeySecretArn:
      'arn:aws:secretsmanager:us-east-1:000000000000:secret:SubscriberIdKeySecret-abc',
    HostKeysSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:HostKeysSecret-abc',
    SyncQueueUrl: 'http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q',
    DeadLetterQueueUrl: 'http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/dlq',
    SchedulerTickFunctionName: 'IcsGoogleSync-dev-SchedulerTickFunction-abc',
  };

  it("reads one stack's outputs from an outputs file", () => {
    expect(
      readStackOutputs({ 'IcsGoogleSync-dev': { ...outputs, Extra: 'x' } }, 'IcsGoogleSync-dev'),
    ).toEqual(outputs);
  });

  it('names a missing stack or missing outputs', () => {
    expect(() => readStackOutputs({ Other: outputs }, 'IcsGoogleSync-dev')).toThrow(
      /stacks in the file: Other/,
    );
    const { SyncQueueUrl: _, ...partial } = outputs;
    expect(() => readStackOutputs({ 'IcsGoogleSync-dev': partial }, 'IcsGoogleSync-dev')).toThrow(
      /lacks the outputs SyncQueueUrl/,
    );
  });
});

describe('npm run local:* (tools/localstack-deploy.ts)', () => {
  it('bootstraps, removes a stack already there, then deploys with target=localstack, no prompt, an outputs file', () => {
    const [bootstrap, destroy, deploy] = cdklocalCommands('deploy', { env: {} });
    expect(bootstrap?.[0]).toBe('bootstrap');
    // LocalStack cannot update a stage after a route change: a deploy over a stack replaces it.
    expect(destroy?.slice(0, 2)).toEqual(['destroy', '--force']);
    expect(deploy?.[0]).toBe('deploy');
    for (const args of [bootstrap, destroy, deploy]) {
      expect(args?.join(' ')).toContain('-c target=localstack');
      expect(args?.join(' ')).toContain('--output .localstack/cdk.out');
    }
    expect(deploy?.join(' ')).toContain(`--require-approval never --outputs-file ${OUTPUTS_FILE}`);
    expect(OUTPUTS_FILE).toBe('.localstack/outputs.json');
  });

  it('fills in example feed and return-to values unless -c or the environment gives them', () => {
    const [bootstrap] = cdklocalCommands('bootstrap', { env: {} });
    expect(contextKeysIn(bootstrap ?? [])).toEqual(
      new Set(['target', 'feedUrlTemplate', 'returnToAllowList']),
    );
    expect(bootstrap).toContain(`feedUrlTemplate=${EXAMPLE_CONTEXT.feedUrlTemplate}`);

    const [fromEnv] = cdklocalCommands('bootstrap', { env: { FEED_URL_TEMPLATE: 'http://h/{token}' } });
    expect(contextKeysIn(fromEnv ?? [])).toEqual(new Set(['target', 'returnToAllowList']));

    const [fromArgs] = cdklocalCommands('bootstrap', {
      env: {},
      extraArgs: ['--context', 'returnToAllowList=http://x/', '--context=feedUrlTemplate=http://h/{token}'],
    });
    expect(fromArgs?.filter((arg) => arg.includes('returnToAllowList'))).toEqual([
      'returnToAllowList=http://x/',
    ]);
    expect(fromArgs?.join(' ')).not.toContain(EXAMPLE_CONTEXT.feedUrlTemplate);
  });

  it('destroys without a prompt, and refuses another target', () => {
    expect(cdklocalCommands('destroy', { env: {} })).toEqual([
      expect.arrayContaining(['destroy', '--force', 'target=localstack']),
    ]);
    expect(() => cdklocalCommands('deploy', { env: {}, extraArgs: ['-c', 'target=aws'] })).toThrow(
      UsageError,
    );
  });

  it('hands a non-default LOCALSTACK_ENDPOINT to cdklocal, never over explicit endpoint variables', () => {
    expect(
      cdklocalEnvironment({ LOCALSTACK_ENDPOINT: 'http://127.0.0.1:4566' }).AWS_ENDPOINT_URL,
    ).toBeUndefined();
    expect(cdklocalEnvironment({ LOCALSTACK_ENDPOINT: 'http://10.0.0.5:4566/' })).toMatchObject({
      AWS_ENDPOINT_URL: 'http://10.0.0.5:4566',
      AWS_ENDPOINT_URL_S3: 'http://10.0.0.5:4566',
    });
    expect(
      cdklocalEnvironment({
        LOCALSTACK_ENDPOINT: 'http://10.0.0.5:4566',
        AWS_ENDPOINT_URL: 'http://mine:4566',
      }).AWS_ENDPOINT_URL,
    ).toBe('http://mine:4566');
  });
});

describe('suite helpers', () => {
  it('polls until a value comes, and names what it waited for when it does not', async () => {
    let calls = 0;
    expect(
      await pollFor('three calls', async () => (++calls >= 3 ? calls : undefined), {
        timeoutMs: 1_000,
        intervalMs: 10,
      }),
    ).toBe(3);
    await expect(
      pollFor(
        'the impossible',
        async () => {
          throw new Error('still broken');
        },
        { timeoutMs: 50, intervalMs: 10 },
      ),
    ).rejects.toThrow(/waiting for the impossible \(still broken\)/);
  });

  it('writes a feed of three events in the horizon, CRLF-terminated', () => {
    const { text, summaries } = e2eFeed(new Date('2026-03-10T12:00:00Z'));
    expect(summaries).toEqual(['E2E planning', 'E2E review', 'E2E weekly']);
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(text).toMatch(/END:VCALENDAR\r\n$/);
    expect(text).toContain('DTSTART:20260311T090000Z\r\n');
    expect(text).toContain('RRULE:FREQ=WEEKLY;COUNT=3\r\n');
    expect(text.split('\r\n').filter((line) => line === 'BEGIN:VEVENT')).toHaveLength(3);
  });

  it("is what the product's mapping turns into three events, without warnings", () => {
    const now = new Date();
    const { events, warnings } = mapFeed(e2eFeed(now).text, {
      salt: 'e2e',
      horizon: defaultHorizon(now),
      defaultTimeZone: resolveTimeZoneName('UTC', now.getUTCFullYear()) as NonNullable<
        ReturnType<typeof resolveTimeZoneName>
      >,
    });
    expect(warnings).toEqual([]);
    expect(events.map((event) => event.summary).sort()).toEqual(['E2E planning', 'E2E review', 'E2E weekly']);
  });
});

describe('the host side of the flow, as the suite runs it', () => {
  it('serves the emulator and the feeds on all interfaces, reached here on 127.0.0.1', async () => {
    const google = await startGoogleEmulator({ host: '0.0.0.0', port: 0 });
    const feeds = new FeedServer();
    await feeds.start({ host: '0.0.0.0' });
    try {
      feeds.feeds.set('token-12345', e2eFeed(new Date()).text);
      expect(feeds.url).toBe(`http://127.0.0.1:${feeds.port}`);
      expect((await fetch(`${feeds.url}/ics/token-12345.ics`)).status).toBe(200);

      // The consent URL names the emulator as the containers reach it; the suite opens it on 127.0.0.1 and
      // sends Google's redirect (to the API as AWS names it) to LocalStack's path form.
      const port = new URL(google.baseUrl).port;
      const redirectUri =
        'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev/api/google-oauth/callback';
      const client = google.control.registerClient({ redirectUris: [redirectUri], requirePkce: true });
      const consentUrl = new URL(`http://host.docker.internal:${port}/o/oauth2/v2/auth`);
      for (const [name, value] of Object.entries({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        scope: SCOPES.appCreated,
        state: 'state-1',
        access_type: 'offline',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })) {
        consentUrl.searchParams.set(name, value);
      }
      const redirect = await submitConsent(withOrigin(consentUrl.toString(), `http://127.0.0.1:${port}/`), {
        email: 'e2e-subscriber@example.com',
      });
      expect(redirect.origin + redirect.pathname).toBe(redirectUri);
      expect(redirect.searchParams.get('state')).toBe('state-1');
      expect(redirect.searchParams.get('code')).toBeTruthy();
      expect(toLocalStackUrl('http://127.0.0.1:4566', redirect.toString())).toBe(
        `http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4e5/dev/api/google-oauth/callback${redirect.search}`,
      );
    } finally {
      await Promise.all([google.close(), feeds.close()]);
    }
  });
});
