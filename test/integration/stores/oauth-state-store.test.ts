import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import type { OAuthStateRecord } from '../../../lambdas/shared/ports/oauth-state-store.ts';
import { describeOnEachBackend, itConcurrent } from './fixture.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

const record = (stateHash: string, expiresAt = nowSeconds + 600): OAuthStateRecord => ({
  stateHash,
  subscriberId: 'sub-1',
  codeVerifier: 'verifier',
  browserBindingHash: 'ab'.repeat(32),
  feedTokenCiphertext: 'local1:ZmVlZA==',
  returnTo: 'https://app.example.com/settings',
  createdAt: NOW.toISOString(),
  expiresAt,
});

describeOnEachBackend('DynamoOAuthStateStore', (stores) => {
  it('gives a state back once, then never again', async () => {
    await stores.oauthStates.put(record('s1'));
    expect(await stores.oauthStates.consume('s1', NOW)).toEqual({
      outcome: 'consumed',
      record: record('s1'),
    });
    expect(await stores.oauthStates.consume('s1', NOW)).toEqual({ outcome: 'unknown' });
  });

  it('reports an unknown state', async () => {
    expect(await stores.oauthStates.consume('never-issued', NOW)).toEqual({ outcome: 'unknown' });
  });

  it('refuses an expired state even though TTL has not removed it, and removes it', async () => {
    await stores.oauthStates.put(record('s2', nowSeconds - 1));
    expect((await stores.oauthStates.consume('s2', NOW)).outcome).toBe('expired');
    expect((await stores.oauthStates.consume('s2', NOW)).outcome).toBe('unknown');
  });

  itConcurrent(stores)('hands a state to exactly one of many concurrent consumers', async () => {
    await stores.oauthStates.put(record('s3'));
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => stores.oauthStates.consume('s3', NOW)),
    );
    expect(outcomes.filter((o) => o.outcome === 'consumed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'unknown')).toHaveLength(7);
  });

  it('never overwrites a live state', async () => {
    await stores.oauthStates.put(record('s4'));
    await expect(stores.oauthStates.put({ ...record('s4'), subscriberId: 'other' })).rejects.toThrow();
    expect(await stores.oauthStates.consume('s4', NOW)).toMatchObject({ record: { subscriberId: 'sub-1' } });
  });

  it('stores a state under the attribute names and types it always had', async () => {
    await stores.oauthStates.put({ ...record('s-format'), feedLookupKey: 'lookup-1' });
    const { client, tableNames } = stores.dynamo;
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableNames.oauthStates, Key: { stateId: { S: 's-format' } } }),
    );
    const expected = record('s-format');
    expect(Item).toEqual({
      stateId: { S: 's-format' },
      subscriberId: { S: expected.subscriberId },
      codeVerifier: { S: expected.codeVerifier },
      browserBindingHash: { S: expected.browserBindingHash },
      feedTokenCiphertext: { S: expected.feedTokenCiphertext },
      returnTo: { S: expected.returnTo },
      feedLookupKey: { S: 'lookup-1' },
      createdAt: { S: expected.createdAt },
      expiresAt: { N: String(expected.expiresAt) },
    });
  });
});
