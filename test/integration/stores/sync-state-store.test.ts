import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import type { SyncResult } from '../../../lambdas/shared/domain/sync-result.ts';
import type { SyncState } from '../../../lambdas/shared/ports/sync-stores.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

const result: SyncResult = {
  outcome: 'deletions_held',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:05.000Z',
  created: 1,
  updated: 2,
  deleted: 0,
  unchanged: 40,
  heldDeletions: 30,
  googleCalls: 3,
  errors: ['held 30 deletions'],
};

const full: SyncState = {
  subscriberId: 'sub-full',
  feedEtag: '"abc"',
  feedLastModified: 'Wed, 21 Oct 2026 07:28:00 GMT',
  feedHash: 'f'.repeat(64),
  lastResult: result,
  heldDeletion: { keysHash: 'k'.repeat(64), count: 1, firstSeenAt: '2026-01-01T00:00:00.000Z' },
  coolDownUntil: '2026-01-01T06:00:00.000Z',
  eventCount: 42,
  missingCalendarId: 'gone@group.calendar.google.com',
};

describe('DynamoSyncStateStore', () => {
  let dynamo: TestDynamo;
  let store: DynamoSyncStateStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new DynamoSyncStateStore(dynamo.client, dynamo.tableNames.syncState);
  });
  afterAll(async () => dynamo.close());

  it('has no state for an unknown subscriber', async () => {
    expect(await store.get('nobody')).toBeUndefined();
  });

  it('round-trips every field', async () => {
    await store.put(full);
    expect(await store.get('sub-full')).toEqual(full);
  });

  it('clears the fields a later state leaves out', async () => {
    await store.put({ ...full, subscriberId: 'sub-clear' });
    await store.put({ subscriberId: 'sub-clear', feedHash: 'h2', eventCount: 0 });
    expect(await store.get('sub-clear')).toEqual({
      subscriberId: 'sub-clear',
      feedHash: 'h2',
      eventCount: 0,
    });
  });

  it('removes the state', async () => {
    await store.put({ ...full, subscriberId: 'sub-remove' });
    await store.remove('sub-remove');
    expect(await store.get('sub-remove')).toBeUndefined();
  });

  describe('lease', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

    it('lets one owner in and keeps the next out until it expires', async () => {
      expect(await store.acquireLease('sub-lease', 'run-a', t0, at(15))).toBe(true);
      expect(await store.acquireLease('sub-lease', 'run-b', at(1), at(16))).toBe(false);
      expect(await store.acquireLease('sub-lease', 'run-a', at(1), at(16))).toBe(true); // renewal
      expect(await store.acquireLease('sub-lease', 'run-b', at(16), at(31))).toBe(true); // expired
    });

    it('of two owners racing for it, exactly one wins', async () => {
      const wins = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.acquireLease('sub-race', `run-${i}`, t0, at(15))),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('is released only by its owner, and survives state writes', async () => {
      expect(await store.acquireLease('sub-release', 'run-a', t0, at(15))).toBe(true);
      await store.put({ subscriberId: 'sub-release', feedHash: 'h' });
      expect(await store.acquireLease('sub-release', 'run-b', at(1), at(16))).toBe(false);
      await store.releaseLease('sub-release', 'run-b');
      expect(await store.acquireLease('sub-release', 'run-b', at(1), at(16))).toBe(false);
      await store.releaseLease('sub-release', 'run-a');
      expect(await store.acquireLease('sub-release', 'run-b', at(1), at(16))).toBe(true);
      expect(await store.get('sub-release')).toEqual({ subscriberId: 'sub-release', feedHash: 'h' });
    });

    it('releasing after the state was removed does not bring the item back', async () => {
      expect(await store.acquireLease('sub-scrubbed', 'run-a', t0, at(15))).toBe(true);
      await store.remove('sub-scrubbed');
      await store.releaseLease('sub-scrubbed', 'run-a');
      expect(await store.get('sub-scrubbed')).toBeUndefined();
    });
  });
});
