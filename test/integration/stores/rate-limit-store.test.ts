import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRateLimitStore } from '../../../lambdas/shared/adapters/dynamodb/rate-limit-store.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

describe('DynamoRateLimitStore (dynalite)', () => {
  let dynamo: TestDynamo;
  let store: DynamoRateLimitStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new DynamoRateLimitStore(dynamo.client, dynamo.tableNames.rateLimits);
  });
  afterAll(async () => dynamo.close());

  it('counts within a window and starts again in the next one', async () => {
    const start = new Date('2026-03-01T12:00:00Z');
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push((await store.increment('b1', 60, start)).count);
    expect(counts).toEqual([1, 2, 3]);
    const late = await store.increment('b1', 60, new Date('2026-03-01T12:00:59Z'));
    expect(late).toEqual({ count: 4, windowEndsAt: start.getTime() / 1000 + 60 });
    expect((await store.increment('b1', 60, new Date('2026-03-01T12:01:00Z'))).count).toBe(1);
  });

  it('counts concurrent requests exactly (atomic ADD)', async () => {
    const now = new Date('2026-03-01T13:00:00Z');
    const results = await Promise.all(Array.from({ length: 20 }, () => store.increment('b2', 60, now)));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('keeps buckets apart and sets a TTL one window past the end', async () => {
    const now = new Date('2026-03-01T14:00:30Z');
    await store.increment('b3', 60, now);
    expect((await store.increment('b4', 60, now)).count).toBe(1);
    const windowStart = Date.parse('2026-03-01T14:00:00Z') / 1000;
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: dynamo.tableNames.rateLimits,
        Key: { bucket: { S: `b3@${windowStart}` } },
      }),
    );
    expect(Item?.expiresAt?.N).toBe(String(windowStart + 120));
  });
});
