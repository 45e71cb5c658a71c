import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { describeOnEachBackend, itConcurrent } from './fixture.ts';

describeOnEachBackend('DynamoRateLimitStore', (stores) => {
  it('counts within a window and starts again in the next one', async () => {
    const start = new Date('2026-03-01T12:00:00Z');
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push((await stores.rateLimits.increment('b1', 60, start)).count);
    expect(counts).toEqual([1, 2, 3]);
    const late = await stores.rateLimits.increment('b1', 60, new Date('2026-03-01T12:00:59Z'));
    expect(late).toEqual({ count: 4, windowEndsAt: start.getTime() / 1000 + 60 });
    expect((await stores.rateLimits.increment('b1', 60, new Date('2026-03-01T12:01:00Z'))).count).toBe(1);
  });

  it('reads a counter without changing it (0 before anything was counted)', async () => {
    const now = new Date('2026-03-01T12:30:10Z');
    expect(await stores.rateLimits.current('b5', 60, now)).toEqual({
      count: 0,
      windowEndsAt: Date.parse('2026-03-01T12:31:00Z') / 1000,
    });
    await stores.rateLimits.increment('b5', 60, now);
    await stores.rateLimits.increment('b5', 60, now);
    expect((await stores.rateLimits.current('b5', 60, now)).count).toBe(2);
    expect((await stores.rateLimits.current('b5', 60, now)).count).toBe(2);
  });

  itConcurrent(stores)('counts concurrent requests exactly (atomic ADD)', async () => {
    const now = new Date('2026-03-01T13:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => stores.rateLimits.increment('b2', 60, now)),
    );
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('keeps buckets apart and sets a TTL one window past the end', async () => {
    const now = new Date('2026-03-01T14:00:30Z');
    await stores.rateLimits.increment('b3', 60, now);
    expect((await stores.rateLimits.increment('b4', 60, now)).count).toBe(1);
    const windowStart = Date.parse('2026-03-01T14:00:00Z') / 1000;
    const { Item } = await stores.dynamo.client.send(
      new GetItemCommand({
        TableName: stores.dynamo.tableNames.rateLimits,
        Key: { bucket: { S: `b3@${windowStart}` } },
      }),
    );
    expect(Item?.expiresAt?.N).toBe(String(windowStart + 120));
  });
});
