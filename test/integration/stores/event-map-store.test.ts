import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import type { EventMapRow } from '../../../lambdas/shared/ports/sync-stores.ts';
import { describeOnEachBackend } from './fixture.ts';

const row = (i: number, extra: Partial<EventMapRow> = {}): EventMapRow => ({
  eventKey: `uid-${String(i).padStart(5, '0')}@example.com`,
  googleId: `g${i.toString(32)}0000`,
  hash: `hash-${i}`,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describeOnEachBackend('DynamoEventMapStore', (stores) => {
  it('lists nothing for an unknown subscriber', async () => {
    expect(await stores.eventMap.list('nobody')).toEqual([]);
  });

  it('round-trips rows, including the series key of exceptions', async () => {
    const rows = [
      row(1),
      row(2, { eventKey: 'uid-1@example.com#20260105T090000Z', seriesKey: 'uid-1@example.com' }),
    ];
    await stores.eventMap.put('sub-roundtrip', rows);
    const listed = await stores.eventMap.list('sub-roundtrip');
    expect(listed.sort((a, b) => a.eventKey.localeCompare(b.eventKey))).toEqual(
      [...rows].sort((a, b) => a.eventKey.localeCompare(b.eventKey)),
    );
  });

  it('writes and lists more rows than one batch and one query page hold', async () => {
    // ~400-byte hashes push the listing past dynalite's 1 MB page only with many rows; 3,000 rows of padding do.
    const padding = 'x'.repeat(400);
    const rows = Array.from({ length: 3000 }, (_, i) => row(i, { hash: `${padding}${i}` }));
    await stores.eventMap.put('sub-many', rows);
    const listed = await stores.eventMap.list('sub-many');
    expect(listed).toHaveLength(3000);
    expect(new Set(listed.map((r) => r.eventKey)).size).toBe(3000);
    expect(listed.find((r) => r.eventKey === rows[2999]?.eventKey)?.hash).toBe(`${padding}2999`);
  });

  it('keeps the last row when one put names a key twice, and overwrites on a later put', async () => {
    await stores.eventMap.put('sub-dup', [row(1, { hash: 'first' }), row(1, { hash: 'second' })]);
    expect((await stores.eventMap.list('sub-dup')).map((r) => r.hash)).toEqual(['second']);
    await stores.eventMap.put('sub-dup', [row(1, { hash: 'third' })]);
    expect((await stores.eventMap.list('sub-dup')).map((r) => r.hash)).toEqual(['third']);
  });

  it('removes the named rows only, and tolerates keys that are not there', async () => {
    await stores.eventMap.put('sub-remove', [row(1), row(2), row(3)]);
    await stores.eventMap.remove('sub-remove', [row(1).eventKey, row(3).eventKey, 'never-written']);
    expect((await stores.eventMap.list('sub-remove')).map((r) => r.eventKey)).toEqual([row(2).eventKey]);
  });

  it('removeAll scrubs one subscriber across many batches and leaves the others alone', async () => {
    await stores.eventMap.put(
      'sub-gone',
      Array.from({ length: 120 }, (_, i) => row(i)),
    );
    await stores.eventMap.put('sub-stays', [row(7)]);
    await stores.eventMap.removeAll('sub-gone');
    expect(await stores.eventMap.list('sub-gone')).toEqual([]);
    expect(await stores.eventMap.list('sub-stays')).toHaveLength(1);
    await stores.eventMap.removeAll('sub-gone'); // idempotent
  });

  it('keeps keys over the 1,024-byte sort key limit under a digest, handing back the full key', async () => {
    const longKey = `${'é'.repeat(600)}@example.com`; // 1,212 bytes in UTF-8
    const exactly = 'k'.repeat(1024);
    const rows = [
      row(1, { eventKey: longKey, endsAt: '2026-03-01T10:00:00.000Z' }),
      row(2, { eventKey: `${longKey}#20260105T090000Z`, seriesKey: longKey }),
      row(3, { eventKey: exactly }),
    ];
    await stores.eventMap.put('sub-long', rows);
    const byKey = (list: EventMapRow[]) => [...list].sort((a, b) => a.eventKey.localeCompare(b.eventKey));
    expect(byKey(await stores.eventMap.list('sub-long'))).toEqual(byKey(rows));
    // Written again under the same digest, not next to it.
    await stores.eventMap.put('sub-long', [{ ...(rows[0] as EventMapRow), hash: 'changed' }]);
    expect(await stores.eventMap.list('sub-long')).toHaveLength(3);
    await stores.eventMap.remove('sub-long', [longKey]);
    expect((await stores.eventMap.list('sub-long')).map((r) => r.eventKey).sort()).toEqual(
      [`${longKey}#20260105T090000Z`, exactly].sort(),
    );
    await stores.eventMap.removeAll('sub-long');
    expect(await stores.eventMap.list('sub-long')).toEqual([]);
  });

  it('accepts empty writes without calling DynamoDB with an empty batch', async () => {
    await stores.eventMap.put('sub-empty', []);
    await stores.eventMap.remove('sub-empty', []);
    expect(await stores.eventMap.list('sub-empty')).toEqual([]);
  });

  it('stores rows under the attribute names and types they always had', async () => {
    const long = `${'u'.repeat(1100)}@example.com`;
    const refusal = { count: 3, retryAfter: '2026-01-01T04:00:00.000Z', hash: 'wanted' };
    await stores.eventMap.put('sub-format', [
      row(1, { seriesKey: 'series-1', endsAt: '2026-02-01T00:00:00Z' }),
      row(2, { eventKey: long }),
      row(3, { refusal }),
      row(4, { ownGoogleId: true, signature: 'abc123' }),
    ]);
    const { client, tableNames } = stores.dynamo;
    const { Items } = await client.send(
      new QueryCommand({
        TableName: tableNames.eventMap,
        KeyConditionExpression: 'subscriberId = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'sub-format' } },
      }),
    );
    const ofRow = (i: number) => ({
      subscriberId: { S: 'sub-format' },
      googleId: { S: row(i).googleId },
      hash: { S: row(i).hash },
      updatedAt: { S: row(i).updatedAt },
    });
    expect(Items).toHaveLength(4);
    expect(Items).toContainEqual({
      ...ofRow(1),
      eventKey: { S: row(1).eventKey },
      seriesKey: { S: 'series-1' },
      endsAt: { S: '2026-02-01T00:00:00Z' },
    });
    expect(Items).toContainEqual({
      ...ofRow(2),
      eventKey: { S: expect.stringMatching(/^h:[0-9a-f]{64}$/) },
      fullKey: { S: long },
    });
    // A refused write's back-off: three flat attributes, read back as the row's refusal.
    expect(Items).toContainEqual({
      ...ofRow(3),
      eventKey: { S: row(3).eventKey },
      refusedCount: { N: '3' },
      retryAfter: { S: refusal.retryAfter },
      refusedHash: { S: 'wanted' },
    });
    // A row whose Google id is its own (a fresh id, a renamed UID's event) and its start/end/summary signature.
    expect(Items).toContainEqual({
      ...ofRow(4),
      eventKey: { S: row(4).eventKey },
      ownGoogleId: { BOOL: true },
      signature: { S: 'abc123' },
    });
    const listed = await stores.eventMap.list('sub-format');
    expect(listed.find((r) => r.eventKey === row(3).eventKey)).toEqual(row(3, { refusal }));
    expect(listed.find((r) => r.eventKey === row(4).eventKey)).toEqual(
      row(4, { ownGoogleId: true, signature: 'abc123' }),
    );
    expect(listed.find((r) => r.eventKey === row(1).eventKey)?.refusal).toBeUndefined();
  });
});
