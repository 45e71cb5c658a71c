import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { TableId } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import type { StackConfig } from '../config.ts';
import { Api } from '../constructs/api.ts';
import { Data, WorkQueues } from '../constructs/data.ts';
import { HouseFunction } from '../constructs/house-function.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import {
  FUNCTION_ACCESS,
  type FunctionId,
  grantOfStore,
  QUEUE_SEND_ACTIONS,
  type QueueId,
  type SecretId,
} from './access.ts';

const SERVICE_NAME = 'ics-google-sync';
const METRICS_NAMESPACE = 'IcsGoogleSync';

/** The worker's timeout: long enough for a large first sync's slice, short enough to keep retries prompt. */
export const WORKER_TIMEOUT = Duration.minutes(5);
/** A message that failed this often goes to the dead-letter queue (AWS: 3 to 5). */
export const MAX_RECEIVE_COUNT = 3;
/** Messages per worker invocation; a few are synced at once (SYNC_PARALLEL_SUBSCRIBERS, lambdas/sync/worker/handler.ts). */
export const WORKER_BATCH_SIZE = 10;
/**
 * The check function's timeout: a sweep that runs short of it continues in a new sweep message, so it bounds
 * only how long one message is held (and, six times over, the sweep queue's visibility).
 */
export const CHECK_TIMEOUT = Duration.minutes(2);

/** The environment variable of each queue's URL, for the functions that send to it. */
const QUEUE_VARIABLES: Record<QueueId, string> = { sync: 'SYNC_QUEUE_URL', sweep: 'SWEEP_QUEUE_URL' };

/** The environment variable that names each table, for the functions that read it. */
const TABLE_VARIABLES: Record<TableId, string> = {
  connections: 'CONNECTIONS_TABLE',
  syncState: 'SYNC_STATE_TABLE',
  eventMap: 'EVENT_MAP_TABLE',
  oauthStates: 'OAUTH_STATES_TABLE',
  rateLimits: 'RATE_LIMITS_TABLE',
  hostNonces: 'HOST_NONCES_TABLE',
  dataKeys: 'DATA_KEYS_TABLE',
};

const SECRET_VARIABLES: Record<SecretId, string> = {
  googleClient: 'GOOGLE_CLIENT_SECRET_ARN',
  subscriberIdKey: 'SUBSCRIBER_ID_SECRET_ARN',
  hostKeys: 'HOST_KEYS_SECRET_ARN',
};

export interface IcsGoogleSyncStackProps extends StackProps {
  config: StackConfig;
}

/**
 * The whole service in one stack: the API and its functions, the scheduler, the sync worker on its queue, the
 * tables, the key and the secrets, alarms and a dashboard. Configuration arrives validated (lib/config.ts).
 */
export class IcsGoogleSyncStack extends Stack {
  readonly functions: Record<FunctionId, HouseFunction>;
  readonly api: Api;

