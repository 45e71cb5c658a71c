import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SyncOutcome } from '../../lambdas/shared/domain/sync-result.ts';
import type { WorkerErrorKind } from '../../lambdas/shared/ports/sync-metrics.ts';
import type { WorkQueues } from './data.ts';

/** What the worker reports per run (lambdas/shared/adapters/metrics/powertools-sync-metrics.ts). */
const OUTCOME_SET: Record<SyncOutcome, true> = {
  synced: true,
  unchanged: true,
  partial: true,
  feed_error: true,
  deletions_held: true,
  calendar_missing: true,
  cooling_down: true,
  needs_reauth: true,
  busy: true,
};
const SYNC_OUTCOMES = Object.keys(OUTCOME_SET) as SyncOutcome[];
/** The worker's own failures: anything thrown, unreadable messages, requests put back too often. */
const WORKER_ERROR_KINDS = ['unexpected', 'poison', 'requeue_limit'] as const satisfies WorkerErrorKind[];

export interface MonitoringProps {
  functions: Record<string, lambda.IFunction>;
  queues: WorkQueues;
  /** The sweeps the tick sends and the check function reads. */
  sweepQueues: WorkQueues;
  restApi: apigateway.RestApi;
  metricsNamespace: string;
  serviceName: string;
  syncIntervalMinutes: number;
  alarmEmail?: string;
  /** Whether to make the dashboard (LocalStack does not support the type in every version). */
  dashboard?: boolean;
  /** Of the alarm topic's key; retained unless the stage is disposable. */
  removalPolicy?: RemovalPolicy;
}

/**
 * Alarms on what needs a person (messages in a dead-letter queue, function errors and throttles, worker
 * failures, a sync or sweep queue falling behind, Google's daily quota used up) and one dashboard of the sync. An e-mail address, when given, is
 * subscribed to every alarm through an encrypted topic.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic?: sns.Topic;
  readonly topicKey?: kms.Key;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const syncMetric = (metricName: string, dimensions: Record<string, string>, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName, ...dimensions },
        statistic,
        period,
      });

    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      this.alarms.push(created);
      return created;
    };

    alarm(
      'DeadLetters',
      props.queues.deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      1,
      'Sync requests failed three times and wait in the dead-letter queue (docs/operating.md, "Operating")',
    );
    alarm(
      'SyncQueueBehind',
      props.queues.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      props.syncIntervalMinutes * 60 * 2,
      'The oldest sync request waited over two schedule intervals: the worker is not keeping up',
    );
    alarm(
      'SweepDeadLetters',
      props.sweepQueues.deadLetters.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
      }),
      1,
      'Sweeps failed three times and wait in their dead-letter queue: those shards go unchecked (docs/operating.md, "Operating")',
    );
    alarm(
      'SweepQueueBehind',
      props.sweepQueues.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      props.syncIntervalMinutes * 60 * 2,
      'The oldest sweep waited over two schedule intervals: the checks are not keeping up (raise checkConcurrency)',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      const label = name.charAt(0).toUpperCase() + name.slice(1);
      alarm(`${label}FunctionErrors`, fn.metricErrors({ period }), 1, `The ${name} function failed`);
      alarm(
        `${label}FunctionThrottles`,
        fn.metricThrottles({ period }),
        1,
        `The ${name} function was throttled`,
      );
    }
    const workerErrors = new cloudwatch.MathExpression({
      expression: WORKER_ERROR_KINDS.map((_, index) => `FILL(e${index}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(
        WORKER_ERROR_KINDS.map((kind, index) => [`e${index}`, syncMetric('SyncErrors', { kind })]),
      ),
      period,
      label: 'worker errors',
    });
    alarm('SyncWorkerErrors', workerErrors, 5, 'Sync runs failed unexpectedly or messages were dropped');
    alarm(
      'SyncPartialRuns',
      syncMetric('SyncErrors', { kind: 'partial' }),
      20,
      'Many syncs left writes undone (Google refusing or rate-limiting): see the worker logs',
    );
    alarm(
      'GoogleDailyQuotaUsedUp',
      syncMetric('GoogleDailyQuotaUsedUp', {}),
      1,
      'Google\'s daily Calendar API quota of the project is used up: every sync waits until midnight Pacific Time (lambdas/sync/engine/README.md, "Quota and errors"); ask Google for more quota',
    );

    if (props.alarmEmail) {
      // A key of the stack's own: CloudWatch may publish to an encrypted topic only when the key's policy lets
      // cloudwatch.amazonaws.com use it, which the AWS-managed `alias/aws/sns` policy cannot (AWS: "Encrypted
      // Amazon SNS topics" under CloudWatch alarm actions). With that key, no alarm would ever reach the e-mail.
      const topicKey = new kms.Key(this, 'AlarmTopicKey', {
        description: 'Encrypts the alarm topic; CloudWatch alarms may use it to publish',
        enableKeyRotation: true,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(7),
      });
      topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
      this.topicKey = topicKey;
      this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      for (const created of this.alarms) created.addAlarmAction(new actions.SnsAction(this.topic));
    }

    if (props.dashboard === false) return;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Sync runs by outcome',
        left: SYNC_OUTCOMES.map((outcome) => syncMetric('SyncRuns', { outcome }).with({ label: outcome })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Events written',
        left: ['EventsCreated', 'EventsUpdated', 'EventsDeleted'].map((name) => syncMetric(name, {})),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Google quota units',
        left: [syncMetric('QuotaUnits', {}), syncMetric('GoogleCalls', {})],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sync duration (ms)',
        left: [syncMetric('SyncDuration', {}, 'p50'), syncMetric('SyncDuration', {}, 'p95')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Worker errors',
        left: WORKER_ERROR_KINDS.map((kind) => syncMetric('SyncErrors', { kind }).with({ label: kind })),
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Sync queue',
        left: [
          props.queues.queue.metricApproximateNumberOfMessagesVisible({ period }),
          props.queues.deadLetters.metricApproximateNumberOfMessagesVisible({ period }),
        ],
        right: [props.queues.queue.metricApproximateAgeOfOldestMessage({ period })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Sweep queue',
        left: [
          props.sweepQueues.queue.metricApproximateNumberOfMessagesVisible({ period }),
          props.sweepQueues.deadLetters.metricApproximateNumberOfMessagesVisible({ period }),
        ],
        right: [props.sweepQueues.queue.metricApproximateAgeOfOldestMessage({ period })],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API',
        left: [props.restApi.metricCount({ period }), props.restApi.metricClientError({ period })],
        right: [props.restApi.metricServerError({ period })],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
  }
}
