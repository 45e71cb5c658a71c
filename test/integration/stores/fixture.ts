import { afterAll, beforeAll, describe, it } from 'vitest';
import { DynamoConnectionStore } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoEventMapStore } from '../../../lambdas/shared/adapters/dynamodb/event-map-store.ts';
import { DynamoNonceStore } from '../../../lambdas/shared/adapters/dynamodb/nonce-store.ts';
import { DynamoOAuthStateStore } from '../../../lambdas/shared/adapters/dynamodb/oauth-state-store.ts';
import { DynamoRateLimitStore } from '../../../lambdas/shared/adapters/dynamodb/rate-limit-store.ts';
import { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { motoDynamo, motoNote, skipWithoutMoto, useMoto } from '../../support/moto.ts';

/** dynalite (in-process) and moto (closer to DynamoDB in places: test/README.md). */
export type StoreBackend = 'dynalite' | 'moto';

/** Every DynamoDB store of the service, each on its table, and the backend behind them. */
export interface Stores {
  backend: StoreBackend;
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
 * The store tests' one setup: `title`'s suite once per backend, each with every table of tables.ts
 * (test/support/dynalite.ts, test/support/moto.ts) made before its tests and every store built on it. The
 * stores are there once the tests run (read them inside a test, not in the suite's body). A moto suite skips,
 * saying why, where moto is not installed (test/support/moto.ts).
 */
export function describeOnEachBackend(title: string, suite: (stores: Stores) => void): void {
  describe(`${title} (dynalite)`, () => suite(storesOn('dynalite', startDynamo)));
  describe.skipIf(skipWithoutMoto)(`${title} (moto)${motoNote}`, () => {
    const moto = useMoto();
    suite(storesOn('moto', () => motoDynamo(moto.server)));
  });
}

/**
 * `it` for a test of concurrent writes to one item (an atomic ADD, a conditional put racing another): DynamoDB
 * applies them one at a time, moto does not (under load it loses ADDs), so on moto such a test is skipped and
 * its title says why.
 */
export function itConcurrent(stores: Stores): (title: string, test: () => Promise<void>) => void {
  const onMoto = stores.backend === 'moto';
  const note = onMoto ? ' (skipped on moto: it does not apply concurrent writes to one item atomically)' : '';
  return (title, test) => it.skipIf(onMoto)(`${title}${note}`, test);
}

function storesOn(backend: StoreBackend, start: () => Promise<TestDynamo>): Stores {
  const stores = { backend } as Stores;
  beforeAll(async () => {
    const dynamo = await start();
    const { client, tableNames } = dynamo;
    Object.assign(stores, {
      backend,
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
