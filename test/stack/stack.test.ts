import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import { DEFAULT_CHECK_FUNCTION_CONCURRENCY, DEFAULT_WORKER_CONCURRENCY } from '../../lib/config.ts';
import {
  HOST_ROUTE_SUFFIXES,
  HOST_SIGNATURE_HEADER,
  ROUTES,
  STAGE_THROTTLE,
  WAF_RATE_LIMIT_PER_5_MINUTES,
  WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES,
} from '../../lib/constructs/api.ts';
import { MAX_BUNDLE_BYTES } from '../../lib/constructs/house-function.ts';
import {
  CHECK_TIMEOUT,
  MAX_RECEIVE_COUNT,
  WORKER_BATCH_SIZE,
  WORKER_TIMEOUT,
} from '../../lib/stacks/ics-google-sync-stack.ts';
import {
  bundledStack,
  logicalIdOf,
  removeAssemblies,
  resourcesOf,
  type Synthesized,
  synthesize,
} from './synth.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON.
type Json = any;

let dev: Synthesized;
beforeAll(() => {
  dev = bundledStack();
}, 120_000);
afterAll(removeAssemblies);

const functionsOf = (synthesized: Synthesized) => resourcesOf(synthesized.json, 'AWS::Lambda::Function');

describe('the API', () => {
  it('is a REST API with every route of the service, each going to its function', () => {
    dev.template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    const methods = resourcesOf(dev.json, 'AWS::ApiGateway::Method');
    const oauth = logicalIdOf(dev.stack, dev.stack.functions.oauth);
    const notify = logicalIdOf(dev.stack, dev.stack.functions.notify);
    expect(methods).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      const target = route.function === 'oauth' ? oauth : notify;
      const found = methods.filter(([, method]) => {
        const uri = JSON.stringify(method.Properties?.Integration?.Uri);
        return method.Properties?.HttpMethod === route.method && uri.includes(target);
      });
      expect(found.length, `${route.method} ${route.path}`).toBeGreaterThanOrEqual(1);
    }
    const paths = resourcesOf(dev.json, 'AWS::ApiGateway::Resource').map(([, r]) => r.Properties?.PathPart);
    expect(paths).toEqual(
      expect.arrayContaining([
        'api',
        'google-oauth',
        'start',
        'callback',
        'disconnect',
        'status',
        'google-sync',
        'notify',
      ]),
    );
    const integrations = methods.map(([, method]) => method.Properties?.Integration?.Type);
    expect(new Set(integrations)).toEqual(new Set(['AWS_PROXY']));
  });

  it('throttles the stage and each method, logs access without query strings, and never traces data', () => {
    const stage = resourcesOf(dev.json, 'AWS::ApiGateway::Stage')[0]?.[1].Properties ?? {};
    const settings = stage.MethodSettings as Array<Record<string, unknown>>;
    const stageWide = settings.find((s) => s.ResourcePath === '/*' && s.HttpMethod === '*');
    expect(stageWide).toMatchObject({
      ThrottlingRateLimit: STAGE_THROTTLE.rate,
      ThrottlingBurstLimit: STAGE_THROTTLE.burst,
      DataTraceEnabled: false,
      LoggingLevel: 'ERROR',
      MetricsEnabled: true,
    });
    for (const route of ROUTES) {
      // Method settings name a path as "/" + the path with each "/" escaped as "~1".
      const entry = settings.find(
        (s) => s.ResourcePath === `/${route.path.replaceAll('/', '~1')}` && s.HttpMethod === route.method,
      );
      expect(entry, `${route.method} ${route.path}`).toMatchObject({
        ThrottlingRateLimit: route.rate,
        ThrottlingBurstLimit: route.burst,
      });
      expect(entry?.DataTraceEnabled).not.toBe(true);
    }
    const format = String(stage.AccessLogSetting?.Format);
    expect(format).toContain('$context.resourcePath');
    expect(format).not.toMatch(/querystring|\$context\.path|requestOverride|authorizer/i);
  });

  it('has a WAF web ACL with a per-IP rate rule on /api/, and a much higher one for host-signed-looking requests', () => {
    const onApi = {
      ByteMatchStatement: Match.objectLike({ SearchString: '/api/', PositionalConstraint: 'CONTAINS' }),
    };
    const hostSigned = {
      SizeConstraintStatement: Match.objectLike({
        FieldToMatch: { SingleHeader: { Name: HOST_SIGNATURE_HEADER } },
        ComparisonOperator: 'GT',
        Size: 0,
      }),
    };
    // Only on the host's routes: a forged header on start or the callback gets the ordinary rule.
    const onHostRoute = {
      OrStatement: {
        Statements: HOST_ROUTE_SUFFIXES.map((suffix) => ({
          ByteMatchStatement: Match.objectLike({ SearchString: suffix, PositionalConstraint: 'ENDS_WITH' }),
        })),
      },
    };
    const hostCall = { AndStatement: { Statements: [hostSigned, onHostRoute] } };
    expect(WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES / 300).toBeLessThan(STAGE_THROTTLE.rate);
    dev.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [
        Match.objectLike({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: Match.objectLike({
              AggregateKeyType: 'IP',
              Limit: WAF_RATE_LIMIT_PER_5_MINUTES,
              ScopeDownStatement: {
                AndStatement: { Statements: [onApi, { NotStatement: { Statement: hostCall } }] },
              },
            }),
          },
        }),
        Match.objectLike({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: Match.objectLike({
              AggregateKeyType: 'IP',
              Limit: WAF_SIGNED_RATE_LIMIT_PER_5_MINUTES,
              ScopeDownStatement: { AndStatement: { Statements: [onApi, hostCall] } },
            }),
          },
        }),
      ],
    });
    dev.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });
});

