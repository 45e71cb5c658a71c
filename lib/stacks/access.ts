/**
 * What each adapter calls in AWS, and which adapters each function is built with. The stack grants exactly
 * this and nothing else; the drift test checks the table against the adapters' source (the SDK commands they
 * send) and against each function's composition (the adapters each function is built with), and the synthesized
 * policies against the table.
 */
import type { TableId } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import type { SecretPurpose } from '../../lambdas/shared/ports/cipher.ts';

export type FunctionId = 'oauth' | 'notify' | 'syncWorker' | 'check' | 'schedulerTick' | 'schedulerPurge';

/** The work queues: write jobs for the worker, and sweeps for the check function. */
export type QueueId = 'sync' | 'sweep';

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
  DynamoProjectQuotaBudget: {
    file: 'lambdas/shared/adapters/dynamodb/project-quota-budget.ts',
    access: { kind: 'table', actions: ['dynamodb:UpdateItem'], indexes: [] },
  },
  DynamoSyncStateStore: {
    file: 'lambdas/shared/adapters/dynamodb/sync-state-store.ts',
    access: {
      kind: 'table',
      actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      indexes: [],
    },
  },
  DynamoSweepSource: {
    file: 'lambdas/shared/adapters/dynamodb/sweep-source.ts',
    // Built on both tables at once (one BatchGetItem reads a page's connections and sync states).
    tables: ['connections', 'syncState'],
    access: {
      kind: 'table',
      actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      indexes: ['scheduled'],
    },
  },
  DynamoCheckStateWriter: {
    file: 'lambdas/shared/adapters/dynamodb/check-state-writer.ts',
    access: { kind: 'table', actions: ['dynamodb:UpdateItem'], indexes: [] },
  },
  DynamoDataKeyStore: {
    file: 'lambdas/shared/adapters/dynamodb/data-key-store.ts',
    access: {
      kind: 'table',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      indexes: [],
    },
  },
  // Both queues send through SqsBatchSender (`via`): its commands are theirs.
  SqsSyncQueue: {
    file: 'lambdas/shared/adapters/sqs/sqs-sync-queue.ts',
    via: 'lambdas/shared/adapters/sqs/sqs-batch-sender.ts',
    access: { kind: 'queue', queue: 'sync' },
  },
  SqsSweepQueue: {
    file: 'lambdas/shared/adapters/sqs/sqs-sweep-queue.ts',
    via: 'lambdas/shared/adapters/sqs/sqs-batch-sender.ts',
    access: { kind: 'queue', queue: 'sweep' },
  },
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
    /** A shared module the adapter sends its commands through. */
    via?: string;
    /** The tables of an adapter built on several at once (its grant is given on each, narrowed per table). */
    tables?: readonly TableId[];
    access:
      | TableAccess
      | { kind: 'queue'; queue: QueueId }
      | { kind: 'key' }
      | { kind: 'secret'; secret: 'googleClient' | 'hostKeys' | 'subscriberIdKey' };
  }
>;

export type AdapterName = keyof typeof ADAPTERS;
/** The adapters that are DynamoDB stores. */
export type StoreAdapter = {
  [Name in AdapterName]: (typeof ADAPTERS)[Name]['access'] extends { kind: 'table' } ? Name : never;
}[AdapterName];

const tableAccessOf = (adapter: StoreAdapter): TableAccess => ADAPTERS[adapter].access;

/** What a function's store entry grants on its table: the adapter's grant, or the part `only` names. */
export const grantOfStore = (store: FunctionAccess['stores'][number]): Omit<TableAccess, 'kind'> =>
  store.only ?? tableAccessOf(store.adapter);

/** The queue adapter of each queue. */
export const QUEUE_ADAPTERS: Record<QueueId, AdapterName> = { sync: 'SqsSyncQueue', sweep: 'SqsSweepQueue' };
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
 * reseals a refresh token Google rotated. Both open both; the check opens the feed token only. Tokens are sealed under data keys, one series per
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
  stores: ReadonlyArray<{
    adapter: StoreAdapter;
    table: TableId;
    /**
     * Only this part of the adapter's grant on this table: the function uses no more of the store (or the
     * adapter reaches this table for only some of its actions).
     */
    only?: { actions: readonly string[]; indexes: readonly string[] };
  }>;
  /** The queues it sends to. */
  sendsTo: readonly QueueId[];
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
    sendsTo: ['sync'],
    key: { encrypt: BOTH_PURPOSES, decrypt: BOTH_PURPOSES },
    secrets: [...GOOGLE_SECRETS, 'subscriberIdKey', 'hostKeys'],
  },
  notify: {
    stores: [
      { adapter: 'DynamoRateLimitStore', table: 'rateLimits' },
      { adapter: 'DynamoNonceStore', table: 'hostNonces' },
      { adapter: 'DynamoConnectionStore', table: 'connections' },
    ],
    sendsTo: ['sync'],
    secrets: ['subscriberIdKey', 'hostKeys'],
  },
  syncWorker: {
    stores: [
      { adapter: 'DynamoConnectionStore', table: 'connections' },
      { adapter: 'DynamoDataKeyStore', table: 'dataKeys' },
      { adapter: 'DynamoSyncStateStore', table: 'syncState' },
      { adapter: 'DynamoEventMapStore', table: 'eventMap' },
      { adapter: 'DynamoProjectQuotaBudget', table: 'rateLimits' },
    ],
    sendsTo: ['sync'],
    key: { encrypt: ['google_refresh_token'], decrypt: BOTH_PURPOSES },
    secrets: [...GOOGLE_SECRETS, 'hostKeys'],
  },
  check: {
    stores: [
      // The sweep reads the schedule's index and BatchGets connections and sync states: it writes neither.
      {
        adapter: 'DynamoSweepSource',
        table: 'connections',
        only: { actions: ['dynamodb:BatchGetItem'], indexes: ['scheduled'] },
      },
      {
        adapter: 'DynamoSweepSource',
        table: 'syncState',
        only: { actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], indexes: [] },
      },
      // Its only writes: refreshed validators and the sweep's record.
      { adapter: 'DynamoCheckStateWriter', table: 'syncState' },
      // Opens feed tokens, never seals: reads data keys only.
      {
        adapter: 'DynamoDataKeyStore',
        table: 'dataKeys',
        only: { actions: ['dynamodb:GetItem'], indexes: [] },
      },
    ],
    sendsTo: ['sync', 'sweep'],
    key: { encrypt: [], decrypt: ['feed_token'] },
    secrets: [],
  },
  schedulerTick: {
    stores: [
      { adapter: 'DynamoConnectionStore', table: 'connections' },
      { adapter: 'DynamoEventMapStore', table: 'eventMap' },
      { adapter: 'DynamoSyncStateStore', table: 'syncState' },
    ],
    sendsTo: ['sweep'],
    secrets: [],
  },
  schedulerPurge: {
    stores: [
      { adapter: 'DynamoConnectionStore', table: 'connections' },
      { adapter: 'DynamoEventMapStore', table: 'eventMap' },
      { adapter: 'DynamoSyncStateStore', table: 'syncState' },
    ],
    sendsTo: ['sweep'],
    secrets: [],
  },
};
