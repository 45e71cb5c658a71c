import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type GoogleEmulator, startGoogleEmulator } from '../emulator/google/index.ts';
import { buildCheckServices } from '../lambdas/check/compose.ts';
import { parseCheckConfig } from '../lambdas/check/config.ts';
import { createCheckHandler } from '../lambdas/check/handler.ts';
import { buildNotifyServices } from '../lambdas/notify/compose.ts';
import { parseNotifyConfig } from '../lambdas/notify/config.ts';
import { createNotifyHandler } from '../lambdas/notify/router.ts';
import { buildOAuthServices } from '../lambdas/oauth/compose.ts';
import { parseOAuthConfig } from '../lambdas/oauth/config.ts';
import { createOAuthHandler } from '../lambdas/oauth/router.ts';
import { buildSchedulerServices } from '../lambdas/scheduler/compose.ts';
import { parseSchedulerConfig } from '../lambdas/scheduler/config.ts';
import { createEnqueueHandler, createPurgeHandler } from '../lambdas/scheduler/handlers.ts';
import { describeError } from '../lambdas/shared/errors.ts';
import { buildSyncWorkerServices } from '../lambdas/sync/compose.ts';
import { parseSyncWorkerConfig } from '../lambdas/sync/config.ts';
import { createSyncWorkerHandler } from '../lambdas/sync/worker/handler.ts';
import { DemoFeedStore } from './demo-host/feed-store.ts';
import { HostEventsReceiver } from './demo-host/host-events-receiver.ts';
import { DemoHost } from './demo-host/routes.ts';
import { ServiceClient } from './demo-host/service-client.ts';
import { DevLogger, type LogSink } from './dev-logger.ts';
import { startSchedule } from './lambda-runtime/scheduler-loop.ts';
import { SyncPoller } from './lambda-runtime/sync-poller.ts';
import { listenOn, PortInUseError } from './listen.ts';
import { startLocalDynamo } from './local-aws/dynamo.ts';
import { startLocalSqs } from './local-aws/sqs.ts';
import { writeLocalRunFile } from './local-run-file.ts';
import { loadOrCreateSecrets } from './local-secrets.ts';
import { type DevApp, devRequestListener } from './server.ts';
import { callbackPath, hostEventsPath, serviceEnvironment } from './service-env.ts';
import type { DevSettings } from './settings.ts';

/** The OAuth client the emulator knows in the local run (not a secret: the emulator lives in this process). */
export const EMULATOR_CLIENT = {
  clientId: 'ics-google-sync-local.apps.googleusercontent.com',
  clientSecret: 'local-run-client-secret',
};
/** The emulator's Google account, the same one on every run (a fixed account id). */
export const EMULATOR_USER = {
  id: '100000000000000000042',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  timeZone: 'Europe/Berlin',
};

export interface DevService {
  mode: 'emulator' | 'google';
  /** http://127.0.0.1:PORT (no trailing slash): the API and the demo host. */
  baseUrl: string;
  /** The redirect URI to register with a real Google OAuth client. */
  redirectUri: string;
  /** The emulator's page (users, calendars, events), when it runs. */
  emulatorUrl?: string;
  /** The emulator itself, for tests. */
  emulator?: GoogleEmulator;
  dataDir: string;
  /** Stops everything: schedule, worker, servers; the database is closed and stays on disk. */
  close(): Promise<void>;
}

/**
 * The whole service on this machine: DynamoDB (dynalite, on disk under the data folder), SQS (fauxqs), the
 * Google emulator unless real Google credentials are set, the OAuth and notify functions behind one local HTTP
 * listener, the sync worker polling the sync queue, the check polling the sweep queue, the scheduler's jobs on a
 * timer, and the demo host. Everything
 * listens on 127.0.0.1 only.
 */