describe('the functions', () => {
  it('run Node.js 24 on arm64 with JSON logs in log groups of their own, kept for the configured days', () => {
    const functions = functionsOf(dev);
    expect(functions).toHaveLength(6);
    const logGroups = new Map(resourcesOf(dev.json, 'AWS::Logs::LogGroup'));
    for (const [id, fn] of functions) {
      expect(fn.Properties?.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties?.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties?.LoggingConfig?.LogFormat, id).toBe('JSON');
      const group = fn.Properties?.LoggingConfig?.LogGroup?.Ref as string;
      expect(logGroups.get(group)?.Properties?.RetentionInDays, id).toBe(30);
      expect(fn.Properties?.Environment?.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'ics-google-sync',
        POWERTOOLS_METRICS_NAMESPACE: 'IcsGoogleSync',
      });
      // Source maps ship in the asset but are not loaded at run time: they doubled module init.
      expect(fn.Properties?.Environment?.Variables?.NODE_OPTIONS, id).toBeUndefined();
    }
  });

  it('ship minified CommonJS bundles with source maps, each at most 1 MB, without the AWS SDK', () => {
    const sizes: Record<string, number> = {};
    for (const [id, fn] of functionsOf(dev)) {
      const hash = String(fn.Properties?.Code?.S3Key).replace(/\.zip$/, '');
      const asset = path.join(dev.outdir, `asset.${hash}`);
      const bundle = path.join(asset, 'index.js');
      expect(existsSync(bundle), `${id}: ${bundle}`).toBe(true);
      expect(existsSync(`${bundle}.map`), id).toBe(true);
      sizes[id] = statSync(bundle).size;
      expect(sizes[id], id).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      const code = readFileSync(bundle, 'utf8');
      // Minified: thousands of characters a line on average (template literals keep a few line breaks).
      expect(code.length / code.split('\n').length, id).toBeGreaterThan(2000);
      // Required, not imported: in CommonJS the require runs with the composition, on the first request.
      expect(code, id).toMatch(/require\("@aws-sdk\/client-/);
      expect(code, id).not.toMatch(/from\s*"@aws-sdk\/client-/);
    }
    process.stderr.write(`bundle sizes (bytes): ${JSON.stringify(sizes)}\n`);
  });
});

describe('the data', () => {
  const tableByPartitionKey = (synthesized: Synthesized, tableId: keyof typeof TABLES) => {
    const definition = TABLES[tableId];
    const found = resourcesOf(synthesized.json, 'AWS::DynamoDB::Table').filter(([, table]) => {
      const keys = table.Properties?.KeySchema as Array<{ AttributeName: string; KeyType: string }>;
      const sortKey = 'sortKey' in definition ? definition.sortKey : undefined;
      return (
        keys.find((k) => k.KeyType === 'HASH')?.AttributeName === definition.partitionKey &&
        keys.find((k) => k.KeyType === 'RANGE')?.AttributeName === sortKey &&
        (tableId !== 'connections' || table.Properties?.GlobalSecondaryIndexes)
      );
    });
    return found;
  };

  it('has every table of tables.ts: on demand, point-in-time recovery, TTL and indexes as described', () => {
    dev.template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(TABLES).length);
    for (const [tableId, definition] of Object.entries(TABLES)) {
      const resource = dev.stack.node
        .findChild('Data')
        .node.findChild(`${tableId[0]?.toUpperCase()}${tableId.slice(1)}Table`);
      const logicalId = logicalIdOf(dev.stack, resource);
      const table = dev.json.Resources[logicalId]?.Properties ?? {};
      expect(table.BillingMode, tableId).toBe('PAY_PER_REQUEST');
      expect(table.PointInTimeRecoverySpecification, tableId).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.SSESpecification, tableId).toEqual({ SSEEnabled: true });
      expect(table.KeySchema[0], tableId).toEqual({
        AttributeName: definition.partitionKey,
        KeyType: 'HASH',
      });
      if ('ttlAttribute' in definition) {
        expect(table.TimeToLiveSpecification, tableId).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      } else {
        expect(table.TimeToLiveSpecification, tableId).toBeUndefined();
      }
      const indexes = (table.GlobalSecondaryIndexes ?? []) as Array<Record<string, Json>>;
      const expected = 'indexes' in definition ? definition.indexes : {};
      expect(indexes.map((index) => index.IndexName).sort(), tableId).toEqual(Object.keys(expected).sort());
      for (const index of indexes) {
        const want = expected[index.IndexName as keyof typeof expected] as {
          partitionKey: string;
          projectedAttributes: string[];
        };
        expect(index.KeySchema[0]).toEqual({ AttributeName: want.partitionKey, KeyType: 'HASH' });
        expect(index.Projection.NonKeyAttributes ?? []).toEqual(want.projectedAttributes);
      }
      expect(tableByPartitionKey(dev, tableId as keyof typeof TABLES).length).toBeGreaterThanOrEqual(1);
    }
  });

  it('deletes with a dev stage (or on LocalStack) and protects and retains data on any other', () => {
    for (const [, table] of resourcesOf(dev.json, 'AWS::DynamoDB::Table')) {
      expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
    }
    const prod = synthesize({ stage: 'prod' });
    for (const [, table] of resourcesOf(prod.json, 'AWS::DynamoDB::Table')) {
      expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
    }
    // On LocalStack every stage is disposable (the end-to-end suite deploys a stage of its own).
    const e2e = synthesize({ stage: 'e2e', target: 'localstack' });
    for (const [, table] of resourcesOf(e2e.json, 'AWS::DynamoDB::Table')) {
      expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
    }
    for (const type of ['AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      for (const [id, resource] of resourcesOf(prod.json, type)) {
        expect(resource.DeletionPolicy, id).toBe('Retain');
      }
    }
  });

  it('wraps data keys with a rotating KMS key whose policy refuses any call without a purpose and a data key or subscriber', () => {
    const [[, key] = ['', {}]] = resourcesOf(dev.json, 'AWS::KMS::Key') as [string, Json][];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = key.Properties.KeyPolicy.Statement as Array<Record<string, Json>>;
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.map((s) => s.Condition)).toEqual(
      expect.arrayContaining([
        { Null: { 'kms:EncryptionContext:dataKeyId': 'true', 'kms:EncryptionContext:subscriberId': 'true' } },
        { Null: { 'kms:EncryptionContext:purpose': 'true' } },
        {
          'ForAnyValue:StringNotEquals': {
            'kms:EncryptionContextKeys': ['subscriberId', 'purpose', 'dataKeyId'],
          },
        },
      ]),
    );
    const namedDataKeys = denies.find((s) => s.Sid === 'DataKeysAreNamed');
    expect(namedDataKeys?.Condition).toEqual({ Null: { 'kms:EncryptionContext:dataKeyId': 'true' } });
    for (const deny of denies) {
      expect(deny.Principal).toEqual({ AWS: '*' });
      expect([deny.Action].flat()).toEqual(
        expect.arrayContaining(
          deny === namedDataKeys ? ['kms:GenerateDataKey*'] : ['kms:Encrypt', 'kms:Decrypt'],
        ),
      );
    }
  });

  it('grants GenerateDataKey and Decrypt only to the functions that call them, each for its purposes', () => {
    const keyUsers = new Map<string, Set<string>>();
    for (const [, policy] of resourcesOf(dev.json, 'AWS::IAM::Policy')) {
      const role = policy.Properties?.Roles?.[0]?.Ref as string;
      for (const statement of policy.Properties?.PolicyDocument.Statement ?? []) {
        for (const action of [statement.Action].flat()) {
          if (String(action).startsWith('kms:')) {
            keyUsers.set(action, (keyUsers.get(action) ?? new Set()).add(role));
            expect(statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'], role).toBeDefined();
          }
        }
      }
    }
    const roleOf = (fn: { role?: unknown }) =>
      dev.stack.getLogicalId((fn.role as { node: { defaultChild: never } }).node.defaultChild);
    const expected = new Set([roleOf(dev.stack.functions.oauth), roleOf(dev.stack.functions.syncWorker)]);
    expect([...keyUsers.keys()].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(keyUsers.get('kms:GenerateDataKey')).toEqual(expected);
    // The check opens feed tokens (and seals nothing).
    expect(keyUsers.get('kms:Decrypt')).toEqual(new Set([...expected, roleOf(dev.stack.functions.check)]));
  });

  it('keeps secret values out of the template: the operator sets them, the subscriber-id key is generated', () => {
    const secrets = resourcesOf(dev.json, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(3);
    // Only the placeholder the functions recognise as "not set yet" (test/stack/deploy-findings.test.ts).
    for (const [id, secret] of secrets) {
      const value = secret.Properties?.SecretString;
      if (value !== undefined) expect(JSON.parse(value), id).toEqual({ notSetYet: true });
    }
    expect(secrets.filter(([, s]) => s.Properties?.GenerateSecretString?.PasswordLength === 64)).toHaveLength(
      1,
    );
  });
});

describe('the sync pipeline', () => {
  it('has an encrypted queue with a dead-letter queue after three receives and visibility six times the worker timeout', () => {
    const queues = resourcesOf(dev.json, 'AWS::SQS::Queue');
    // The sync queue and the sweep queue, each with its dead-letter queue.
    expect(queues).toHaveLength(4);
    for (const [id, queue] of queues) expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
    const main = queues.find(([id]) => id.startsWith('SyncQueue'));
    expect(main?.[1].Properties?.RedrivePolicy.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
    expect(JSON.stringify(main?.[1].Properties?.RedrivePolicy.deadLetterTargetArn)).toContain(
      'SyncDeadLetters',
    );
    expect(main?.[1].Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * WORKER_TIMEOUT.toSeconds());
    const worker = functionsOf(dev).find(([id]) => id.startsWith('SyncWorker'));
    expect(worker?.[1].Properties?.Timeout).toBe(WORKER_TIMEOUT.toSeconds());
    const sweeps = queues.find(([id]) => id.startsWith('SweepQueue'));
    expect(sweeps?.[1].Properties?.RedrivePolicy.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
    expect(JSON.stringify(sweeps?.[1].Properties?.RedrivePolicy.deadLetterTargetArn)).toContain(
      'SweepDeadLetters',
    );
    expect(sweeps?.[1].Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * CHECK_TIMEOUT.toSeconds());
    const check = functionsOf(dev).find(([id]) => id.startsWith('CheckFunction'));
    expect(check?.[1].Properties?.Timeout).toBe(CHECK_TIMEOUT.toSeconds());
    // Every queue refuses requests without TLS.
    const policies = resourcesOf(dev.json, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(4);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('feeds the worker in batches with partial failures, at the concurrency set (the quota is a budget)', () => {
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: WORKER_BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: DEFAULT_WORKER_CONCURRENCY },
    });
    // The project's quota no longer sets it: every sync draws from the shared budget instead.
    const larger = synthesize({ googleProjectQuotaPerMinute: '20000', workerConcurrency: '40' });
    larger.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: WORKER_BATCH_SIZE,
      ScalingConfig: { MaximumConcurrency: 40 },
    });
    expect(() => synthesize({ workerConcurrency: '1' })).toThrow(/workerConcurrency|WORKER_CONCURRENCY/);
  });

  it('feeds the check one sweep per invocation, at a concurrency of its own', () => {
    const sweepSource = {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SweepQueue'), 'Arn'] },
      FunctionName: { Ref: logicalIdOf(dev.stack, dev.stack.functions.check) },
    };
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ...sweepSource,
      ScalingConfig: { MaximumConcurrency: DEFAULT_CHECK_FUNCTION_CONCURRENCY },
    });
    synthesize({ checkConcurrency: '50' }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ...sweepSource,
      ScalingConfig: { MaximumConcurrency: 50 },
    });
    expect(() => synthesize({ checkConcurrency: '1001' })).toThrow(
      /checkConcurrency|CHECK_FUNCTION_CONCURRENCY/,
    );
  });

  it('fires the tick at the sync interval and the purge daily with EventBridge Scheduler; rules on LocalStack', () => {
    const schedules = resourcesOf(dev.json, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    expect(schedules.map((s) => s?.ScheduleExpression).sort()).toEqual([
      'cron(17 3 * * ? *)',
      'rate(15 minutes)',
    ]);
    const tick = schedules.find((s) => s?.ScheduleExpression === 'rate(15 minutes)');
    expect(JSON.stringify(tick?.Target.Arn)).toContain(
      logicalIdOf(dev.stack, dev.stack.functions.schedulerTick),
    );
    expect(tick?.Target.RetryPolicy.MaximumRetryAttempts).toBe(0);
    dev.template.resourceCountIs('AWS::Events::Rule', 0);

    const local = synthesize({ target: 'localstack', syncIntervalMinutes: '5' });
    local.template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    local.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    local.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });
});

