/**
 * A hostile feed among ordinary ones: one subscriber's feed must cost the others nothing. Its batch completes
 * (no message fails, nothing reaches the dead-letter queue), its body is not parsed again until it changes,
 * a long sync gets only its slice of the invocation, and a subscriber's daily budget of Google quota units
 * stops its runs until the next UTC day.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRequest } from '../../../lambdas/shared/ports/sync-queue.ts';
import { DEFAULT_SYNC_PARALLEL_SUBSCRIBERS } from '../../../lambdas/sync/config.ts';
import { reservedForLaterMessages } from '../../../lambdas/sync/worker/handler.ts';
import { manyObservancesFeed } from '../../support/hostile-feeds.ts';
import { feedOf, type TestSubscriber, TIME_MARGIN_MS, WorkerHarness } from './harness.ts';

/** The shape an outside review used: a custom VTIMEZONE with 3,000 observances, about 400 KB. */
const HOSTILE_FEED = manyObservancesFeed(3000, 400_000);
const DAY_MS = 86_400_000;

describe('a hostile feed in a batch of ten', () => {
  const h = new WorkerHarness();
  beforeAll(() => h.open());
  afterAll(() => h.close());
  afterEach(async () => {
    await h.sqs.drain(h.queueUrl);
    await h.sqs.drain(h.deadLetterQueueUrl);
  });

  const lastResult = async (subscriber: TestSubscriber) => (await h.syncState.get(subscriber.id))?.lastResult;

  it('syncs the nine others, ends the hostile one as a feed_error naming the cause, and fails no message', async () => {
    const normal = await Promise.all(
      Array.from({ length: 9 }, (_, i) => h.connect(feedOf(3, { prefix: `n${i}` }))),
    );
    const hostile = await h.connect(HOSTILE_FEED);
    // The hostile one first: whatever it costs comes out of the time of the nine after it.
    await h.send(...[hostile, ...normal].map((subscriber) => h.syncRequest(subscriber.id, 'connected')));
    const response = await h.deliverOnce();
    expect(response?.batchItemFailures).toEqual([]);

    for (const subscriber of normal) {
      expect(await lastResult(subscriber)).toMatchObject({ outcome: 'synced', created: 3 });
    }
    const result = await lastResult(hostile);
    expect(result?.outcome).toBe('feed_error');
    expect(result?.errors.join(' ')).toMatch(/costs too much work.*observances/);
    expect(h.googleCalls(hostile)).toBe(0);

    expect(await h.deliverAll()).toBe(0); // nothing was put back
    expect(await h.sqs.inspect(h.deadLetterQueueUrl)).toEqual([]);
  });

  it('does not parse a feed that failed for cost again until its body changes', async () => {
    const hostile = await h.connect(HOSTILE_FEED);
    await h.send(h.syncRequest(hostile.id, 'connected'));
    await h.deliverAll();
    const first = await h.syncState.get(hostile.id);
    expect(first?.lastResult?.outcome).toBe('feed_error');
    expect(first?.costlyFeed?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first?.lastResult?.errors.join(' ')).not.toMatch(/not read again/);

    // The same body: the same feed_error, told without the parse.
    await h.send(h.syncRequest(hostile.id, 'notified'));
    await h.deliverAll();
    const skipped = await lastResult(hostile);
    expect(skipped?.outcome).toBe('feed_error');
    expect(skipped?.errors.join(' ')).toMatch(
      /costs too much work.*observances.*not read again until it changes/,
    );
    expect((await h.syncState.get(hostile.id))?.costlyFeed).toEqual(first?.costlyFeed);

    // Another hostile body is parsed (and fails on its own account) ...
    h.feeds.feeds.set(hostile.feedToken, manyObservancesFeed(3001, 400_000));
    await h.send(h.syncRequest(hostile.id, 'notified'));
    await h.deliverAll();
    const reparsed = await h.syncState.get(hostile.id);
    expect(reparsed?.lastResult?.errors.join(' ')).not.toMatch(/not read again/);
    expect(reparsed?.costlyFeed?.hash).not.toBe(first?.costlyFeed?.hash);

    // ... and a body the mapping reads is synced, and the memory of the costly one goes.
    h.feeds.feeds.set(hostile.feedToken, feedOf(2, { prefix: 'fixed' }));
    await h.send(h.syncRequest(hostile.id, 'notified'));
    await h.deliverAll();
    const fixed = await h.syncState.get(hostile.id);
    expect(fixed?.lastResult).toMatchObject({ outcome: 'synced', created: 2 });
    expect(fixed?.costlyFeed).toBeUndefined();
  });

  it('gives a long sync only what the messages after it leave: cut short, continued, the others synced', async () => {
    const large = await h.connect(feedOf(300, { prefix: 'large' }));
    const others = await Promise.all(
      Array.from({ length: 9 }, (_, i) => h.connect(feedOf(2, { prefix: `o${i}` }))),
    );
    await h.send(...[large, ...others].map((subscriber) => h.syncRequest(subscriber.id, 'connected')));
    // Enough for the large sync alone (300 inserts take about 30 s at Google's pace), not with the slices kept
    // for the 9 after it (run a few at once: the rounds of them that wait for a slot).
    const sliceMs = 20_000;
    const reservedMs = reservedForLaterMessages(9, DEFAULT_SYNC_PARALLEL_SUBSCRIBERS);
    const response = await h.deliverOnce(TIME_MARGIN_MS + reservedMs + sliceMs);
    expect(response?.batchItemFailures).toEqual([]);
    const cut = await lastResult(large);
    expect(cut?.outcome).toBe('partial');
    expect(cut?.deferred).toBeGreaterThan(0);
    for (const subscriber of others) {
      expect(await lastResult(subscriber)).toMatchObject({ outcome: 'synced', created: 2 });
    }
    const queued = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body) as SyncRequest);
    expect(queued).toEqual([expect.objectContaining({ subscriberId: large.id, reason: 'continuation' })]);

    await h.deliverAll();
    expect(h.summariesInGoogle(large)).toHaveLength(300);
    expect(await lastResult(large)).toMatchObject({ outcome: 'synced' });
  });
});

