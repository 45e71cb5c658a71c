import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import {
  SCHEDULE_SHARDS,
  scheduleShardOf,
} from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { type Connection, ConnectionConflictError } from '../../../lambdas/shared/ports/connection-store.ts';
import { describeOnEachBackend } from './fixture.ts';

const REFUSED = 'local1:cmVmcmVzaA==';

const connection = (subscriberId: string): Omit<Connection, 'version'> => ({
  subscriberId,
  status: 'connected',
  calendarId: 'cal-1@group.calendar.google.com',
  refreshTokenCiphertext: REFUSED,
  feedTokenCiphertext: 'local1:ZmVlZA==',
  eventIdSalt: 'salt-1',
  grantedScopes: 'https://www.googleapis.com/auth/calendar.app.created',
  connectedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  scheduled: true,
});

describeOnEachBackend('DynamoConnectionStore', (stores) => {
  it('saves a new connection and reads it back whole', async () => {
    const saved = await stores.connections.save(connection('sub-a'), undefined);
    expect(saved.version).toBe(1);
    expect(await stores.connections.get('sub-a')).toEqual({ ...connection('sub-a'), version: 1 });
    expect(await stores.connections.get('sub-unknown')).toBeUndefined();
  });

  it('refuses a write based on a stale version, and a second creation', async () => {
    await stores.connections.save(connection('sub-b'), undefined);
    await expect(stores.connections.save(connection('sub-b'), undefined)).rejects.toBeInstanceOf(
      ConnectionConflictError,
    );
    const second = await stores.connections.save({ ...connection('sub-b'), calendarId: 'cal-2' }, 1);
    expect(second.version).toBe(2);
    await expect(
      stores.connections.save({ ...connection('sub-b'), calendarId: 'cal-3' }, 1),
    ).rejects.toBeInstanceOf(ConnectionConflictError);
    expect((await stores.connections.get('sub-b'))?.calendarId).toBe('cal-2');
  });

  it('marks needs_reauth: refresh-token ciphertext gone, scheduling stopped, first date kept', async () => {
    await stores.connections.save(connection('sub-c'), undefined);
    expect(await stores.connections.markNeedsReauth('sub-c', REFUSED, new Date('2026-02-01T00:00:00Z'))).toBe(
      true,
    );
    // The refused token is gone now: a second report of the same refusal changes nothing.
    expect(await stores.connections.markNeedsReauth('sub-c', REFUSED, new Date('2026-02-05T00:00:00Z'))).toBe(
      false,
    );
    const marked = await stores.connections.get('sub-c');
    expect(marked).toMatchObject({
      status: 'needs_reauth',
      scheduled: false,
      needsReauthSince: '2026-02-01T00:00:00.000Z',
      feedTokenCiphertext: 'local1:ZmVlZA==',
    });
    expect(marked?.refreshTokenCiphertext).toBeUndefined();
    expect(marked?.version).toBe(2);
  });

  it('leaves a connection alone whose refresh token is no longer the refused one (a reconnect stored another)', async () => {
    await stores.connections.save(connection('sub-r'), undefined);
    const reconnected = await stores.connections.save(
      { ...connection('sub-r'), refreshTokenCiphertext: 'local1:bmV3LXRva2Vu' },
      1,
    );
    expect(await stores.connections.markNeedsReauth('sub-r', REFUSED, new Date('2026-02-01T00:00:00Z'))).toBe(
      false,
    );
    expect(await stores.connections.get('sub-r')).toEqual(reconnected);
  });

  it('never re-creates a removed connection when marking it', async () => {
    expect(await stores.connections.markNeedsReauth('sub-gone', REFUSED, new Date())).toBe(false);
    expect(await stores.connections.get('sub-gone')).toBeUndefined();
  });

  it('removes idempotently', async () => {
    await stores.connections.save(connection('sub-d'), undefined);
    await stores.connections.remove('sub-d');
    await stores.connections.remove('sub-d');
    expect(await stores.connections.get('sub-d')).toBeUndefined();
  });

  it('lists only connections in needs_reauth since before the cutoff', async () => {
    await stores.connections.save(connection('old-1'), undefined);
    await stores.connections.save(connection('old-2'), undefined);
    await stores.connections.save(connection('recent'), undefined);
    await stores.connections.save(connection('fine'), undefined);
    await stores.connections.markNeedsReauth('old-1', REFUSED, new Date('2025-01-01T00:00:00Z'));
    await stores.connections.markNeedsReauth('old-2', REFUSED, new Date('2025-06-01T00:00:00Z'));
    await stores.connections.markNeedsReauth('recent', REFUSED, new Date('2026-06-01T00:00:00Z'));
    const listed: string[] = [];
    for await (const id of stores.connections.listNeedsReauthSince(new Date('2026-01-01T00:00:00Z')))
      listed.push(id);
    expect(listed.sort()).toEqual(['old-1', 'old-2']);
  });

  it('reads the scheduled connections of every shard from the sparse index, pauses and refusals left out', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const ids = (kind: string) => Array.from({ length: 12 }, (_, i) => `due-${kind}-${i}`);
    for (const kind of ['plain', 'pause-over', 'paused', 'reauth', 'unscheduled']) {
      for (const id of ids(kind)) {
        await stores.connections.save({ ...connection(id), scheduled: kind !== 'unscheduled' }, undefined);
        if (kind === 'pause-over') await stores.connections.pause(id, new Date(now.getTime() - 1));
        if (kind === 'paused') await stores.connections.pause(id, new Date(now.getTime() + 60_000));
        if (kind === 'reauth') await stores.connections.markNeedsReauth(id, REFUSED, now);
      }
    }
    const due: string[] = [];
    for await (const page of stores.connections.due(now)) due.push(...page);
    // Other tests of this file add scheduled connections of their own: only this test's are compared.
    expect(due.filter((id) => id.startsWith('due-')).sort()).toEqual(
      [...ids('plain'), ...ids('pause-over')].sort(),
    );
    expect(new Set(due).size).toBe(due.length);
  });

  it('finds a subscriber by feed lookup key, and the other connections of one Google account', async () => {
    await stores.connections.save({ ...connection('feed-1'), feedLookupKey: 'lookup-feed-1' }, undefined);
    await stores.connections.save(
      { ...connection('feed-2'), feedLookupKey: 'lookup-feed-2', status: 'needs_reauth' },
      undefined,
    );
    expect(await stores.connections.byFeedLookupKey('lookup-feed-1')).toEqual({
      subscriberId: 'feed-1',
      connected: true,
    });
    expect(await stores.connections.byFeedLookupKey('lookup-feed-2')).toEqual({
      subscriberId: 'feed-2',
      connected: false,
    });
    expect(await stores.connections.byFeedLookupKey('lookup-unknown')).toBeUndefined();

    // Equal index keys: DynamoDB keeps an index entry for each item.
    for (const id of ['acct-1', 'acct-2', 'acct-3']) {
      await stores.connections.save({ ...connection(id), googleAccountKey: 'account-shared' }, undefined);
    }
    expect((await stores.connections.othersOfGoogleAccount('account-shared', 'acct-2')).sort()).toEqual([
      'acct-1',
      'acct-3',
    ]);
    await stores.connections.remove('acct-1');
    expect(await stores.connections.othersOfGoogleAccount('account-shared', 'acct-2')).toEqual(['acct-3']);
    expect(await stores.connections.othersOfGoogleAccount('account-other', 'acct-2')).toEqual([]);
  });

  it('stores a connection under the attribute names and types it always had, and reads such an item', async () => {
    const whole = {
      ...connection('sub-format'),
      needsReauthSince: '2026-01-02T00:00:00.000Z',
      feedGoneSince: '2026-01-03T00:00:00.000Z',
      syncPausedUntil: '2026-01-04T00:00:00.000Z',
      feedLookupKey: 'lookup-1',
      googleAccountKey: 'account-1',
      googleAccountChangedAt: '2026-01-05T00:00:00.000Z',
    };
    await stores.connections.save(whole, undefined);
    const { client, tableNames } = stores.dynamo;
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableNames.connections, Key: { subscriberId: { S: 'sub-format' } } }),
    );
    const stored = {
      subscriberId: { S: 'sub-format' },
      status: { S: 'connected' },
      calendarId: { S: whole.calendarId },
      refreshTokenCiphertext: { S: REFUSED },
      feedTokenCiphertext: { S: whole.feedTokenCiphertext },
      eventIdSalt: { S: whole.eventIdSalt },
      grantedScopes: { S: whole.grantedScopes },
      connectedAt: { S: whole.connectedAt },
      updatedAt: { S: whole.updatedAt },
      scheduled: { BOOL: true },
      version: { N: '1' },
      needsReauthSince: { S: whole.needsReauthSince },
      feedGoneSince: { S: whole.feedGoneSince },
      syncPausedUntil: { S: whole.syncPausedUntil },
      feedLookupKey: { S: 'lookup-1' },
      googleAccountKey: { S: 'account-1' },
      googleAccountChangedAt: { S: whole.googleAccountChangedAt },
    };
    expect(Item).toEqual({
      ...stored,
      scheduleShard: { S: String(scheduleShardOf(whole.subscriberId)) },
    });
    expect(scheduleShardOf(whole.subscriberId)).toBeLessThan(SCHEDULE_SHARDS);
    // An item written as the store always wrote it reads back whole.
    await client.send(
      new PutItemCommand({
        TableName: tableNames.connections,
        Item: { ...stored, subscriberId: { S: 'sub-written' } },
      }),
    );
    expect(await stores.connections.get('sub-written')).toEqual({
      ...whole,
      subscriberId: 'sub-written',
      version: 1,
    });
  });
});
