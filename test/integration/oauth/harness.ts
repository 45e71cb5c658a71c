import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { EmulatorOverrides, RegisteredClient } from '../../../emulator/google/index.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../../emulator/google/index.ts';
import { CONSENT_PATH } from '../../../emulator/google/oauth/consent-page.ts';
import { buildOAuthServices } from '../../../lambdas/oauth/compose.ts';
import { parseOAuthConfig } from '../../../lambdas/oauth/config.ts';
import type { OAuthDependencies } from '../../../lambdas/oauth/dependencies.ts';
import { createOAuthHandler } from '../../../lambdas/oauth/router.ts';
import { CookieJar, header, lambdaContext, type RestRequest, restEvent } from '../../support/api-gateway.ts';
import { ManualClock } from '../../support/clock.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';
import { FeedServer } from '../../support/feed-server.ts';

export const SCOPE = 'https://www.googleapis.com/auth/calendar.app.created';
export const REDIRECT_URI = 'https://api.example.test/api/google-oauth/callback';
export const RETURN_TO = 'https://app.example.test/settings';
export const DEFAULT_RETURN_TO = 'https://app.example.test/';
export const BASE = '/api/google-oauth';

/** An empty feed, named (X-WR-CALNAME, raw as written in the feed) when `name` is given. */
export const calendarFeed = (name?: string): string =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${name === undefined ? '' : `X-WR-CALNAME:${name}\r\n`}END:VCALENDAR\r\n`;

/**
 * The keys the host signs connect intents with (two, as during a rotation; one key id with a dot, which the
 * format allows), written in base64 and hex.
 */
export const INTENT_KEYS = { current: randomBytes(32), previous: randomBytes(32) };
export const INTENT_KEY_IDS = { current: 'intent-2026', previous: 'intent.2025' };
export const INTENT_KEYS_ENV = `${INTENT_KEY_IDS.current}:${INTENT_KEYS.current.toString('base64')},${INTENT_KEY_IDS.previous}:${INTENT_KEYS.previous.toString('hex')}`;

export type IntentAction = 'connect' | 'disconnect' | 'delete_calendar';

export interface MintOptions {
  /** "" (none) by default. */
  returnTo?: string;
  /** Epoch seconds; 10 minutes after `now` by default. */
  expiresAt?: number;
  now?: Date;
  nonce?: string;
  keyId?: string;
  key?: Buffer;
  /** The optional `label` member: the host's name for the calendar. */
  label?: string;
}

/**
 * A connect intent as the host's server mints it, written from the README's description (not the product's
 * code): "v1." kid "." base64url(JSON payload) "." base64url(HMAC-SHA256(key, "v1." kid "." payload)).
 */
export function mintIntent(action: IntentAction, feedToken: string, options: MintOptions = {}): string {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const payload = Buffer.from(
    JSON.stringify({
      action,
      feed: createHash('sha256').update(feedToken).digest('hex'),
      exp: options.expiresAt ?? now + 600,
      nonce: options.nonce ?? randomBytes(18).toString('base64url'),
      return_to: options.returnTo ?? '',
      ...(options.label === undefined ? {} : { label: options.label }),
    }),
  ).toString('base64url');
  const signed = `v1.${options.keyId ?? INTENT_KEY_IDS.current}.${payload}`;
  const mac = createHmac('sha256', options.key ?? INTENT_KEYS.current)
    .update(signed)
    .digest('base64url');
  return `${signed}.${mac}`;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Tests that read the logs ask for INFO; the others keep the output quiet. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  emulator?: EmulatorOverrides;
}

/** Everything the OAuth routes talk to, for real: dynalite, fauxqs, the Google emulator over HTTP, a feed server. */
export class OAuthHarness {
  dynamo!: TestDynamo;
  sqs!: TestSqs;
  google!: GoogleEmulator;
  client!: RegisteredClient;
  feeds = new FeedServer();
  clock = new ManualClock();
  queueUrl = '';
  services!: OAuthDependencies;
  handler!: ReturnType<typeof createOAuthHandler>;
  /** The environment the OAuth function was configured from. */
  env: Record<string, string> = {};
  private ipCounter = 0;
  private logLevel: NonNullable<HarnessOptions['logLevel']> = 'SILENT';

  async open(options: HarnessOptions = {}): Promise<this> {
    [this.dynamo, this.sqs, this.google] = await Promise.all([
      startDynamo(),
      startSqs(),
      startGoogleEmulator({ now: () => this.clock.now(), ...options.emulator }),
      this.feeds.start(),
    ]);
    this.client = this.google.control.registerClient({ redirectUris: [REDIRECT_URI], requirePkce: true });
    this.queueUrl = await this.sqs.createQueue('sync');
    const env = {
      CONNECTIONS_TABLE: this.dynamo.tableNames.connections,
      SYNC_STATE_TABLE: this.dynamo.tableNames.syncState,
      EVENT_MAP_TABLE: this.dynamo.tableNames.eventMap,
      DATA_KEYS_TABLE: this.dynamo.tableNames.dataKeys,
      OAUTH_STATES_TABLE: this.dynamo.tableNames.oauthStates,
      RATE_LIMITS_TABLE: this.dynamo.tableNames.rateLimits,
      FEED_URL_TEMPLATE: `${this.feeds.url}/ics/{token}.ics`,
      OAUTH_REDIRECT_URI: REDIRECT_URI,
      RETURN_TO_ALLOWLIST: `${RETURN_TO},${DEFAULT_RETURN_TO}`,
      DEFAULT_RETURN_TO,
      GOOGLE_API_BASE_URL: this.google.baseUrl,
      GOOGLE_CLIENT_ID: this.client.clientId,
      GOOGLE_CLIENT_SECRET: this.client.clientSecret,
      LOCAL_CIPHER_KEY: Buffer.alloc(32, 7).toString('base64'),
      SUBSCRIBER_ID_SECRET: 'test-subscriber-id-secret-of-enough-length',
      SYNC_QUEUE_URL: this.queueUrl,
      CALENDAR_NAME: 'My ICS feed',
      CALENDAR_TIME_ZONE: 'Europe/Berlin',
      HOST_KEYS: INTENT_KEYS_ENV,
      HOST_NONCES_TABLE: this.dynamo.tableNames.hostNonces,
      ...options.env,
    };
    this.logLevel = options.logLevel ?? 'SILENT';
    this.configure(env);
    return this;
  }

  /**
   * The operator moved the service to another OAuth client of the same project (a new client id and secret):
   * the OAuth function is configured anew, on the same tables, queue and Google.
   */
  useClient(client: RegisteredClient): void {
    this.client = client;
    this.configure({
      ...this.env,
      GOOGLE_CLIENT_ID: client.clientId,
      GOOGLE_CLIENT_SECRET: client.clientSecret,
    });
  }

  private configure(env: Record<string, string>): void {
    this.env = env;
    const config = parseOAuthConfig(env);
    const logger = new Logger({ serviceName: 'google-oauth-test', logLevel: this.logLevel });
    this.services = buildOAuthServices(config, {
      dynamo: this.dynamo.client,
      sqs: this.sqs.client,
      clock: this.clock,
      logger,
      env,
    });
    this.handler = createOAuthHandler(() => this.services, logger);
  }

  async close(): Promise<void> {
    await Promise.all([this.dynamo.close(), this.sqs.close(), this.google.close(), this.feeds.close()]);
  }

  /** A fresh client IP per call by default, so per-IP limits only bite where a test wants them to. */
  invoke(request: RestRequest): Promise<APIGatewayProxyResult> {
    this.ipCounter += 1;
    const sourceIp = request.sourceIp ?? `198.51.${Math.floor(this.ipCounter / 250)}.${this.ipCounter % 250}`;
    return this.handler(restEvent({ ...request, sourceIp }), lambdaContext());
  }

  newFeedToken(): string {
    const token = `feed-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    this.feeds.feeds.set(token, calendarFeed());
    return token;
  }

  async subscriberIdOf(feedToken: string): Promise<string> {
    return this.services.identity.subscriberIdFor(feedToken);
  }

  /** Whether the OAuth function was configured to require connect intents (the default). */
  get intentsRequired(): boolean {
    return this.env.CONNECT_INTENTS !== 'token_only';
  }

  /** An intent minted at the harness clock's now (see mintIntent). */
  mintIntent(action: IntentAction, feedToken: string, options: MintOptions = {}): string {
    return mintIntent(action, feedToken, { now: this.clock.date(), ...options });
  }

  /**
   * The connect button on the host's settings page: POST start from the host's origin with the feed token, the
   * return_to and a fresh connect intent (none in token_only mode). The answer plus the browser's cookie jar.
   */
  async begin(feedToken: string, returnTo: string | undefined = RETURN_TO, jar = new CookieJar()) {
    const intent = this.intentsRequired
      ? this.mintIntent('connect', feedToken, { returnTo: returnTo ?? '' })
      : undefined;
    const response = await this.postStart({
      token: feedToken,
      ...(returnTo === undefined ? {} : { return_to: returnTo }),
      ...(intent ? { intent } : {}),
    });
    jar.store(response);
    return { response, jar };
  }

  /** POST start as a form from `origin` (the host's page by default). */
  postStart(fields: Record<string, string>, origin = new URL(RETURN_TO).origin, sourceIp?: string) {
    return this.invoke({
      method: 'POST',
      path: `${BASE}/start`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
      body: new URLSearchParams(fields).toString(),
      ...(sourceIp ? { sourceIp } : {}),
    });
  }

  /** GET start (the documented link): the confirmation page. */
  confirmationPage(query: Record<string, string>, headers: Record<string, string> = {}) {
    return this.invoke({ method: 'GET', path: `${BASE}/start`, query, headers });
  }

  /**
   * Follows Google's consent page like a browser: loads it, picks the account, leaves boxes ticked (or not), and
   * submits. Returns the redirect Google answers with (to the callback), as query parameters.
   */
  async consent(
    authorizationUrl: string,
    {
      email = 'ada@example.com',
      decision = 'allow',
      scopes,
    }: { email?: string; decision?: 'allow' | 'deny'; scopes?: string[] } = {},
  ): Promise<URLSearchParams> {
    const page = await (await fetch(authorizationUrl)).text();
    const requestId = /name="request" value="([^"]+)"/.exec(page)?.[1];
    if (!requestId) throw new Error(`no consent form in: ${page.slice(0, 300)}`);
    const ticked =
      scopes ?? [...page.matchAll(/name="scope" value="([^"]+)" checked/g)].map((m) => m[1] as string);
    const form = new URLSearchParams({ request: requestId, user: email, decision });
    for (const scope of ticked) form.append('scope', scope);
    const answer = await fetch(new URL(CONSENT_PATH, this.google.baseUrl), {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    const location = answer.headers.get('location');
    if (!location) throw new Error(`consent answered ${answer.status} without a redirect`);
    const target = new URL(location);
    if (target.origin + target.pathname !== REDIRECT_URI) throw new Error('consent redirected elsewhere');
    return target.searchParams;
  }

  /** The callback as the browser calls it after Google's redirect. */
  callback(params: URLSearchParams | Record<string, string>, jar?: CookieJar, sourceIp?: string) {
    return this.invoke({
      method: 'GET',
      path: `${BASE}/callback`,
      query: Object.fromEntries(params instanceof URLSearchParams ? params : Object.entries(params)),
      headers: jar && jar.size > 0 ? { Cookie: jar.header() } : {},
      ...(sourceIp ? { sourceIp } : {}),
    });
  }

  /** The whole connect: start, consent, callback. Returns the final redirect. */
  async connect(feedToken: string, options: { email?: string; returnTo?: string } = {}) {
    const { response, jar } = await this.begin(feedToken, options.returnTo ?? RETURN_TO);
    const params = await this.consent(location(response), options.email ? { email: options.email } : {});
    const done = await this.callback(params, jar);
    jar.store(done);
    return { response: done, jar, params };
  }

  status(feedToken: string) {
    return this.invoke({
      method: 'GET',
      path: `${BASE}/status`,
      headers: { Authorization: `Bearer ${feedToken}` },
    });
  }

  /** Disconnect as the host's page sends it: with a fresh intent for the action (none in token_only mode). */
  disconnect(feedToken: string, query: Record<string, string> = {}) {
    const action = query.deleteCalendar === 'true' ? 'delete_calendar' : 'disconnect';
    const intent =
      this.intentsRequired && query.intent === undefined ? this.mintIntent(action, feedToken) : undefined;
    return this.invoke({
      method: 'POST',
      path: `${BASE}/disconnect`,
      query: { ...query, ...(intent ? { intent } : {}) },
      headers: { Authorization: `Bearer ${feedToken}` },
    });
  }
}

export function location(response: APIGatewayProxyResult): string {
  const value = header(response, 'Location');
  if (!value) throw new Error(`expected a redirect, got ${response.statusCode}: ${response.body}`);
  return value;
}

export function json(response: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}