describe("a subscriber's daily budget of Google quota units", () => {
  const BUDGET = 8;
  const h = new WorkerHarness();
  beforeAll(() => h.open({ SYNC_MAX_UNITS_PER_DAY: String(BUDGET) }));
  afterAll(() => h.close());

  it('stops a run once spent, without a continuation, skips the schedule, and resumes the next UTC day', async () => {
    const subscriber = await h.connect(feedOf(12));
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    expect(await h.deliverAll()).toBe(1); // no continuation
    const first = await h.syncState.get(subscriber.id);
    expect(first?.lastResult?.outcome).toBe('partial');
    expect(first?.lastResult?.errors).toContainEqual(
      expect.stringMatching(/^daily write budget for this calendar used up; continues tomorrow/),
    );
    const createdOnDay1 = first?.lastResult?.created ?? 0;
    // Each insert costs one unit: the budget's worth were made.
    expect(createdOnDay1).toBe(BUDGET);
    expect(first?.dailyUnits?.units).toBe(h.googleCalls(subscriber));

    // The same day: the schedule skips it, and even "Sync now" stops before the feed or any Google call.
    const calls = h.googleCalls(subscriber);
    const fetches = h.feeds.requests;
    const from = h.emf.length;
    await h.send(h.syncRequest(subscriber.id, 'scheduled'), h.syncRequest(subscriber.id, 'manual'));
    await h.deliverAll();
    expect(h.emf.slice(from).find((line) => 'SyncSkipped' in line)).toMatchObject({ reason: 'daily_budget' });
    expect(h.googleCalls(subscriber)).toBe(calls);
    expect(h.feeds.requests).toBe(fetches);
    expect((await h.syncState.get(subscriber.id))?.lastResult).toEqual(first?.lastResult);

    // The next UTC day the schedule's request runs and finishes the calendar.
    h.clock.advance(DAY_MS);
    await h.send(h.syncRequest(subscriber.id, 'scheduled'));
    await h.deliverAll();
    const second = await h.syncState.get(subscriber.id);
    expect(second?.lastResult).toMatchObject({ outcome: 'synced', created: 12 - createdOnDay1 });
    expect(h.summariesInGoogle(subscriber)).toHaveLength(12);
  });
});

describe('a sync that keeps continuing', () => {
  const h = new WorkerHarness();
  beforeAll(() => h.open({ SYNC_CONTINUE_DELAY_SECONDS: '2' }));
  afterAll(() => h.close());

  it('waits longer before each further continuation, so the others get the workers in between', async () => {
    const subscriber = await h.connect(feedOf(300, { prefix: 'churn' }));
    await h.send({ ...h.syncRequest(subscriber.id, 'continuation'), requeued: 3 });
    // Too little time for 300 inserts at Google's pace: cut short, continued.
    await h.deliverOnce(TIME_MARGIN_MS + 12_000);
    const queued = await h.sqs.inspect(h.queueUrl);
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0]?.body ?? '{}')).toMatchObject({ reason: 'continuation', requeued: 4 });
    // The fourth continuation: 2 s doubled three times.
    expect(queued[0]?.delaySeconds).toBe(16);
  });
});
