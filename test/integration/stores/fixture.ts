import { afterAll, beforeAll } from 'vitest';
import { DynamoConnectionStore } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoEventMapStore } from '../../../lambdas/shared/adapters/dynamodb/event-map-store.ts';
import { DynamoNonceStore } from '../../../lambdas/shared/adapters/dynamodb/nonce-store.ts';
import { DynamoOAuthStateStore } from '../../../lambdas/shared/adapters/dynamodb/oauth-state-store.ts';
import { DynamoRateLimitStore } from '../../../lambdas/shared/adapters/dynamodb/rate-limit-store.ts';
import { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

/** Every DynamoDB store of the service, each on its table, and the dynalite behind them. */
export interface Stores {
  /** The client and the table names, to read items as they are stored. */
  dynamo: TestDynamo;
  connections: DynamoConnectionStore;
  eventMap: DynamoEventMapStore;
  oauthStates: DynamoOAuthStateStore;
  rateLimits: DynamoRateLimitStore;
  syncState: DynamoSyncStateStore;
  nonces: DynamoNonceStore;
}

/**
 * The store tests' one setup: a dynalite with every table of tables.ts (test/support/dynalite.ts), started
 * before the file's tests and closed after them, with every store built on it. The stores are there once the
 * tests run (read them inside a test, not at the top of the file).
 */
export function dynaliteStores(): Stores {
  const stores = {} as Stores;
  beforeAll(async () => {
    const dynamo = await startDynamo();
    const { client, tableNames } = dynamo;
    Object.assign(stores, {
      dynamo,
      connections: new DynamoConnectionStore(client, tableNames.connections),
      eventMap: new DynamoEventMapStore(client, tableNames.eventMap),
      oauthStates: new DynamoOAuthStateStore(client, tableNames.oauthStates),
      rateLimits: new DynamoRateLimitStore(client, tableNames.rateLimits),
      syncState: new DynamoSyncStateStore(client, tableNames.syncState),
      nonces: new DynamoNonceStore(client, tableNames.hostNonces),
    } satisfies Stores);
  });
  afterAll(async () => stores.dynamo?.close());
  return stores;
}
