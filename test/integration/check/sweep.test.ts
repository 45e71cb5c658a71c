import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoCheckStateWriter } from '../../../lambdas/shared/adapters/dynamodb/check-state-writer.ts';
import { dayOf } from '../../../lambdas/shared/domain/feed-check.ts';
import type { SweepRequest } from '../../../lambdas/shared/ports/sweep-queue.ts';
import type { SyncState } from '../../../lambdas/shared/ports/sync-stores.ts';
import { CheckWorld, type SeededSubscriber } from '../../support/check-world.ts';
import { skipWithoutMoto } from '../../support/moto.ts';

const HOUR = 3_600_000;

/** Every item of the sync-state table but the sweep records, as stored. */
async function syncStateItems(world: CheckWorld): Promise<unknown[]> {
  const { Items = [] } = await world.dynamo.client.send(
    new ScanCommand({ TableName: world.dynamo.tableNames.syncState, ConsistentRead: true }),
  );
  return Items.filter((item) => !item.subscriberId?.S?.startsWith('#')).sort((a, b) =>
    String(a.subscriberId?.S).localeCompare(String(b.subscriberId?.S)),
  );
}

/** Requests the feed server received for each subscriber's feed. */
const fetchesOf = (world: CheckWorld, subscriber: SeededSubscriber) =>
  world.feeds.received.filter((request) => request.path === `/ics/${subscriber.feedToken}.ics`).length;

describe('a sweep of unchanged feeds', () => {
  const world = new CheckWorld();
  beforeAll(() => world.open());
  afterAll(() => world.close());

  it('sends no write job and writes nothing but the sweep record', async () => {
    const subscribers = await world.seed(12, { shards: [5] });
    const before = await syncStateItems(world);
    expect(await world.sweep({ shard: 5, requestedAt: world.clock.date().toISOString() })).toEqual({
      batchItemFailures: [],
    });
    // One conditional GET each, answered 304.
    expect(world.feeds.answered).toEqual({ full: 0, notModified: 12 });
    for (const subscriber of subscribers) expect(fetchesOf(world, subscriber)).toBe(1);
    expect(await world.writeJobs()).toEqual([]);
    expect(await world.continuations()).toEqual([]);
    expect(await syncStateItems(world)).toEqual(before);
    // One count per verdict for the whole sweep; no subscriber in the metrics.
    expect(world.emf.filter((line) => 'FeedChecks' in line)).toEqual([
      expect.objectContaining({ verdict: 'unchanged', FeedChecks: 12 }),
    ]);
    expect(JSON.stringify(world.emf)).not.toContain((subscribers[0] as SeededSubscriber).id);
    expect(await world.syncState.lastSweptFor((subscribers[0] as SeededSubscriber).id)).toBe(
      world.clock.date().toISOString(),
    );
  });
});

