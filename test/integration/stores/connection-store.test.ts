import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConnectionStore } from '../../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { type Connection, ConnectionConflictError } from '../../../lambdas/shared/ports/connection-store.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

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

describe('DynamoConnectionStore (dynalite)', () => {
  let dynamo: TestDynamo;
  let store: DynamoConnectionStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new DynamoConnectionStore(dynamo.client, dynamo.tableNames.connections);
  });
  afterAll(async () => dynamo.close());

  it('saves a new connection and reads it back whole', async () => {
    const saved = await store.save(connection('sub-a'), undefined);
    expect(saved.version).toBe(1);
    expect(await store.get('sub-a')).toEqual({ ...connection('sub-a'), version: 1 });
    expect(await store.get('sub-unknown')).toBeUndefined();
  });

  it('refuses a write based on a stale version, and a second creation', async () => {
    await store.save(connection('sub-b'), undefined);
    await expect(store.save(connection('sub-b'), undefined)).rejects.toBeInstanceOf(ConnectionConflictError);
    const second = await store.save({ ...connection('sub-b'), calendarId: 'cal-2' }, 1);
    expect(second.version).toBe(2);
    await expect(store.save({ ...connection('sub-b'), calendarId: 'cal-3' }, 1)).rejects.toBeInstanceOf(
      ConnectionConflictError,
    );
    expect((await store.get('sub-b'))?.calendarId).toBe('cal-2');
  });

  it('marks needs_reauth: refresh-token ciphertext gone, scheduling stopped, first date kept', async () => {
    await store.save(connection('sub-c'), undefined);
    expect(await store.markNeedsReauth('sub-c', REFUSED, new Date('2026-02-01T00:00:00Z'))).toBe(true);
    // The refused token is gone now: a second report of the same refusal changes nothing.
    expect(await store.markNeedsReauth('sub-c', REFUSED, new Date('2026-02-05T00:00:00Z'))).toBe(false);
    const marked = await store.get('sub-c');
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
    await store.save(connection('sub-r'), undefined);
    const reconnected = await store.save(
      { ...connection('sub-r'), refreshTokenCiphertext: 'local1:bmV3LXRva2Vu' },
      1,
    );
    expect(await store.markNeedsReauth('sub-r', REFUSED, new Date('2026-02-01T00:00:00Z'))).toBe(false);
    expect(await store.get('sub-r')).toEqual(reconnected);
  });

  it('never re-creates a removed connection when marking it', async () => {
    expect(await store.markNeedsReauth('sub-gone', REFUSED, new Date())).toBe(false);
    expect(await store.get('sub-gone')).toBeUndefined();
  });

  it('removes idempotently', async () => {
    await store.save(connection('sub-d'), undefined);
    await store.remove('sub-d');
    await store.remove('sub-d');
    expect(await store.get('sub-d')).toBeUndefined();
  });

  it('lists only connections in needs_reauth since before the cutoff', async () => {
    await store.save(connection('old-1'), undefined);
    await store.save(connection('old-2'), undefined);
    await store.save(connection('recent'), undefined);
    await store.save(connection('fine'), undefined);
    await store.markNeedsReauth('old-1', REFUSED, new Date('2025-01-01T00:00:00Z'));
    await store.markNeedsReauth('old-2', REFUSED, new Date('2025-06-01T00:00:00Z'));
    await store.markNeedsReauth('recent', REFUSED, new Date('2026-06-01T00:00:00Z'));
    const listed: string[] = [];
    for await (const id of store.listNeedsReauthSince(new Date('2026-01-01T00:00:00Z'))) listed.push(id);
    expect(listed.sort()).toEqual(['old-1', 'old-2']);
  });
});