export async function startDevService(settings: DevSettings, sink?: LogSink): Promise<DevService> {
  const mode = settings.google.mode;
  if (settings.fresh) {
    for (const folder of [`dynamodb-${mode}`, 'demo-feeds']) {
      rmSync(path.join(settings.dataDir, folder), { recursive: true, force: true });
    }
  }
  // Powertools Metrics would print CloudWatch's embedded-metric JSON on every sync. It reads its switch from the
  // process's own environment only.
  process.env.POWERTOOLS_METRICS_DISABLED ??= settings.env.POWERTOOLS_METRICS_DISABLED ?? 'true';
  const secrets = loadOrCreateSecrets(settings.dataDir);
  const closers: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  const closeAll = () => {
    closing ??= (async () => {
      for (const close of [...closers].reverse()) await close().catch(() => undefined);
    })();
    return closing;
  };
  try {
    const dynamo = await startLocalDynamo(path.join(settings.dataDir, `dynamodb-${mode}`));
    closers.push(() => dynamo.close());
    const sqs = await startLocalSqs();
    closers.push(() => sqs.close());

    let app: DevApp | undefined;
    const server = createServer(devRequestListener(() => app));
    server.keepAliveTimeout = 5_000;
    await listenOn(server, settings.port, 'The API and pages', 'PORT');
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const redirectUri = `${baseUrl}${callbackPath}`;

    const emulator =
      mode === 'emulator' ? await startEmulator(settings.emulatorPort, redirectUri) : undefined;
    if (emulator) closers.push(() => emulator.close());
    const googleClient =
      settings.google.mode === 'google'
        ? { clientId: settings.google.clientId, clientSecret: settings.google.clientSecret }
        : EMULATOR_CLIENT;

    const env = serviceEnvironment(settings.env, {
      baseUrl,
      tableNames: dynamo.tableNames,
      queueUrl: sqs.queueUrl,
      sweepQueueUrl: sqs.sweepQueueUrl,
      secrets,
      googleBaseUrl: emulator?.baseUrl,
      googleClient,
    });
    const level = env.POWERTOOLS_LOG_LEVEL;
    const logger = (service: string) => new DevLogger(service, level, sink);
    const clients = { dynamo: dynamo.client, sqs: sqs.client, env };

    const oauthConfig = parseOAuthConfig(env);
    const oauthLogger = logger('oauth');
    const oauthServices = buildOAuthServices(oauthConfig, { ...clients, logger: oauthLogger });
    const notifyLogger = logger('notify');
    const notifyServices = buildNotifyServices(parseNotifyConfig(env), { ...clients, logger: notifyLogger });
    const workerLogger = logger('sync-worker');
    const workerServices = buildSyncWorkerServices(parseSyncWorkerConfig(env), {
      ...clients,
      logger: workerLogger,
    });
    const checkLogger = logger('check');
    const checkServices = buildCheckServices(parseCheckConfig(env), { ...clients, logger: checkLogger });
    const schedulerConfig = parseSchedulerConfig(env);
    const schedulerLogger = logger('scheduler');
    const schedulerServices = buildSchedulerServices(schedulerConfig, {
      ...clients,
      logger: schedulerLogger,
    });

    const hostKey = { id: secrets.hostKeyId, key: Buffer.from(secrets.hostKey, 'hex') };
    const hostLogger = logger('demo-host');
    const consentOrigin = new URL(emulator?.baseUrl ?? 'https://accounts.google.com').origin;
    app = {
      baseUrl,
      oauth: createOAuthHandler(() => oauthServices, oauthLogger),
      notify: createNotifyHandler(() => notifyServices, notifyLogger),
      logger: hostLogger,
      demoHost: new DemoHost({
        baseUrl,
        feeds: new DemoFeedStore(path.join(settings.dataDir, 'demo-feeds')),
        service: new ServiceClient(baseUrl, hostKey),
        hostKey,
        events: new HostEventsReceiver(hostKey, hostEventsPath),
        googleCalendarName: oauthConfig.calendar.name,
        googleLink: emulator
          ? { href: `${emulator.baseUrl}?refresh=5`, text: 'See the calendar in the emulated Google' }
          : { href: 'https://calendar.google.com/calendar/r', text: 'Open Google Calendar' },
        consentOrigin,
        logger: hostLogger,
      }),
    };

    const poller = new SyncPoller({
      client: sqs.client,
      queueUrl: sqs.queueUrl,
      handler: createSyncWorkerHandler(() => workerServices, workerLogger),
      onError: (error) => workerLogger.error('reading the sync queue failed', describeError(error)),
    });
    poller.start();
    closers.push(() => poller.stop());
    // The tick's sweeps: one per invocation, as the stack's event source hands them to the check.
    const sweepPoller = new SyncPoller({
      client: sqs.client,
      queueUrl: sqs.sweepQueueUrl,
      handler: createCheckHandler(() => checkServices, checkLogger),
      batchSize: 1,
      timeoutMs: 120_000,
      functionName: 'check',
      onError: (error) => checkLogger.error('reading the sweep queue failed', describeError(error)),
    });
    sweepPoller.start();
    closers.push(() => sweepPoller.stop());
    const schedule = startSchedule(
      [
        {
          name: 'sync tick',
          everyMs: schedulerConfig.schedule.intervalSeconds * 1000,
          run: createEnqueueHandler(() => schedulerServices, schedulerLogger),
        },
        {
          name: 'retention purge',
          everyMs: 24 * 3_600_000,
          run: createPurgeHandler(() => schedulerServices, schedulerLogger),
        },
      ],
      () => undefined, // the jobs log their own failures
    );
    closers.push(() => schedule.stop());

    // For `npm run ops -- --local`: where this run's stores are (loopback only, beside the local secrets).
    const removeLocalRunFile = writeLocalRunFile(settings.dataDir, {
      pid: process.pid,
      baseUrl,
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableNames: dynamo.tableNames,
      queueUrl: sqs.queueUrl,
      deadLetterQueueUrl: sqs.deadLetterQueueUrl,
      sweepQueueUrl: sqs.sweepQueueUrl,
      ...(emulator ? { googleBaseUrl: emulator.baseUrl } : {}),
    });
    closers.push(async () => removeLocalRunFile());

    return {
      mode,
      baseUrl,
      redirectUri,
      ...(emulator ? { emulatorUrl: emulator.baseUrl, emulator } : {}),
      dataDir: settings.dataDir,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The Google emulator with the local run's OAuth client and its one Google account. */
async function startEmulator(port: number, redirectUri: string): Promise<GoogleEmulator> {
  let emulator: GoogleEmulator;
  try {
    emulator = await startGoogleEmulator({ port, host: '127.0.0.1' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new PortInUseError(
        `The Google emulator: port ${port} on 127.0.0.1 is in use (set GOOGLE_EMULATOR_PORT to use another port). Is another "npm run dev" still running?`,
      );
    }
    throw error;
  }
  emulator.control.registerClient({ ...EMULATOR_CLIENT, redirectUris: [redirectUri], requirePkce: true });
  emulator.control.createUser(EMULATOR_USER);
  return emulator;
}