  constructor(scope: Construct, id: string, props: IcsGoogleSyncStackProps) {
    super(scope, id, props);
    const { config } = props;
    // A dev stage, and anything on LocalStack, is torn down with its data; other stages keep it.
    const disposable = config.stage === 'dev' || config.target === 'localstack';
    const removalPolicy = disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    const data = new Data(this, 'Data', { disposable });
    const queues = new WorkQueues(this, 'Sync', {
      consumerTimeout: WORKER_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const sweepQueues = new WorkQueues(this, 'Sweep', {
      consumerTimeout: CHECK_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const queueOf: Record<QueueId, WorkQueues> = { sync: queues, sweep: sweepQueues };

    const readsHostKeys: Record<FunctionId, boolean> = {
      oauth: config.connectIntents === 'required' || Boolean(config.hostEventsUrl),
      notify: true,
      syncWorker: Boolean(config.hostEventsUrl),
      check: false,
      schedulerTick: false,
      schedulerPurge: false,
    };
    const secretsOf = (fn: FunctionId) =>
      FUNCTION_ACCESS[fn].secrets.filter((secret) => secret !== 'hostKeys' || readsHostKeys[fn]);

    /** Table names, queue URLs, key and secret ARNs: the variables each function's configuration reads. */
    const wiring = (fn: FunctionId): Record<string, string> => {
      const access = FUNCTION_ACCESS[fn];
      const variables: Record<string, string> = {};
      for (const queue of access.sendsTo) variables[QUEUE_VARIABLES[queue]] = queueOf[queue].queue.queueUrl;
      for (const { table } of access.stores) variables[TABLE_VARIABLES[table]] = data.tables[table].tableName;
      if (access.key) variables.KMS_KEY_ID = data.key.keyArn;
      for (const secret of secretsOf(fn))
        variables[SECRET_VARIABLES[secret]] = data.secrets[secret].secretArn;
      return variables;
    };

    const apiBaseUrl = (api: Api) => config.publicApiUrl ?? api.stageUrl();
    const hostEvents: Record<string, string> = config.hostEventsUrl
      ? { HOST_EVENTS_URL: config.hostEventsUrl, HOST_EVENTS_KEY_ID: config.hostEventsKeyId as string }
      : {};
    const google: Record<string, string> = config.googleApiBaseUrl
      ? { GOOGLE_API_BASE_URL: config.googleApiBaseUrl }
      : {};
    const common = {
      serviceName: SERVICE_NAME,
      metricsNamespace: METRICS_NAMESPACE,
      logRetention,
      removalPolicy,
    };

    const notify = new HouseFunction(this, 'NotifyFunction', {
      ...common,
      entry: 'lambdas/notify/index.ts',
      description: 'Change notifications from the ICS service (POST /api/google-sync/notify)',
      timeout: Duration.seconds(10),
      environment: wiring('notify'),
    });
    // The OAuth function needs the API's URL (its redirect URI) and the API needs the function: the URL is
    // built from the API's id, which does not depend on the function (see Api.stageUrl).
    const oauthEnvironment: Record<string, string> = {};
    const oauth = new HouseFunction(this, 'OAuthFunction', {
      ...common,
      entry: 'lambdas/oauth/index.ts',
      description:
        'Connect, callback, disconnect, status and sync now (/api/google-oauth/*, /api/google-sync)',
      timeout: Duration.seconds(20),
      environment: oauthEnvironment,
    });
    this.api = new Api(this, 'Api', {
      stageName: config.stage,
      functions: { oauth, notify },
      waf: config.waf,
      hostIpAllowList: config.hostIpAllowList,
      logRetention,
      removalPolicy,
    });
    const redirectUri = `${apiBaseUrl(this.api)}/api/google-oauth/callback`;
    for (const [name, value] of Object.entries({
      ...wiring('oauth'),
      FEED_URL_TEMPLATE: config.feedUrlTemplate,
      OAUTH_REDIRECT_URI: redirectUri,
      RETURN_TO_ALLOWLIST: config.returnToAllowList.join(','),
      DEFAULT_RETURN_TO: config.defaultReturnTo,
      GOOGLE_SCOPES: config.googleScopes,
      CALENDAR_NAME: config.calendarName,
      CALENDAR_TIME_ZONE: config.calendarTimeZone,
      CONNECT_INTENTS: config.connectIntents,
      CONNECT_LINK: String(config.connectLink),
      ...hostEvents,
      ...google,
    })) {
      oauth.addEnvironment(name, value);
    }

    const syncWorker = new HouseFunction(this, 'SyncWorkerFunction', {
      ...common,
      entry: 'lambdas/sync/index.ts',
      description: "Syncs one subscriber's Google calendar per SQS message",
      timeout: WORKER_TIMEOUT,
      memorySize: 1024,
      environment: {
        ...wiring('syncWorker'),
        FEED_URL_TEMPLATE: config.feedUrlTemplate,
        CALENDAR_TIME_ZONE: config.calendarTimeZone,
        SYNC_INTERVAL_MINUTES: String(config.syncIntervalMinutes),
        SYNC_HORIZON_PAST_DAYS: String(config.horizonPastDays),
        SYNC_HORIZON_FUTURE_MONTHS: String(config.horizonFutureMonths),
        SYNC_AUDIT_INTERVAL_HOURS: String(config.auditIntervalHours),
        SYNC_MAX_UNITS_PER_DAY: String(config.maxUnitsPerDay),
        GOOGLE_PROJECT_QUOTA_PER_MINUTE: String(config.googleProjectQuotaPerMinute),
        ...hostEvents,
        ...google,
      },
    });
    syncWorker.addEventSource(
      new SqsEventSource(queues.queue, {
        batchSize: WORKER_BATCH_SIZE,
        reportBatchItemFailures: true,
        // Not what keeps Google's project quota: every sync draws from the project's budget
        // (lambdas/shared/adapters/dynamodb/project-quota-budget.ts), however many run.
        maxConcurrency: config.workerConcurrency,
      }),
    );

    const check = new HouseFunction(this, 'CheckFunction', {
      ...common,
      entry: 'lambdas/check/index.ts',
      description:
        "Checks one shard's feeds per SQS message (a sweep); only a feed with something to write becomes a sync",
      timeout: CHECK_TIMEOUT,
      memorySize: 1024,
      environment: {
        ...wiring('check'),
        FEED_URL_TEMPLATE: config.feedUrlTemplate,
        CALENDAR_TIME_ZONE: config.calendarTimeZone,
        SYNC_INTERVAL_MINUTES: String(config.syncIntervalMinutes),
        SYNC_HORIZON_PAST_DAYS: String(config.horizonPastDays),
        SYNC_HORIZON_FUTURE_MONTHS: String(config.horizonFutureMonths),
        SYNC_AUDIT_INTERVAL_HOURS: String(config.auditIntervalHours),
        SYNC_MAX_UNITS_PER_DAY: String(config.maxUnitsPerDay),
      },
    });
    check.addEventSource(
      new SqsEventSource(sweepQueues.queue, {
        // One sweep per invocation: its fetches run concurrently inside it (CHECK_CONCURRENCY).
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: config.checkConcurrency,
      }),
    );

    const schedulerEnvironment = {
      SYNC_INTERVAL_MINUTES: String(config.syncIntervalMinutes),
      NEEDS_REAUTH_RETENTION_DAYS: String(config.needsReauthRetentionDays),
    };
    const schedulerTick = new HouseFunction(this, 'SchedulerTickFunction', {
      ...common,
      entry: 'lambdas/scheduler/index.ts',
      handler: 'enqueueHandler',
      description: 'Sends a sweep of every shard of the schedule (the check function reads them)',
      timeout: Duration.minutes(2),
      environment: { ...wiring('schedulerTick'), ...schedulerEnvironment },
    });
    const schedulerPurge = new HouseFunction(this, 'SchedulerPurgeFunction', {
      ...common,
      entry: 'lambdas/scheduler/index.ts',
      handler: 'purgeHandler',
      description: 'Removes connections past their retention (daily)',
      timeout: Duration.minutes(10),
      environment: { ...wiring('schedulerPurge'), ...schedulerEnvironment },
    });

    this.functions = { oauth, notify, syncWorker, check, schedulerTick, schedulerPurge };
    for (const [fn, handler] of Object.entries(this.functions) as [FunctionId, HouseFunction][]) {
      this.grantAccess(fn, handler, data, queueOf, secretsOf(fn));
    }

    this.schedule(config, schedulerTick, schedulerPurge);

    new Monitoring(this, 'Monitoring', {
      functions: this.functions,
      queues,
      sweepQueues,
      restApi: this.api.restApi,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
      syncIntervalMinutes: config.syncIntervalMinutes,
      removalPolicy,
      dashboard: config.target !== 'localstack',
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: `${apiBaseUrl(this.api)}/`, description: 'The API (stage URL)' });
    new CfnOutput(this, 'OAuthRedirectUri', {
      value: redirectUri,
      description: "Register this as an authorised redirect URI of the Google OAuth client (type 'Web')",
    });
    const secretOutputs: Record<SecretId, string> = {
      googleClient: 'GoogleClientSecretName',
      subscriberIdKey: 'SubscriberIdKeySecretName',
      hostKeys: 'HostKeysSecretName',
    };
    for (const [secret, output] of Object.entries(secretOutputs) as [SecretId, string][]) {
      new CfnOutput(this, output, {
        value: data.secrets[secret].secretName,
        description: `The secret behind ${SECRET_VARIABLES[secret]} (docs/operating.md, "Setting the secrets")`,
      });
      // The ARN is what the operating guide's commands use: the name CDK derives from it assumes AWS's naming, which
      // LocalStack (`<stack>-<logicalId>-<suffix>`) does not follow.
      new CfnOutput(this, output.replace(/Name$/, 'Arn'), {
        value: data.secrets[secret].secretArn,
        description: `The secret behind ${SECRET_VARIABLES[secret]}, by ARN (docs/operating.md, "Setting the secrets")`,
      });
    }
    new CfnOutput(this, 'SyncQueueUrl', { value: queues.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: queues.deadLetters.queueUrl });
    new CfnOutput(this, 'SweepQueueUrl', { value: sweepQueues.queue.queueUrl });
    new CfnOutput(this, 'SweepDeadLetterQueueUrl', { value: sweepQueues.deadLetters.queueUrl });
    new CfnOutput(this, 'SchedulerTickFunctionName', { value: schedulerTick.functionName });

    this.acknowledgeFindings(data, queues, sweepQueues);
  }

  /** Exactly what `access.ts` lists for the function, on exactly its resources. */
  private grantAccess(
    fn: FunctionId,
    handler: HouseFunction,
    data: Data,
    queues: Record<QueueId, WorkQueues>,
    secrets: readonly SecretId[],
  ): void {
    const access = FUNCTION_ACCESS[fn];
    // One statement per table: two stores on one table (the check's reader and writer) share it.
    const byTable = new Map<TableId, { actions: Set<string>; indexes: Set<string> }>();
    for (const store of access.stores) {
      const grant = grantOfStore(store);
      const merged = byTable.get(store.table) ?? { actions: new Set(), indexes: new Set() };
      for (const action of grant.actions) merged.actions.add(action);
      for (const index of grant.indexes) merged.indexes.add(index);
      byTable.set(store.table, merged);
    }
    for (const [table, { actions, indexes }] of byTable) {
      const resource = data.tables[table];
      handler.addToRolePolicy(
        new iam.PolicyStatement({ actions: [...actions].sort(), resources: [resource.tableArn] }),
      );
      if (indexes.size > 0) {
        handler.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:Query'],
            resources: [...indexes].map((index) => `${resource.tableArn}/index/${index}`),
          }),
        );
      }
    }
    if (access.sendsTo.length > 0) {
      handler.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...QUEUE_SEND_ACTIONS],
          resources: access.sendsTo.map((queue) => queues[queue].queue.queueArn),
        }),
      );
    }
    if (access.key) {
      for (const [action, purposes] of [
        ['kms:GenerateDataKey', access.key.encrypt],
        ['kms:Decrypt', access.key.decrypt],
      ] as const) {
        if (purposes.length === 0) continue;
        handler.addToRolePolicy(
          new iam.PolicyStatement({
            actions: [action],
            resources: [data.key.keyArn],
            conditions: { StringEquals: { 'kms:EncryptionContext:purpose': [...purposes] } },
          }),
        );
      }
    }
    if (secrets.length > 0) {
      handler.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: secrets.map((secret) => data.secrets[secret].secretArn),
        }),
      );
    }
  }

  /**
   * The sync tick and the daily purge. In AWS: EventBridge Scheduler (no retries for the tick, the next one
   * comes anyway). LocalStack stores Scheduler schedules but never fires them, while it does fire rules, so
   * `target=localstack` uses rules.
   */
  private schedule(config: StackConfig, tick: HouseFunction, purge: HouseFunction): void {
    const every = Duration.minutes(config.syncIntervalMinutes);
    const daily = { minute: '17', hour: '3' };
    if (config.target === 'localstack') {
      new events.Rule(this, 'SyncTickRule', {
        schedule: events.Schedule.rate(every),
        targets: [new eventTargets.LambdaFunction(tick, { retryAttempts: 0 })],
      });
      new events.Rule(this, 'PurgeRule', {
        schedule: events.Schedule.cron(daily),
        targets: [new eventTargets.LambdaFunction(purge, { retryAttempts: 2 })],
      });
      return;
    }
    new scheduler.Schedule(this, 'SyncTickSchedule', {
      description: 'Enqueues every connected subscriber for a sync',
      schedule: scheduler.ScheduleExpression.rate(every),
      target: new schedulerTargets.LambdaInvoke(tick, { retryAttempts: 0 }),
    });
    new scheduler.Schedule(this, 'PurgeSchedule', {
      description: 'Removes connections past their retention',
      schedule: scheduler.ScheduleExpression.cron(daily),
      target: new schedulerTargets.LambdaInvoke(purge, { retryAttempts: 2 }),
    });
  }

  /** cdk-nag findings that are deliberate, each with its reason (docs/operating.md: "cdk-nag acknowledgements"). */
  private acknowledgeFindings(data: Data, queues: WorkQueues, sweepQueues: WorkQueues): void {
    const restApi = this.api.restApi;
    Validations.of(restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          "Public by design: browsers open the OAuth routes before any sign-in, and each function authenticates its caller (feed token plus host-signed connect intent, or the host's HMAC signature for notify).",
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Subscribers have no user pool (the ICS service owns its accounts) and the host is a service that signs its requests; see APIG4.',
      },
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Every function validates its whole request and answers a 4xx naming the problem; API Gateway validators give generic 400s and cannot check form bodies or request signatures.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level logging role, needed for execution logs (APIG6); AWS maintains the policy for exactly this role.",
      },
    );
    for (const fn of [this.functions.schedulerTick, this.functions.schedulerPurge]) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason:
          "EventBridge Scheduler's Lambda target grants invoke on the function and its versions (`:*`); the schedule only names the function.",
      });
    }
    Validations.of(queues.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the sync queue.',
    });
    Validations.of(sweepQueues.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the sweep queue.',
    });
    for (const secret of Object.values(data.secrets)) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Set by an operator, not by a rotation function: the Google client secret is rotated in Google Cloud, the host keys with the ICS service (two keys overlap), and the subscriber-id key must never change.',
      });
    }
  }
}