describe('what a check turns into a write job', () => {
  const world = new CheckWorld();
  beforeAll(() => world.open());
  afterAll(() => world.close());
  beforeEach(async () => {
    await world.writeJobs();
    world.feeds.received.length = 0;
  });
  const requestedAt = () => world.clock.date().toISOString();

  it('a changed feed: one `checked` job for that subscriber only', async () => {
    const changed = await world.seedOne({ shards: [1] });
    const same = await world.seedOne({ shards: [1] });
    world.feeds.feeds.set(changed.feedToken, CheckWorld.feedFor(`${changed.id}-v2`));
    await world.sweep({ shard: 1, requestedAt: requestedAt() });
    expect(await world.writeJobs()).toEqual([
      { subscriberId: changed.id, reason: 'checked', requestedAt: requestedAt() },
    ]);
    expect(fetchesOf(world, same)).toBe(1);
  });

  it('a feed error: a job (the worker records it), after one fetch', async () => {
    const failing = await world.seedOne({ shards: [2] });
    world.feeds.faults.set(failing.feedToken, 'down');
    await world.sweep({ shard: 2, requestedAt: requestedAt() });
    expect((await world.writeJobs()).map((job) => job.subscriberId)).toEqual([failing.id]);
    expect(fetchesOf(world, failing)).toBe(1);
  });

  it('an audit or a first sync due: a job without fetching; a day-old grant check waits for the daily audit', async () => {
    const audit = await world.seedOne({
      shards: [3],
      state: (state) => ({ ...state, lastAuditAt: new Date(world.clock.now() - 25 * HOUR).toISOString() }),
    });
    const token = await world.seedOne({
      shards: [3],
      state: (state) => ({ ...state, tokenCheckedAt: new Date(world.clock.now() - 25 * HOUR).toISOString() }),
    });
    const first = await world.seedOne({ shards: [3], state: () => null });
    await world.sweep({ shard: 3, requestedAt: requestedAt() });
    const jobs = await world.writeJobs();
    expect(jobs.map((job) => job.subscriberId).sort()).toEqual([audit.id, first.id].sort());
    expect(jobs.every((job) => job.reason === 'checked')).toBe(true);
    // The audit asks Google for a token: with audits daily, the grant check is the audit's (an unchanged feed).
    expect(fetchesOf(world, audit) + fetchesOf(world, first)).toBe(0);
    expect(fetchesOf(world, token)).toBe(1);
  });

  it('paused, not scheduled, paused by the operator, cooling down: nothing, and no fetch', async () => {
    const later = new Date(world.clock.now() + HOUR).toISOString();
    const paused = await world.seedOne({ shards: [4], connection: { syncPausedUntil: later } });
    const unscheduled = await world.seedOne({ shards: [4], connection: { scheduled: false } });
    const operator = await world.seedOne({
      shards: [4],
      connection: { scheduled: false, operatorPausedAt: requestedAt() },
    });
    const cooling = await world.seedOne({
      shards: [4],
      state: (state) => ({ ...state, coolDownUntil: later }),
    });
    const spent = await world.seedOne({
      shards: [4],
      state: (state) => ({ ...state, dailyUnits: { day: dayOf(world.clock.date()), units: 20_000 } }),
    });
    await world.sweep({ shard: 4, requestedAt: requestedAt() });
    expect(await world.writeJobs()).toEqual([]);
    for (const subscriber of [paused, unscheduled, operator, cooling, spent])
      expect(fetchesOf(world, subscriber)).toBe(0);
  });

  it('a subscriber whose sync is running (a first sync, the lease alone stored): nothing, no fetch', async () => {
    const now = world.clock.date();
    const firstSync = await world.seedOne({ shards: [5], state: () => null });
    await world.syncState.acquireLease(firstSync.id, 'run', now, new Date(now.getTime() + HOUR));
    const syncing = await world.seedOne({
      shards: [5],
      state: (state) => ({ ...state, lastAuditAt: undefined }),
    });
    await world.syncState.acquireLease(syncing.id, 'run', now, new Date(now.getTime() + HOUR));
    // A lease released long ago is no run: its subscriber is checked as usual.
    const done = await world.seedOne({ shards: [5] });
    await world.syncState.acquireLease(
      done.id,
      'run',
      new Date(now.getTime() - HOUR),
      new Date(now.getTime() - 1),
    );
    await world.sweep({ shard: 5, requestedAt: requestedAt() });
    expect(await world.writeJobs()).toEqual([]);
    expect(fetchesOf(world, firstSync) + fetchesOf(world, syncing)).toBe(0);
    expect(fetchesOf(world, done)).toBe(1);
  });

  it('validators that changed for the same body are stored; a run in between keeps its own', async () => {
    const staleOptions = {
      shards: [7],
      state: (state: SyncState) => ({ ...state, feedEtag: '"old"' }),
    };
    const stale = await world.seedOne(staleOptions);
    const raced = await world.seedOne(staleOptions);
    // The stale etag does not match: the same body comes back with a new one: unchanged, new validators.
    await world.sweep({ shard: 7, requestedAt: requestedAt() });
    expect(await world.writeJobs()).toEqual([]);
    const state = await world.syncState.get(stale.id);
    expect(state).toMatchObject({
      feedEtag: world.etagOf(CheckWorld.feedFor(stale.id)),
      feedValidatedFor: dayOf(world.horizon().from),
    });
    // The refresh is conditional on the hash compared: a run that applied another body keeps its validators.
    const writer = new DynamoCheckStateWriter(world.dynamo.client, world.dynamo.tableNames.syncState);
    const ran = {
      ...(await world.syncState.get(raced.id)),
      subscriberId: raced.id,
      feedHash: 'another body',
      feedEtag: '"run"',
    };
    await world.syncState.put(ran);
    const stored = await writer.refreshValidators(raced.id, state?.feedHash as string, {
      feedEtag: '"check"',
      feedValidatedFor: dayOf(world.horizon().from),
    });
    expect(stored).toBe(false);
    expect(await world.syncState.get(raced.id)).toMatchObject({
      feedHash: 'another body',
      feedEtag: '"run"',
    });
  });

  it('an unreadable sweep message is reported failed, not swept', async () => {
    const response = await world.sweep('{"shard":"x"}');
    expect(response.batchItemFailures).toHaveLength(1);
    expect(await world.writeJobs()).toEqual([]);
  });
});

