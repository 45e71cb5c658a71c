import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { PROJECT_QUOTA_KEY } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import type { SyncResult } from '../../../lambdas/shared/domain/sync-result.ts';
import type { SyncState } from '../../../lambdas/shared/ports/sync-stores.ts';
import { describeOnEachBackend, itConcurrent } from './fixture.ts';

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
  refusalRetryAt: '2026-01-01T01:00:00.000Z',
  lastAuditAt: '2026-01-01T00:00:00.000Z',
  auditSyncToken: 'CPDAlvWDx70CEPDAlvWDx70CGAU=',
};

describeOnEachBackend('DynamoSyncStateStore', (stores) => {
  it('has no state for an unknown subscriber', async () => {
    expect(await stores.syncState.get('nobody')).toBeUndefined();
  });

  it('round-trips every field', async () => {
    await stores.syncState.put(full);
    expect(await stores.syncState.get('sub-full')).toEqual(full);
  });

  it('clears the fields a later state leaves out', async () => {
    await stores.syncState.put({ ...full, subscriberId: 'sub-clear' });
    await stores.syncState.put({ subscriberId: 'sub-clear', feedHash: 'h2', eventCount: 0 });
    expect(await stores.syncState.get('sub-clear')).toEqual({
      subscriberId: 'sub-clear',
      feedHash: 'h2',
      eventCount: 0,
    });
  });

  it('removes the state', async () => {
    await stores.syncState.put({ ...full, subscriberId: 'sub-remove' });
    await stores.syncState.remove('sub-remove');
    expect(await stores.syncState.get('sub-remove')).toBeUndefined();
  });

  describe('lease', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

    it('lets one owner in and keeps the next out until it expires', async () => {
      expect(await stores.syncState.acquireLease('sub-lease', 'run-a', t0, at(15))).toBe(true);
      expect(await stores.syncState.acquireLease('sub-lease', 'run-b', at(1), at(16))).toBe(false);
      expect(await stores.syncState.acquireLease('sub-lease', 'run-a', at(1), at(16))).toBe(true); // renewal
      expect(await stores.syncState.acquireLease('sub-lease', 'run-b', at(16), at(31))).toBe(true); // expired
    });

    itConcurrent(stores)('of two owners racing for it, exactly one wins', async () => {
      const wins = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          stores.syncState.acquireLease('sub-race', `run-${i}`, t0, at(15)),
        ),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('is released only by its owner, and survives state writes', async () => {
      expect(await stores.syncState.acquireLease('sub-release', 'run-a', t0, at(15))).toBe(true);
      await stores.syncState.put({ subscriberId: 'sub-release', feedHash: 'h' });
      expect(await stores.syncState.acquireLease('sub-release', 'run-b', at(1), at(16))).toBe(false);
      await stores.syncState.releaseLease('sub-release', 'run-b');
      expect(await stores.syncState.acquireLease('sub-release', 'run-b', at(1), at(16))).toBe(false);
      await stores.syncState.releaseLease('sub-release', 'run-a');
      expect(await stores.syncState.acquireLease('sub-release', 'run-b', at(1), at(16))).toBe(true);
      expect(await stores.syncState.get('sub-release')).toEqual({
        subscriberId: 'sub-release',
        feedHash: 'h',
      });
    });

    it('releasing after the state was removed does not bring the item back', async () => {
      expect(await stores.syncState.acquireLease('sub-scrubbed', 'run-a', t0, at(15))).toBe(true);
      await stores.syncState.remove('sub-scrubbed');
      await stores.syncState.releaseLease('sub-scrubbed', 'run-a');
      expect(await stores.syncState.get('sub-scrubbed')).toBeUndefined();
    });
  });

  it('stores the state and its lease under the attribute names and types they always had', async () => {
    await stores.syncState.put({ ...full, subscriberId: 'sub-format' });
    const until = new Date('2026-01-01T00:15:00.000Z');
    await stores.syncState.acquireLease('sub-format', 'run-1', new Date('2026-01-01T00:00:00Z'), until);
    const { client, tableNames } = stores.dynamo;
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableNames.syncState, Key: { subscriberId: { S: 'sub-format' } } }),
    );
    expect(Item).toEqual({
      subscriberId: { S: 'sub-format' },
      feedEtag: { S: full.feedEtag },
      feedLastModified: { S: full.feedLastModified },
      feedHash: { S: full.feedHash },
      coolDownUntil: { S: full.coolDownUntil },
      eventCount: { N: '42' },
      missingCalendarId: { S: full.missingCalendarId },
      refusalRetryAt: { S: full.refusalRetryAt },
      lastAuditAt: { S: full.lastAuditAt },
      auditSyncToken: { S: full.auditSyncToken },
      lastResult: { S: JSON.stringify(full.lastResult) },
      heldDeletion: { S: JSON.stringify(full.heldDeletion) },
      leaseOwner: { S: 'run-1' },
      leaseUntil: { N: String(until.getTime()) },
    });
  });

  describe("the project's daily quota", () => {
    it('is one item for the whole project, where a later reset is never replaced by an earlier', async () => {
      expect(await stores.syncState.dailyLimitUntil()).toBeUndefined();
      await stores.syncState.dailyLimitReached('2026-01-02T08:00:00.000Z');
      await stores.syncState.dailyLimitReached('2026-01-01T08:00:00.000Z'); // a worker that read the time late
      expect(await stores.syncState.dailyLimitUntil()).toBe('2026-01-02T08:00:00.000Z');
      await stores.syncState.dailyLimitReached('2026-01-03T08:00:00.000Z');
      expect(await stores.syncState.dailyLimitUntil()).toBe('2026-01-03T08:00:00.000Z');

      const { client, tableNames } = stores.dynamo;
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableNames.syncState,
          Key: { subscriberId: { S: PROJECT_QUOTA_KEY } },
        }),
      );
      expect(Item).toEqual({
        subscriberId: { S: '#project-quota' },
        dailyLimitUntil: { S: '2026-01-03T08:00:00.000Z' },
      });
      // No subscriber's state: its key is no subscriber id.
      expect(await stores.syncState.get('#project-quota')).toEqual({ subscriberId: '#project-quota' });
    });
  });
});
