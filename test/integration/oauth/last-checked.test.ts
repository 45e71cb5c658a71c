import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCheckStateWriter } from '../../../lambdas/shared/adapters/dynamodb/check-state-writer.ts';
import { scheduleShardOf } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { json, OAuthHarness } from './harness.ts';

/**
 * The status shows when the feed was last checked: an unchanged feed is checked by a sweep without a sync, so
 * the last sync's time alone would look stale.
 */
describe('the status: when the feed was last checked', () => {
  const h = new OAuthHarness();
  beforeAll(() => h.open());
  afterAll(() => h.close());
  const sweeps = () => new DynamoCheckStateWriter(h.dynamo.client, h.dynamo.tableNames.syncState);
  const lastResult = (startedAt: string) => ({
    outcome: 'synced' as const,
    startedAt,
    finishedAt: startedAt,
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 3,
    heldDeletions: 0,
    googleCalls: 0,
    errors: [],
  });

  it('is the later of the last sweep of the shard and the last sync, for a scheduled connection', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken);
    expect(json(await h.status(feedToken))).not.toHaveProperty('lastCheckedAt');

    await h.services.syncState.put({ subscriberId, lastResult: lastResult('2026-06-01T09:00:00.000Z') });
    expect(json(await h.status(feedToken))).toMatchObject({ lastCheckedAt: '2026-06-01T09:00:00.000Z' });

    await sweeps().recordSweep(scheduleShardOf(subscriberId), new Date('2026-06-01T09:30:00.000Z'));
    expect(json(await h.status(feedToken))).toMatchObject({ lastCheckedAt: '2026-06-01T09:30:00.000Z' });

    await h.services.syncState.put({ subscriberId, lastResult: lastResult('2026-06-01T09:40:00.000Z') });
    expect(json(await h.status(feedToken))).toMatchObject({ lastCheckedAt: '2026-06-01T09:40:00.000Z' });
  });

  it('is not shown for a connection the schedule leaves out', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken);
    await sweeps().recordSweep(scheduleShardOf(subscriberId), new Date('2026-06-01T09:30:00.000Z'));
    const connection = await h.services.connections.get(subscriberId);
    if (!connection) throw new Error('not connected');
    await h.services.connections.save({ ...connection, scheduled: false }, connection.version);
    expect(json(await h.status(feedToken))).not.toHaveProperty('lastCheckedAt');
  });
});
