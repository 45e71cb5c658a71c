import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCheckStateWriter } from '../../../lambdas/shared/adapters/dynamodb/check-state-writer.ts';
import { DynamoSweepSource } from '../../../lambdas/shared/adapters/dynamodb/sweep-source.ts';
import { CheckWorld } from '../../support/check-world.ts';

describe('the sweep source and the check state writer on DynamoDB', () => {
  const world = new CheckWorld();
  beforeAll(() => world.open());
  afterAll(() => world.close());

  it('pages a shard in subscriber order from `after`, leaving out paused connections and other shards', async () => {
    const shard = await world.seed(7, { shards: [20] });
    const paused = await world.seed(1, {
      shards: [20],
      connection: { syncPausedUntil: new Date(world.clock.now() + 60_000).toISOString() },
    });
    await world.seed(3, { shards: [21] });
    const source = new DynamoSweepSource(world.dynamo.client, world.dynamo.tableNames, { pageSize: 3 });
    const ids = shard.map((s) => s.id).sort();
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await source.page(20, world.clock.date(), after);
      seen.push(...page.subscriberIds);
      after = page.next;
      pages++;
    } while (after);
    expect(seen).toEqual(ids);
    expect(seen).not.toContain(paused[0]?.id);
    expect(pages).toBeGreaterThanOrEqual(3);
    // From the middle: exactly the rest.
    const rest = await new DynamoSweepSource(world.dynamo.client, world.dynamo.tableNames).page(
      20,
      world.clock.date(),
      ids[3],
    );
    expect(rest).toEqual({ subscriberIds: ids.slice(4) });
  });

  it('reads the connection and sync state of a page in batches, missing items left empty', async () => {
    const seeded = await world.seed(120, { shards: [30, 31, 32] });
    const stateless = await world.seedOne({ shards: [30], state: () => null });
    const source = new DynamoSweepSource(world.dynamo.client, world.dynamo.tableNames);
    const ids = [...seeded.map((s) => s.id), stateless.id, 'sub-unknown'];
    const read = await source.read(ids);
    expect(read.size).toBe(ids.length);
    for (const { id } of seeded) {
      expect(read.get(id)?.connection?.subscriberId).toBe(id);
      expect(read.get(id)?.state?.feedHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(read.get(stateless.id)?.connection).toBeDefined();
    expect(read.get(stateless.id)?.state).toBeUndefined();
    expect(read.get('sub-unknown')).toEqual({});
  });

  it('records a sweep, never moving its time back, and reads the project quota item', async () => {
    const inShard = await world.seedOne({ shards: [40] });
    const elsewhere = await world.seedOne({ shards: [42] });
    const writer = new DynamoCheckStateWriter(world.dynamo.client, world.dynamo.tableNames.syncState);
    await writer.recordSweep(40, new Date('2026-06-01T10:00:00Z'));
    await writer.recordSweep(40, new Date('2026-06-01T09:00:00Z'));
    expect(await world.syncState.lastSweptFor(inShard.id)).toBe('2026-06-01T10:00:00.000Z');
    expect(await world.syncState.lastSweptFor(elsewhere.id)).toBeUndefined();
    const source = new DynamoSweepSource(world.dynamo.client, world.dynamo.tableNames);
    expect(await source.dailyLimitUntil()).toBeUndefined();
    await world.syncState.dailyLimitReached('2026-06-02T07:00:00.000Z');
    expect(await source.dailyLimitUntil()).toBe('2026-06-02T07:00:00.000Z');
  });

  it('refreshes validators only on an existing state with the compared hash, removing those gone', async () => {
    const subscriber = await world.seedOne({ shards: [41] });
    const writer = new DynamoCheckStateWriter(world.dynamo.client, world.dynamo.tableNames.syncState);
    const state = await world.syncState.get(subscriber.id);
    expect(
      await writer.refreshValidators(subscriber.id, state?.feedHash as string, {
        feedLastModified: 'Mon, 01 Jun 2026 08:00:00 GMT',
        feedValidatedFor: '2026-05-02',
      }),
    ).toBe(true);
    const after = await world.syncState.get(subscriber.id);
    expect(after).toMatchObject({
      feedLastModified: 'Mon, 01 Jun 2026 08:00:00 GMT',
      feedValidatedFor: '2026-05-02',
    });
    expect(after?.feedEtag).toBeUndefined();
    expect(after?.lastResult).toEqual(state?.lastResult);
    // No item: none is created.
    expect(await writer.refreshValidators('sub-gone', 'hash', { feedValidatedFor: '2026-05-02' })).toBe(
      false,
    );
    expect(await world.syncState.get('sub-gone')).toBeUndefined();
  });
});
