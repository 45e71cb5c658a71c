import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext, restEvent } from '../../support/api-gateway.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { FeedServer } from '../../support/feed-server.ts';
import { BASE, calendarFeed } from './harness.ts';

/** The Lambda entry point wires itself from the environment alone (its composition's default path). */
describe('lambdas/oauth/index.ts', () => {
  let dynamo: TestDynamo;
  const feeds = new FeedServer();
  beforeAll(async () => {
    dynamo = await startDynamo();
    await feeds.start();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([dynamo.close(), feeds.close()]);
  });

  const importHandler = async () => {
    vi.resetModules();
    return (await import('../../../lambdas/oauth/index.ts')).handler;
  };

  it('answers with a generic 500 (no detail) when the configuration is incomplete', async () => {
    vi.stubEnv('CONNECTIONS_TABLE', '');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const handler = await importHandler();
    const response = await handler(restEvent({ method: 'GET', path: `${BASE}/status` }), lambdaContext());
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/CONNECTIONS_TABLE|invalid configuration/);
  });

  it('builds its adapters from the environment, once, and serves requests', async () => {
    const env: Record<string, string> = {
      CONNECTIONS_TABLE: dynamo.tableNames.connections,
      SYNC_STATE_TABLE: dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: dynamo.tableNames.eventMap,
      OAUTH_STATES_TABLE: dynamo.tableNames.oauthStates,
      RATE_LIMITS_TABLE: dynamo.tableNames.rateLimits,
      FEED_URL_TEMPLATE: `${feeds.url}/ics/{token}.ics`,
      OAUTH_REDIRECT_URI: 'https://api.example.test/api/google-oauth/callback',
      RETURN_TO_ALLOWLIST: 'https://app.example.test/',
      DEFAULT_RETURN_TO: 'https://app.example.test/',
      GOOGLE_API_BASE_URL: 'http://127.0.0.1:9',
      GOOGLE_CLIENT_ID: 'client',
      GOOGLE_CLIENT_SECRET: 'secret',
      LOCAL_CIPHER_KEY: Buffer.alloc(32, 3).toString('base64'),
      SUBSCRIBER_ID_SECRET: 'entry-point-test-secret-long-enough-1234',
      SYNC_QUEUE_URL: 'http://127.0.0.1:9/queue/sync',
      HOST_KEYS: `host:${Buffer.alloc(32, 5).toString('base64')}`,
      HOST_NONCES_TABLE: dynamo.tableNames.hostNonces,
      DYNAMODB_ENDPOINT: await endpointOf(dynamo),
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const handler = await importHandler();
    feeds.feeds.set('entry-point-token-1', calendarFeed());
    const status = await handler(
      restEvent({
        method: 'GET',
        path: `${BASE}/status`,
        headers: { Authorization: 'Bearer entry-point-token-1' },
      }),
      lambdaContext(),
    );
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ status: 'not_connected' });
    const unknown = await handler(
      restEvent({
        method: 'GET',
        path: `${BASE}/status`,
        headers: { Authorization: 'Bearer entry-point-token-2' },
      }),
      lambdaContext(),
    );
    expect(unknown.statusCode).toBe(401);
  });
});

/** The dynalite URL the test client talks to. */
async function endpointOf(dynamo: TestDynamo): Promise<string> {
  const endpoint = (await dynamo.client.config.endpoint?.()) as {
    protocol: string;
    hostname: string;
    port?: number;
  };
  return `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`;
}
