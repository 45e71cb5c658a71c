/**
 * What each adapter calls in AWS, and which adapters each function is built with. The stack grants exactly
 * this and nothing else; the drift test checks the table against the adapters' source (the SDK commands they
 * send) and against each function's composition (the adapters each function is built with), and the synthesized
 * policies against the table.
 */
import type { TableId } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import type { SecretPurpose } from '../../lambdas/shared/ports/cipher.ts';

export type FunctionId = 'oauth' | 'notify' | 'syncWorker' | 'schedulerTick' | 'schedulerPurge';

/** A DynamoDB store: the actions on its table, and `Query` on the indexes it names. */
export interface TableAccess {
  kind: 'table';
  actions: readonly string[];
  indexes: readonly string[];
}

/** The adapters that reach AWS, by class name, with the source file that must agree. */
export const ADAPTERS = {
  DynamoConnectionStore: {
    file: 'lambdas/shared/adapters/dynamodb/connection-store.ts',
    access: {
      kind: 'table',
      actions: [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      indexes: ['scheduled', 'byFeed', 'byGoogleAccount'],
    },
  },
  DynamoEventMapStore: {
    file: 'lambdas/shared/adapters/dynamodb/event-map-store.ts',
    access: { kind: 'table', actions: ['dynamodb:BatchWriteItem', 'dynamodb:Query'], indexes: [] },
  },
  DynamoNonceStore: {
    file: 'lambdas/shared/adapters/dynamodb/nonce-store.ts',
    access: { kind: 'table', actions: ['dynamodb:PutItem'], indexes: [] },
  },
  DynamoOAuthStateStore: {
    file: 'lambdas/shared/adapters/dynamodb/oauth-state-store.ts',
    access: { kind: 'table', actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem'], indexes: [] },
  },
  DynamoRateLimitStore: {
    file: 'lambdas/shared/adapters/dynamodb/rate-limit-store.ts',
    access: { kind: 'table', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], indexes: [] },
  },
  DynamoSyncStateStore: {
    file: 'lambdas/shared/adapters/dynamodb/sync-state-store.ts',
    access: {
      kind: 'table',
      actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      indexes: [],
    },
  },
  DynamoDataKeyStore: {
    file: 'lambdas/shared/adapters/dynamodb/data-key-store.ts',
    access: {
      kind: 'table',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      indexes: [],
    },
  },
  SqsSyncQueue: { file: 'lambdas/shared/adapters/sqs/sqs-sync-queue.ts', access: { kind: 'queue' } },
  KmsKeyService: { file: 'lambdas/shared/adapters/crypto/kms-key-service.ts', access: { kind: 'key' } },
  SecretsManagerGoogleClientCredentials: {
    file: 'lambdas/shared/adapters/secrets/google-client-credentials.ts',
    access: { kind: 'secret', secret: 'googleClient' },
  },
  SecretsManagerHostKeyRing: {
    file: 'lambdas/shared/adapters/secrets/host-keys.ts',
    access: { kind: 'secret', secret: 'hostKeys' },
  },
  SubscriberIdSecret: {
    file: 'lambdas/shared/wiring/secrets.ts',
    access: { kind: 'secret', secret: 'subscriberIdKey' },
  },
} as const satisfies Record<
  string,
  {
    file: string;
    access:
      | TableAccess
      | { kind: 'queue' }
      | { kind: 'key' }
      | { kind: 'secret'; secret: 'googleClient' | 'hostKeys' | 'subscriberIdKey' };
  }
>;

export type AdapterName = keyof typeof ADAPTERS;
/** The adapters that are DynamoDB stores. */
export type StoreAdapter = {
  [Name in AdapterName]: (typeof ADAPTERS)[Name]['access'] extends { kind: 'table' } ? Name : never;
}[AdapterName];

export const tableAccessOf = (adapter: StoreAdapter): TableAccess => ADAPTERS[adapter].access;
export type SecretId = 'googleClient' | 'hostKeys' | 'subscriberIdKey';

/** The IAM action each SDK command needs (SendMessageBatch is authorised as SendMessage). */
export const ACTION_OF_COMMAND: Record<string, string> = {
  SendMessageBatchCommand: 'sqs:SendMessage',
  SendMessageCommand: 'sqs:SendMessage',
  EncryptCommand: 'kms:Encrypt',
  DecryptCommand: 'kms:Decrypt',
  GenerateDataKeyCommand: 'kms:GenerateDataKey',
};

/** The queue and key actions (tables list theirs above). */
export const QUEUE_SEND_ACTIONS = ['sqs:SendMessage'] as const;

/**
 * What a function seals and opens, by the `purpose` of the encryption context (lambdas/shared/ports/
 * cipher.ts): the OAuth routes seal the feed token on start and the refresh token on callback; the worker
 * reseals a refresh token Google rotated. Both open both. Tokens are sealed under data keys, one series per
 * purpose (envelope encryption), so `encrypt` is granted as `kms:GenerateDataKey` (a new data key of that
 * purpose) and `decrypt` as `kms:Decrypt` (unwrapping a data key, or opening a `kms1:` value of earlier
 * versions), each limited to its purposes.
 */
interface KeyUse {
  encrypt: readonly SecretPurpose[];
  decrypt: readonly SecretPurpose[];
}

export interface FunctionAccess {
  /** DynamoDB stores and the table each is built on. */
  stores: ReadonlyArray<{ adapter: StoreAdapter; table: TableId }>;
  sendsToQueue: boolean;
  key?: KeyUse;
  /** `hostKeys` only where configured (see `secretsOf` in the stack). */
  secrets: readonly SecretId[];
}

const BOTH_PURPOSES: readonly SecretPurpose[] = ['feed_token', 'google_refresh_token'];

/** Secrets read by every function that acts for a subscriber with Google. */
const GOOGLE_SECRETS = ['googleClient'] as const;

/**
 * Each function's adapters, as wired by its composition (`lambdas/<function>/compose.ts`). The scheduler's two
 * functions share one builder, so they share one grant.
 */
export const FUNCTION_ACCESS: Record<FunctionId, FunctionAccess> = {
  oauth: {
    stores: [
      { adapter: 'DynamoConnectionStore', table: 'connections' },
      { adapter: 'DynamoDataKeyStore', table: 'dataKeys' },
      { adapter: 'DynamoOAuthStateStore', table: 'oauthStates' },
      { adapter: 'DynamoRateLimitStore', table: 'rateLimits' },
      { adapter: 'DynamoNonceStore', table: 'hostNonces' },
      { adapter: 'DynamoEventMapStore', table: 'eventMap' },
      { adapter: 'DynamoSyncStateStore', table: 'syncState' },
    ],
    sendsToQueue: true,
    key: { encrypt: BOTH_PURPOSES, decrypt: BOTH_PURPOSES },
    secrets: [...GOOGLE_SECRETS, 'subscriberIdKey', 'hostKeys'],
  },
  notify: {
    stores: [
      { adapter: 'DynamoRateLimitStore', table: 'rateLimits' },
      { adapter: 'DynamoNonceStore', table: 'hostNonces' },
      { adapter: 'DynamoConnectionStore', table: 'connections' },
    ],
    sendsToQueue: true,
    secrets: ['subscriberIdKey', 'hostKeys'],
  },
  syncWorker: {
    stores: [
      { adapter: 'DynamoConnectionStore', table: 'connections' },
      { adapter: 'DynamoDataKeyStore', table: 'dataKeys' },
      { adapter: 'DynamoSyncStateStore', table: 'syncState' },
      { adapter: 'DynamoEventMapStore', table: 'eventMap' },
    ],
    sendsToQueue: true,
    key: { encrypt: ['google_refresh_token'], decrypt: BOTH_PURPOSES },
    secrets: [...GOOGLE_SECRETS, 'hostKeys'],
  },
  schedulerTick: {
    stores: [
      { adapter: 'DynamoConnectionStore', table: 'connections' },
      { adapter: 'DynamoEventMapStore', table: 'eventMap' },
      { adapter: 'DynamoSyncStateStore', table: 'syncState' },
    ],
    sendsToQueue: true,
    secrets: [],
  },
  schedulerPurge: {
    stores: [
      { adapter: 'DynamoConnectionStore', table: 'connections' },
      { adapter: 'DynamoEventMapStore', table: 'eventMap' },
      { adapter: 'DynamoSyncStateStore', table: 'syncState' },
    ],
    sendsToQueue: true,
    secrets: [],
  },
};
