import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { describeOnEachBackend, itConcurrent } from './fixture.ts';

describeOnEachBackend('DynamoNonceStore', (stores) => {
  it('lets a nonce through once', async () => {
    expect(await stores.nonces.claim('nonce-a', 1_800_000_000)).toBe(true);
    expect(await stores.nonces.claim('nonce-a', 1_800_000_000)).toBe(false);
  });

  itConcurrent(stores)('lets a nonce through once of many claims at the same time', async () => {
    const claims = await Promise.all(Array.from({ length: 8 }, () => stores.nonces.claim('nonce-b', 1)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('stores the nonce with its expiry under the attribute names and types it always had', async () => {
    await stores.nonces.claim('nonce-format', 1_800_000_123);
    const { client, tableNames } = stores.dynamo;
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableNames.hostNonces, Key: { nonce: { S: 'nonce-format' } } }),
    );
    expect(Item).toEqual({ nonce: { S: 'nonce-format' }, expiresAt: { N: '1800000123' } });
  });
});
