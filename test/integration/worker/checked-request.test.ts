import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { feedOf, WorkerHarness } from './harness.ts';

/**
 * A sweep's write job (reason `checked`): held back like the schedule's own requests (not scheduled, paused), but
 * not for a sync within the interval, since its check just saw something to write.
 */
describe('sync worker: a write job of a sweep', () => {
  const h = new WorkerHarness();
  const emfDuring = async (run: () => Promise<unknown>) => {
    const from = h.emf.length;
    await run();
    return h.emf.slice(from);
  };
  beforeAll(() => h.open());
  afterAll(() => h.close());
  afterEach(async () => {
    await h.sqs.drain(h.queueUrl);
  });

  it('runs for a subscriber synced a minute ago, where a scheduled request is skipped', async () => {
    const subscriber = await h.connect(feedOf(2));
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    await h.deliverAll();
    h.feeds.feeds.set(subscriber.feedToken, feedOf(3));
    h.clock.advance(60_000);

    await h.send(h.syncRequest(subscriber.id, 'scheduled'));
    const skipped = await emfDuring(() => h.deliverAll());
    expect(skipped.find((line) => 'SyncSkipped' in line)).toMatchObject({ reason: 'recently_synced' });
    expect(h.summariesInGoogle(subscriber)).toHaveLength(2);

    await h.send(h.syncRequest(subscriber.id, 'checked'));
    const ran = await emfDuring(() => h.deliverAll());
    expect(ran.find((line) => 'SyncRuns' in line)).toMatchObject({ outcome: 'synced' });
    expect(h.summariesInGoogle(subscriber)).toHaveLength(3);
  });

  it('is skipped when a run started after the check (it fetched the feed since), without a Google call', async () => {
    const subscriber = await h.connect(feedOf(2));
    h.clock.advance(60_000);
    const checked = h.syncRequest(subscriber.id, 'checked');
    h.clock.advance(1_000);
    // The connect's first sync runs after the check looked (the state it would have stored came a moment late).
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    await h.deliverAll();
    const callsAfterRun = h.googleCalls(subscriber);
    await h.send(checked);
    const emf = await emfDuring(() => h.deliverAll());
    expect(emf.find((line) => 'SyncSkipped' in line)).toMatchObject({ reason: 'recently_synced' });
    expect(emf.some((line) => 'SyncRuns' in line)).toBe(false);
    expect(h.googleCalls(subscriber)).toBe(callsAfterRun);
  });

  it('is skipped for a subscriber no longer scheduled, or paused, without a Google call', async () => {
    const unscheduled = await h.connect(feedOf(1));
    const connection = await h.connections.get(unscheduled.id);
    if (!connection) throw new Error('not connected');
    await h.connections.save({ ...connection, scheduled: false }, connection.version);
    const paused = await h.connect(feedOf(1));
    await h.connections.pause(paused.id, new Date(h.clock.now() + 3_600_000));

    await h.send(h.syncRequest(unscheduled.id, 'checked'), h.syncRequest(paused.id, 'checked'));
    const emf = await emfDuring(() => h.deliverAll());
    const reasons = emf.filter((line) => 'SyncSkipped' in line).map((line) => line.reason);
    expect(reasons.sort()).toEqual(['not_scheduled', 'paused']);
    expect(h.googleCalls(unscheduled) + h.googleCalls(paused)).toBe(0);
  });
});