describe('a sweep whose invocation runs short of time', () => {
  const world = new CheckWorld();
  beforeAll(() => world.open());
  afterAll(() => world.close());

  it('goes on in a continuation after the last subscriber checked, which checks exactly the rest', async () => {
    const subscribers = await world.seed(30, { shards: [9] });
    const changed = subscribers.map((s) => s.id).sort();
    // Every feed changed, so each check is seen as a write job.
    for (const subscriber of subscribers)
      world.feeds.feeds.set(subscriber.feedToken, CheckWorld.feedFor(`${subscriber.id}-v2`));
    let asked = 0;
    // Plenty of time for the first 11 looks (the sweep's own and 10 subscribers'), then too little.
    const response = await world.sweep({ shard: 9, requestedAt: world.clock.date().toISOString() }, () =>
      ++asked <= 11 ? 600_000 : 1_000,
    );
    expect(response.batchItemFailures).toEqual([]);
    const firstJobs = (await world.writeJobs()).map((job) => job.subscriberId).sort();
    expect(firstJobs).toEqual(changed.slice(0, 10));
    const [continuation, ...more] = await world.continuations();
    expect(more).toEqual([]);
    expect(continuation).toMatchObject({ shard: 9, after: changed[9] });
    expect(await world.syncState.lastSweptFor(changed[0] as string)).toBeUndefined();

    await world.sweep(continuation as SweepRequest);
    expect((await world.writeJobs()).map((job) => job.subscriberId).sort()).toEqual(changed.slice(10));
    expect(await world.continuations()).toEqual([]);
    for (const subscriber of subscribers) expect(fetchesOf(world, subscriber)).toBe(1);
    // Recorded at the tick's time: the first part was checked before this invocation.
    expect(await world.syncState.lastSweptFor(changed[0] as string)).toBe(continuation?.requestedAt);
  });
});

describe('a sweep that starts with too little time', () => {
  const world = new CheckWorld();
  beforeAll(() => world.open());
  afterAll(() => world.close());

  it('checks nothing, records nothing, and hands the whole shard to a continuation', async () => {
    const subscriber = await world.seedOne({ shards: [12] });
    const requestedAt = world.clock.date().toISOString();
    await world.sweep({ shard: 12, requestedAt }, () => 1_000);
    expect(await world.continuations()).toEqual([{ shard: 12, requestedAt }]);
    expect(fetchesOf(world, subscriber)).toBe(0);
    expect(await world.syncState.lastSweptFor(subscriber.id)).toBeUndefined();
  });
});

describe.skipIf(skipWithoutMoto)('the feed tokens of a sweep, sealed under KMS', () => {
  const world = new CheckWorld();
  beforeAll(() => world.open({ kms: true }));
  afterAll(() => world.close());

  it('cost one KMS call for the data key, and none per check after it', async () => {
    await world.seed(20, { shards: [11] });
    await world.sweep({ shard: 11, requestedAt: world.clock.date().toISOString() });
    expect(world.kmsCalls).toEqual(['DecryptCommand']);
    expect(world.feeds.answered.notModified).toBe(20);
    await world.sweep({ shard: 11, requestedAt: world.clock.date().toISOString() });
    expect(world.kmsCalls).toEqual(['DecryptCommand']);
    expect(world.feeds.answered.notModified).toBe(40);
    expect(await world.writeJobs()).toEqual([]);
  });
});
