import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOAuthStateStore } from '../../../lambdas/shared/adapters/dynamodb/oauth-state-store.ts';
import type { OAuthStateRecord } from '../../../lambdas/shared/ports/oauth-state-store.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

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

describe('DynamoOAuthStateStore (dynalite)', () => {
  let dynamo: TestDynamo;
  let store: DynamoOAuthStateStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new DynamoOAuthStateStore(dynamo.client, dynamo.tableNames.oauthStates);
  });
  afterAll(async () => dynamo.close());

  it('gives a state back once, then never again', async () => {
    await store.put(record('s1'));
    expect(await store.consume('s1', NOW)).toEqual({ outcome: 'consumed', record: record('s1') });
    expect(await store.consume('s1', NOW)).toEqual({ outcome: 'unknown' });
  });

  it('reports an unknown state', async () => {
    expect(await store.consume('never-issued', NOW)).toEqual({ outcome: 'unknown' });
  });

  it('refuses an expired state even though TTL has not removed it, and removes it', async () => {
    await store.put(record('s2', nowSeconds - 1));
    expect((await store.consume('s2', NOW)).outcome).toBe('expired');
    expect((await store.consume('s2', NOW)).outcome).toBe('unknown');
  });

  it('hands a state to exactly one of many concurrent consumers', async () => {
    await store.put(record('s3'));
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.consume('s3', NOW)));
    expect(outcomes.filter((o) => o.outcome === 'consumed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'unknown')).toHaveLength(7);
  });

  it('never overwrites a live state', async () => {
    await store.put(record('s4'));
    await expect(store.put({ ...record('s4'), subscriberId: 'other' })).rejects.toThrow();
    expect(await store.consume('s4', NOW)).toMatchObject({ record: { subscriberId: 'sub-1' } });
  });
});
