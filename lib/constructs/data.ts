import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLES, type TableId } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import { SECRET_PLACEHOLDER } from '../../lambdas/shared/adapters/secrets/secret-not-set.ts';
import type { SecretId } from '../stacks/access.ts';

/**
 * The encryption contexts KMS calls carry: a data key's `{purpose, dataKeyId}` (envelope encryption,
 * lambdas/shared/adapters/crypto/kms-key-service.ts), or a `kms1:` value's `{subscriberId, purpose}` (earlier
 * versions, still opened).
 */
const ENCRYPTION_CONTEXT_KEYS = ['subscriberId', 'purpose', 'dataKeyId'] as const;

const CRYPTO_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

export interface DataProps {
  /** Dev stages are torn down with their data; any other stage retains it and is deletion-protected. */
  disposable: boolean;
}

/**
 * Where the service keeps its state: the DynamoDB tables (from the single description in tables.ts), the KMS
 * key that seals tokens, the secrets an operator sets, and the sync queue with its dead-letter queue.
 */
export class Data extends Construct {
  readonly tables: Record<TableId, dynamodb.Table>;
  readonly key: kms.Key;
  readonly secrets: Record<SecretId, secretsmanager.Secret>;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const removalPolicy = props.disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.tables = Object.fromEntries(
      Object.entries(TABLES).map(([tableId, definition]) => {
        const table = new dynamodb.Table(this, `${pascal(tableId)}Table`, {
          partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
          ...('sortKey' in definition
            ? { sortKey: { name: definition.sortKey, type: dynamodb.AttributeType.STRING } }
            : {}),
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          encryption: dynamodb.TableEncryption.AWS_MANAGED,
          ...('ttlAttribute' in definition ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
          deletionProtection: !props.disposable,
          removalPolicy,
        });
        for (const [indexName, index] of Object.entries('indexes' in definition ? definition.indexes : {})) {
          table.addGlobalSecondaryIndex({
            indexName,
            partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
            ...('sortKey' in index
              ? { sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING } }
              : {}),
            ...(index.projectedAttributes.length > 0
              ? {
                  projectionType: dynamodb.ProjectionType.INCLUDE,
                  nonKeyAttributes: [...index.projectedAttributes],
                }
              : { projectionType: dynamodb.ProjectionType.KEYS_ONLY }),
          });
        }
        return [tableId, table];
      }),
    ) as Record<TableId, dynamodb.Table>;

    this.key = new kms.Key(this, 'TokenKey', {
      description:
        'Wraps the data keys that seal Google refresh tokens and feed tokens; context {purpose, dataKeyId} required',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(props.disposable ? 7 : 30),
    });
    // Every cryptographic call names a purpose, and either the data key it makes or unwraps or (a `kms1:` value
    // of earlier versions) the subscriber: a caller that forgets the context is refused by the key itself.
    const deny = (sid: string, actions: string[], conditions: Record<string, unknown>) =>
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions,
          resources: ['*'],
          conditions,
        }),
      );
    deny('RequireContextPurpose', CRYPTO_ACTIONS, { Null: { 'kms:EncryptionContext:purpose': 'true' } });
    deny('RequireContextDataKeyOrSubscriber', CRYPTO_ACTIONS, {
      Null: { 'kms:EncryptionContext:dataKeyId': 'true', 'kms:EncryptionContext:subscriberId': 'true' },
    });
    // A data key is always made under its id, so it only ever unwraps under that id.
    deny('DataKeysAreNamed', ['kms:GenerateDataKey*'], {
      Null: { 'kms:EncryptionContext:dataKeyId': 'true' },
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheServiceContextKeys',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: CRYPTO_ACTIONS,
        resources: ['*'],
        conditions: {
          'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': [...ENCRYPTION_CONTEXT_KEYS] },
        },
      }),
    );

    // Values are set outside CloudFormation (docs/operating.md, "Setting the secrets"). Until then they hold a JSON
    // placeholder (not a secret) that the functions recognise: the routes that need one answer 503
    // `secret_not_set` and log which secret it is (lambdas/shared/adapters/secrets/secret-not-set.ts).
    const placeholder = SecretValue.unsafePlainText(JSON.stringify(SECRET_PLACEHOLDER));
    this.secrets = {
      googleClient: new secretsmanager.Secret(this, 'GoogleClientSecret', {
        description: 'Google OAuth web client: {"clientId": "...", "clientSecret": "..."}',
        secretStringValue: placeholder,
        removalPolicy,
      }),
      subscriberIdKey: new secretsmanager.Secret(this, 'SubscriberIdKeySecret', {
        description:
          'HMAC key turning feed tokens into subscriber ids (generated; never change it once used)',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy,
      }),
      hostKeys: new secretsmanager.Secret(this, 'HostKeysSecret', {
        description: 'Keys the ICS service signs with: {"<key id>": "<hex or base64, 32+ bytes>"}',
        secretStringValue: placeholder,
        removalPolicy,
      }),
    };
  }
}

/**
 * A work queue and its dead-letter queue: the sync queue (write jobs, read by the worker) and the sweep queue
 * (sweeps, read by the check function) are each one.
 */
export class WorkQueues extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: { consumerTimeout: Duration; maxReceiveCount: number }) {
    super(scope, id);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS: at least six times the function's timeout, so a message is not handed out again while a batch
      // that holds it may still be running (including the event source's own retries).
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.maxReceiveCount },
    });
  }
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
