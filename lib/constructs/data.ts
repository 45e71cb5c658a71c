import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLES, type TableId } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import type { SecretId } from '../stacks/access.ts';

/** The encryption context every KMS call must carry (lambdas/shared/ports/cipher.ts). */
export const ENCRYPTION_CONTEXT_KEYS = ['subscriberId', 'purpose'] as const;

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
      description: 'Seals Google refresh tokens and feed tokens; context {subscriberId, purpose} required',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(props.disposable ? 7 : 30),
    });
    // Every cryptographic call must name exactly the two context keys: a ciphertext is bound to one subscriber
    // and one purpose, and a caller that forgets the context is refused by the key itself.
    for (const contextKey of ENCRYPTION_CONTEXT_KEYS) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `RequireContext${pascal(contextKey)}`,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: CRYPTO_ACTIONS,
          resources: ['*'],
          conditions: { Null: { [`kms:EncryptionContext:${contextKey}`]: 'true' } },
        }),
      );
    }
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

    // Values are set outside CloudFormation (README, "Deploying"); until then the functions refuse to start
    // the routes that need them, with an error that names the secret, never its value.
    this.secrets = {
      googleClient: new secretsmanager.Secret(this, 'GoogleClientSecret', {
        description: 'Google OAuth web client: {"clientId": "...", "clientSecret": "..."}',
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
        removalPolicy,
      }),
    };
  }
}

/** The sync queue and its dead-letter queue. */
export class SyncQueues extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: { workerTimeout: Duration; maxReceiveCount: number }) {
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
      visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.maxReceiveCount },
    });
  }
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
