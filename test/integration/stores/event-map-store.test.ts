import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventMapStore } from '../../../lambdas/shared/adapters/dynamodb/event-map-store.ts';
import type { EventMapRow } from '../../../lambdas/shared/ports/sync-stores.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';

const row = (i: number, extra: Partial<EventMapRow> = {}): EventMapRow => ({
  eventKey: `uid-${String(i).padStart(5, '0')}@example.com`,
  googleId: `g${i.toString(32)}0000`,
  hash: `hash-${i}`,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('DynamoEventMapStore', () => {
  let dynamo: TestDynamo;
  let store: DynamoEventMapStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new DynamoEventMapStore(dynamo.client, dynamo.tableNames.eventMap);
  });
  afterAll(async () => dynamo.close());

  it('lists nothing for an unknown subscriber', async () => {
    expect(await store.list('nobody')).toEqual([]);
  });

  it('round-trips rows, including the series key of exceptions', async () => {
    const rows = [
      row(1),
      row(2, { eventKey: 'uid-1@example.com#20260105T090000Z', seriesKey: 'uid-1@example.com' }),
    ];
    await store.put('sub-roundtrip', rows);
    const listed = await store.list('sub-roundtrip');
    expect(listed.sort((a, b) => a.eventKey.localeCompare(b.eventKey))).toEqual(
      [...rows].sort((a, b) => a.eventKey.localeCompare(b.eventKey)),
    );
  });

  it('writes and lists more rows than one batch and one query page hold', async () => {
    // ~400-byte hashes push the listing past dynalite's 1 MB page only with many rows; 3,000 rows of padding do.
    const padding = 'x'.repeat(400);
    const rows = Array.from({ length: 3000 }, (_, i) => row(i, { hash: `${padding}${i}` }));
    await store.put('sub-many', rows);
    const listed = await store.list('sub-many');
    expect(listed).toHaveLength(3000);
    expect(new Set(listed.map((r) => r.eventKey)).size).toBe(3000);
    expect(listed.find((r) => r.eventKey === rows[2999]?.eventKey)?.hash).toBe(`${padding}2999`);
  });

  it('keeps the last row when one put names a key twice, and overwrites on a later put', async () => {
    await store.put('sub-dup', [row(1, { hash: 'first' }), row(1, { hash: 'second' })]);
    expect((await store.list('sub-dup')).map((r) => r.hash)).toEqual(['second']);
    await store.put('sub-dup', [row(1, { hash: 'third' })]);
    expect((await store.list('sub-dup')).map((r) => r.hash)).toEqual(['third']);
  });

  it('removes the named rows only, and tolerates keys that are not there', async () => {
    await store.put('sub-remove', [row(1), row(2), row(3)]);
    await store.remove('sub-remove', [row(1).eventKey, row(3).eventKey, 'never-written']);
    expect((await store.list('sub-remove')).map((r) => r.eventKey)).toEqual([row(2).eventKey]);
  });

  it('removeAll scrubs one subscriber across many batches and leaves the others alone', async () => {
    await store.put(
      'sub-gone',
      Array.from({ length: 120 }, (_, i) => row(i)),
    );
    await store.put('sub-stays', [row(7)]);
    await store.removeAll('sub-gone');
    expect(await store.list('sub-gone')).toEqual([]);
    expect(await store.list('sub-stays')).toHaveLength(1);
    await store.removeAll('sub-gone'); // idempotent
  });

  it('keeps keys over the 1,024-byte sort key limit under a digest, handing back the full key', async () => {
    const longKey = `${'é'.repeat(600)}@example.com`; // 1,212 bytes in UTF-8
    const exactly = 'k'.repeat(1024);
    const rows = [
      row(1, { eventKey: longKey, endsAt: '2026-03-01T10:00:00.000Z' }),
      row(2, { eventKey: `${longKey}#20260105T090000Z`, seriesKey: longKey }),
      row(3, { eventKey: exactly }),
    ];
    await store.put('sub-long', rows);
    const byKey = (list: EventMapRow[]) => [...list].sort((a, b) => a.eventKey.localeCompare(b.eventKey));
    expect(byKey(await store.list('sub-long'))).toEqual(byKey(rows));
    // Written again under the same digest, not next to it.
    await store.put('sub-long', [{ ...(rows[0] as EventMapRow), hash: 'changed' }]);
    expect(await store.list('sub-long')).toHaveLength(3);
    await store.remove('sub-long', [longKey]);
    expect((await store.list('sub-long')).map((r) => r.eventKey).sort()).toEqual(
      [`${longKey}#20260105T090000Z`, exactly].sort(),
    );
    await store.removeAll('sub-long');
    expect(await store.list('sub-long')).toEqual([]);
  });

  it('accepts empty writes without calling DynamoDB with an empty batch', async () => {
    await store.put('sub-empty', []);
    await store.remove('sub-empty', []);
    expect(await store.list('sub-empty')).toEqual([]);
  });
});