describe('monitoring', () => {
  it('alarms on dead letters, a queue falling behind, worker errors, the daily quota, and every function’s errors and throttles', () => {
    const alarms = resourcesOf(dev.json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
    const named = (metricName: string) => alarms.filter((alarm) => alarm.MetricName === metricName);
    // The sync queue's and the sweep queue's.
    expect(named('ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(named('ApproximateAgeOfOldestMessage')).toHaveLength(2);
    expect(named('Errors')).toHaveLength(6);
    expect(named('Throttles')).toHaveLength(6);
    const workerErrors = alarms.filter((alarm) => JSON.stringify(alarm.Metrics ?? '').includes('SyncErrors'));
    expect(workerErrors).toHaveLength(1);
    expect(named('SyncErrors')).toHaveLength(1); // partial runs
    // The whole project waits for Google's reset: an operator should know (and may ask Google for more quota).
    expect(named('GoogleDailyQuotaUsedUp')).toEqual([
      expect.objectContaining({ Threshold: 1, Dimensions: [{ Name: 'service', Value: expect.any(String) }] }),
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toBeUndefined();
    dev.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    dev.template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('sends every alarm to an encrypted topic when an e-mail address is configured', () => {
    const withEmail = synthesize({ alarmEmail: 'ops@example.com' });
    const [[, topic] = ['', undefined]] = resourcesOf(withEmail.json, 'AWS::SNS::Topic');
    // Under a key of the stack whose policy lets CloudWatch publish (never alias/aws/sns, which cannot).
    const keyId = topic?.Properties?.KmsMasterKeyId?.['Fn::GetAtt']?.[0] as string;
    const key = withEmail.json.Resources[keyId];
    expect(key?.Type).toBe('AWS::KMS::Key');
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    expect(key?.Properties?.KeyPolicy?.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    for (const [, alarm] of resourcesOf(withEmail.json, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties?.AlarmActions).toHaveLength(1);
    }
  });
});

describe('outputs', () => {
  it('give the API URL, the redirect URI to register with Google, and the names of the secrets', () => {
    const outputs = Object.keys(dev.json.Outputs ?? {});
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'OAuthRedirectUri',
        'GoogleClientSecretName',
        'SubscriberIdKeySecretName',
        'HostKeysSecretName',
        'GoogleClientSecretArn',
        'SubscriberIdKeySecretArn',
        'HostKeysSecretArn',
        'SyncQueueUrl',
        'SweepQueueUrl',
      ]),
    );
    const redirect = JSON.stringify(dev.json.Outputs?.OAuthRedirectUri?.Value);
    expect(redirect).toContain('execute-api');
    expect(redirect).toContain('/dev/api/google-oauth/callback');
    const custom = synthesize({ publicApiUrl: 'https://sync.example.com/' });
    expect(custom.json.Outputs?.OAuthRedirectUri?.Value).toBe(
      'https://sync.example.com/api/google-oauth/callback',
    );
  });
});
