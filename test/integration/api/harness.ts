import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { buildNotifyServices } from '../../../lambdas/notify/compose.ts';
import { parseNotifyConfig } from '../../../lambdas/notify/config.ts';
import type { NotifyDependencies } from '../../../lambdas/notify/dependencies.ts';
import { createNotifyHandler } from '../../../lambdas/notify/router.ts';
import { NOTIFY_PATH } from '../../../lambdas/notify/use-cases/notify-changes.ts';
import { SYNC_NOW_PATH } from '../../../lambdas/oauth/router.ts';
import { hostSignatureHeaders } from '../../../lambdas/shared/adapters/http/host-signature.ts';
import type { SyncRequest } from '../../../lambdas/shared/ports/sync-queue.ts';
import { lambdaContext, type RestRequest, restEvent } from '../../support/api-gateway.ts';
import { type HarnessOptions, OAuthHarness } from '../oauth/harness.ts';

/** Two keys shared with the host, one written in base64 and one in hex (both forms are accepted). */
export const HOST_KEYS = { current: randomBytes(32), previous: randomBytes(32) };
export const HOST_KEYS_ENV = `current:${HOST_KEYS.current.toString('base64')},previous:${HOST_KEYS.previous.toString('hex')}`;

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export interface SignOptions {
  keyId?: string;
  key?: Buffer;
  /** Epoch seconds; the harness clock's now by default. */
  timestamp?: number;
  nonce?: string;
  /** Headers that replace the signed ones (or add others). */
  headers?: Record<string, string>;
  contentType?: string;
  /** What the signature is computed over, when it should differ from what is sent. */
  signedBody?: string;
  sourceIp?: string;
}

/** The OAuth harness plus the change-notification function over the same dynalite, fauxqs and clock. */
export class ApiHarness extends OAuthHarness {
  notifyServices!: NotifyDependencies;
  notifyHandler!: ReturnType<typeof createNotifyHandler>;
  private notifyIp = 0;

  override async open(options: HarnessOptions = {}): Promise<this> {
    await super.open(options);
    const env = {
      ...this.env,
      HOST_NONCES_TABLE: this.dynamo.tableNames.hostNonces,
      HOST_KEYS: HOST_KEYS_ENV,
      ...options.env,
    };
    const logger = new Logger({ serviceName: 'notify-test', logLevel: options.logLevel ?? 'SILENT' });
    this.notifyServices = buildNotifyServices(parseNotifyConfig(env), {
      dynamo: this.dynamo.client,
      sqs: this.sqs.client,
      clock: this.clock,
      logger,
      env,
    });
    this.notifyHandler = createNotifyHandler(() => this.notifyServices, logger);
    return this;
  }

  syncNow(feedToken: string | undefined, sourceIp?: string) {
    return this.invoke({
      method: 'POST',
      path: SYNC_NOW_PATH,
      headers: feedToken === undefined ? {} : { Authorization: `Bearer ${feedToken}` },
      ...(sourceIp ? { sourceIp } : {}),
    });
  }

  invokeNotify(request: Omit<RestRequest, 'path' | 'method'> & Partial<RestRequest>) {
    this.notifyIp += 1;
    return this.notifyHandler(
      restEvent({
        method: 'POST',
        path: NOTIFY_PATH,
        sourceIp: `192.0.2.${this.notifyIp % 250}`,
        ...request,
      }),
      lambdaContext('notify'),
    ) as Promise<APIGatewayProxyResult>;
  }

  /** A notification as the host sends it: the body signed with a key of the ring. */
  notify(body: string, options: SignOptions = {}) {
    const signed = hostSignatureHeaders(options.keyId ?? 'current', options.key ?? HOST_KEYS.current, {
      timestamp: String(options.timestamp ?? Math.floor(this.clock.now() / 1000)),
      ...(options.nonce ? { nonce: options.nonce } : {}),
      method: 'POST',
      path: NOTIFY_PATH,
      body: options.signedBody ?? body,
    });
    return this.invokeNotify({
      headers: { 'Content-Type': options.contentType ?? 'application/json', ...signed, ...options.headers },
      body,
      ...(options.sourceIp ? { sourceIp: options.sourceIp } : {}),
    });
  }

  notifyFeeds(feedTokens: string[], options: SignOptions = {}) {
    return this.notify(JSON.stringify({ feeds: feedTokens.map(sha256Hex) }), options);
  }

  /** Every message in the sync queue (received and deleted), as sync requests, with their delays. */
  async takeQueued(): Promise<(SyncRequest & { delaySeconds: number })[]> {
    const inspected = await this.sqs.inspect(this.queueUrl);
    await this.sqs.drain(this.queueUrl);
    // Delayed messages are not received by drain: purge them by receiving after their delay is irrelevant here,
    // so the queue is recreated instead.
    if (inspected.some((m) => m.state === 'delayed')) await this.freshQueue();
    return inspected.map((m) => ({ ...(JSON.parse(m.body) as SyncRequest), delaySeconds: m.delaySeconds }));
  }

  /** Points both functions at a new, empty queue. */
  private async freshQueue(): Promise<void> {
    const { SqsSyncQueue } = await import('../../../lambdas/shared/adapters/sqs/sqs-sync-queue.ts');
    this.queueUrl = await this.sqs.createQueue('sync');
    const queue = new SqsSyncQueue(this.sqs.client, this.queueUrl);
    this.services.syncQueue = queue;
    this.notifyServices.syncQueue = queue;
  }

  /** A subscriber connected through the real flow (start, consent, callback); its first-sync message taken. */
  async connected(email?: string): Promise<{ feedToken: string; subscriberId: string }> {
    const feedToken = this.newFeedToken();
    await this.connect(feedToken, email ? { email } : {});
    await this.takeQueued();
    return { feedToken, subscriberId: await this.subscriberIdOf(feedToken) };
  }
}
